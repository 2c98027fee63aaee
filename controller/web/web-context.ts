import type { Request, Response } from 'express';
import { fail, renderMessage, toSpaceportError, type Logger } from '../../core/index.js';
import type { Principal, WebSession } from '../auth/index.js';
import type { HubUrls, SpaceService } from '../spaces/index.js';
import { renderErrorPage, type PageContext } from './layout.js';
import { sendPage, spaceOriginsOf } from './security-headers.js';

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

export function sessionOf(res: Response): WebSession | undefined {
  return res.locals.session as WebSession | undefined;
}

export function pageContext(res: Response, assetVersion: string): PageContext {
  const p = principalOf(res);
  const session = sessionOf(res);
  return {
    viewer: p.kind === 'user' ? { name: p.user.name, admin: p.user.role === 'admin', orgs: [...(p.orgs?.keys() ?? [])].sort() } : undefined,
    csrf: session?.csrf,
    assetVersion,
    path: res.req?.originalUrl,
  };
}

export function urlsOf(spaces: SpaceService, req: Request): HubUrls {
  return spaces.urlsFor({ protocol: req.protocol, host: req.headers.host });
}

/** A page handler: errors become an HTML page with the error's status (never JSON, never a 500 for bad input). */
export function page(
  deps: { spaces: SpaceService; assetVersion: string; logger: Logger },
  handler: (req: Request, res: Response) => Promise<string | void>,
) {
  return async (req: Request, res: Response): Promise<void> => {
    const urls = urlsOf(deps.spaces, req);
    const origins = spaceOriginsOf(urls.publicUrl, urls.domain);
    const started = performance.now();
    try {
      const body = await handler(req, res);
      // The server's own time for the page (query + render), for browsers' dev tools and bench/gallery.ts.
      if (!res.headersSent) res.set('Server-Timing', `page;dur=${(performance.now() - started).toFixed(2)}`);
      if (body !== undefined) sendPage(res, 200, body, origins);
    } catch (err) {
      const e = err instanceof URIError ? fail('pagePathInvalid') : toSpaceportError(err);
      if (e.status >= 500) deps.logger.error({ err, url: req.originalUrl }, 'page failed');
      if (e.status === 401) {
        res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
        return;
      }
      // A server failure is not described to the visitor (the log has it); its code still is.
      const message = e.status >= 500 ? renderMessage('pageFailed').message : e.message;
      res.set('X-Error-Code', e.code).set('X-Error-Message', message.replace(/[^\x20-\x7e]/g, '?').slice(0, 300));
      sendPage(res, e.status, renderErrorPage(pageContext(res, deps.assetVersion), { status: e.status, message }).value, origins);
    }
  };
}
