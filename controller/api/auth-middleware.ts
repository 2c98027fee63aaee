import type { RequestHandler } from 'express';
import { authenticate, tokenFromHeader } from '../auth/index.js';
import type { SpaceStore } from '../store/space-store.js';

/** Resolves the bearer token once per request; a wrong token is a 401, none is anonymous. */
export function authMiddleware(store: SpaceStore): RequestHandler {
  return (req, res, next) => {
    res.locals.principal = authenticate(store, tokenFromHeader(req.headers.authorization));
    next();
  };
}
