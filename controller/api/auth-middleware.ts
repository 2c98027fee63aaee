import express, { type RequestHandler } from 'express';
import { SpaceportError } from '../../core/index.js';
import { parseCookies, sameToken, tokenFromHeader, type Authenticator, type WebSessions } from '../auth/index.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const formParser = express.urlencoded({ extended: false, limit: '64kb' });

/**
 * Resolves who asks, once per request: a bearer/basic token (a wrong one is a 401, as before);
 * else a browser session cookie (a stale one is anonymous). A state-changing request made with
 * the cookie must carry the session's CSRF token, as the `X-CSRF-Token` header or, for a form,
 * the `_csrf` field; otherwise it is refused before any route runs.
 */
export function authMiddleware(auth: Authenticator, sessions?: WebSessions): RequestHandler {
  return (req, res, next) => {
    const token = tokenFromHeader(req.headers.authorization);
    if (token !== undefined || !sessions) {
      res.locals.principal = auth.fromToken(token);
      return next();
    }
    const session = sessions.resolve(parseCookies(req.headers.cookie)[sessions.cookieName]);
    const principal = session ? auth.fromSession(session.user) : undefined;
    if (!session || !principal) {
      res.locals.principal = auth.fromToken(undefined);
      return next();
    }
    res.locals.principal = principal;
    res.locals.session = session;
    if (SAFE_METHODS.has(req.method)) return next();
    const header = req.headers['x-csrf-token'];
    if (typeof header === 'string') return sameToken(header, session.csrf) ? next() : next(new SpaceportError('CsrfFailed'));
    if (!req.is('application/x-www-form-urlencoded')) return next(new SpaceportError('CsrfFailed'));
    formParser(req, res, (err?: unknown) => {
      if (err) return next(err);
      const field = (req.body as Record<string, unknown> | undefined)?._csrf;
      next(typeof field === 'string' && sameToken(field, session.csrf) ? undefined : new SpaceportError('CsrfFailed'));
    });
  };
}
