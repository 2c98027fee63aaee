import type { NextFunction, Request, Response } from 'express';
import { fail, type Logger } from '../../core/index.js';
import type { SpaceService } from '../spaces/index.js';
import { page } from './web-context.js';

/** Does this request come from a browser navigating to a page (it prefers HTML to JSON)? */
export function wantsPage(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.path.startsWith('/api/')) return false;
  return req.accepts(['json', 'html']) === 'html';
}

/**
 * The HTML "Not found" page for a browser on a path nothing serves. API clients, git and scripts
 * (Accept: JSON, `*\/*` or none) keep the JSON 404 the API answers.
 */
export function notFoundPage(deps: { spaces: SpaceService; assetVersion: string; logger: Logger }) {
  const handler = page(deps, async () => {
    throw fail('pageNotFound');
  });
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!wantsPage(req)) return next();
    void handler(req, res);
  };
}
