import { Router, type NextFunction, type Request, type Response } from 'express';
import { fail, type SpaceportError } from '../../core/index.js';

/**
 * Routes the Hub has and Spaceport does not serve (those the `hf` CLI and huggingface_hub call):
 * a 400 or 501 with an error code saying what is not offered and what to use instead, never the
 * bare 404 "No route" (which stays for paths the Hub does not have either). Mounted after every
 * router that serves, so a route served elsewhere is never shadowed.
 */
const UNSERVED: readonly { pattern: RegExp; refuse: (m: RegExpExecArray) => SpaceportError }[] = [
  { pattern: /^\/api\/spaces\/[^/]+\/[^/]+\/dev-mode$/, refuse: () => fail('devModeNotOffered') },
  { pattern: /^\/api\/(models|datasets|buckets)(\/.*)?$/, refuse: (m) => fail('onlySpacesServed', { kind: m[1]! }) },
  { pattern: /^\/api\/spaces\/[^/]+\/[^/]+\/discussions(\/.*)?$/, refuse: () => fail('discussionsNotOffered') },
  { pattern: /^\/api\/spaces\/[^/]+\/[^/]+\/lfs-files(\/.*)?$/, refuse: () => fail('lfsFilesListNotOffered') },
  { pattern: /^\/api\/spaces\/[^/]+\/[^/]+\/volumes(\/.*)?$/, refuse: () => fail('volumesNotOffered') },
  { pattern: /^\/api\/collections(\/.*)?$/, refuse: () => fail('collectionsNotOffered') },
  { pattern: /^\/api\/(inference-endpoints|inference-proxy|partners)(\/.*)?$/, refuse: () => fail('inferenceNotOffered') },
];

/** The refusal for a Hub route not served here, or undefined for a path the Hub does not have. */
export function unservedHubRoute(path: string): SpaceportError | undefined {
  for (const u of UNSERVED) {
    const m = u.pattern.exec(path);
    if (m) return u.refuse(m);
  }
  return undefined;
}

export function unservedRoutes(): Router {
  const r = Router();
  r.use((req: Request, _res: Response, next: NextFunction) => next(unservedHubRoute(req.path)));
  return r;
}
