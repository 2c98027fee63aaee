import { randomBytes } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { SpaceportError, fail, renderMessage, type ErrorCode, type Logger } from '../../core/index.js';
import { cookieHeader, parseCookies, requireUser, sameToken, cookieName, type SignInLimiter, type UserAccounts, type WebSessions } from '../auth/index.js';
import type { SpaceService } from '../spaces/index.js';
import { renderSignIn } from './render-account-pages.js';
import type { OidcSignIn } from './oidc-sign-in.js';
import { sendPage, spaceOriginsOf } from './security-headers.js';
import { pageContext, principalOf, sessionOf, urlsOf } from './web-context.js';

const LOGIN_COOKIE = 'sp_login';
const OIDC_COOKIE = 'sp_oidc';
const FORM_MS = 30 * 60_000;

export interface SignInRoutesOptions {
  accounts: UserAccounts;
  spaces: SpaceService;
  sessions: WebSessions;
  limiter: SignInLimiter;
  oidc?: OidcSignIn;
  oidcName: string;
  assetVersion: string;
  logger: Logger;
}

/** Where to go after signing in: a path on this host only (never `//elsewhere` or a URL). */
export function safeNext(v: unknown): string {
  return typeof v === 'string' && /^\/(?![/\\])[^\s]*$/.test(v) && v.length < 2000 ? v : '/spaces';
}

/** The sign-in form's refusals, by status: the code each carries in `X-Error-Code`. */
const FORM_ERROR_CODES: Record<number, ErrorCode> = { 401: 'SignInFailed', 403: 'CsrfFailed', 429: 'TooManySignIns', 502: 'UpstreamFetchFailed' };

export const passwordBody = z.object({ password: z.string(), currentPassword: z.string().optional() });

/** Password and OpenID Connect sign-in, sign-out, and the admin's password API. */
export function signInRoutes(o: SignInRoutesOptions): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const secure = (_req: Request) => o.sessions.secure;
  const SESSION = o.sessions.cookieName;
  const LOGIN = cookieName(LOGIN_COOKIE, o.sessions.secure);
  // The form's cookie is set and cleared on the same path (a `__Host-` cookie must have `Path=/`):
  // a clearing cookie on another path is another cookie, and the form's would stay.
  const LOGIN_PATH = o.sessions.secure ? '/' : '/login';
  const OIDC = cookieName(OIDC_COOKIE, o.sessions.secure);

  const startSession = (req: Request, res: Response, user: string, next: string) => {
    const old = sessionOf(res);
    if (old) o.sessions.destroy(old.cookie);
    const s = o.sessions.create(user);
    res.append('Set-Cookie', cookieHeader(SESSION, s.cookie, { maxAgeMs: o.sessions.ttlMs, secure: secure(req) }));
    res.append('Set-Cookie', cookieHeader(LOGIN, '', { maxAgeMs: 0, secure: secure(req), path: LOGIN_PATH }));
    res.redirect(303, next);
  };

  const showForm = (req: Request, res: Response, status: number, extra: { error?: string; userName?: string; next: string }) => {
    const session = sessionOf(res);
    let token = session?.csrf;
    if (!token) {
      token = randomBytes(24).toString('base64url');
      res.append('Set-Cookie', cookieHeader(LOGIN, token, { maxAgeMs: FORM_MS, secure: secure(req), path: LOGIN_PATH }));
    }
    const urls = urlsOf(o.spaces, req);
    const body = renderSignIn(pageContext(res, o.assetVersion), { formToken: token, oidcName: o.oidc ? o.oidcName : undefined, ...extra }).value;
    // A refused sign-in is coded like every other refusal (the page shows the message).
    const code = FORM_ERROR_CODES[status];
    if (code) res.set('X-Error-Code', code).set('X-Error-Message', new SpaceportError(code).message);
    sendPage(res, status, body, spaceOriginsOf(urls.publicUrl, urls.domain));
  };

  r.get('/login', (req, res) => {
    const next = safeNext(req.query.next);
    if (principalOf(res).kind === 'user' && sessionOf(res)) return res.redirect(303, next);
    showForm(req, res, 200, { next });
  });

  r.post('/login', form, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    // With a session the middleware checked the CSRF field; without one, the form's token must match its cookie.
    if (!sessionOf(res) && !sameToken(String(body._csrf ?? ''), parseCookies(req.headers.cookie)[LOGIN])) {
      const expired = renderMessage('signInFormExpired');
      return showForm(req, res, expired.status, { next, error: expired.message });
    }
    const address = req.socket.remoteAddress ?? 'unknown';
    const name = typeof body.username === 'string' ? body.username.trim().slice(0, 100) : '';
    if (!o.limiter.allowed(address, name)) {
      o.logger.warn({ address, user: name.slice(0, 40) }, 'sign-in refused: too many failures');
      return showForm(req, res, 429, { next, error: new SpaceportError('TooManySignIns').message });
    }
    const password = typeof body.password === 'string' ? body.password : '';
    if (!(await o.accounts.checkPassword(name, password))) {
      o.limiter.fail(address, name);
      o.logger.info({ user: name.slice(0, 40), address }, 'sign-in failed');
      return showForm(req, res, 401, { next, userName: name, error: new SpaceportError('SignInFailed').message });
    }
    o.limiter.succeed(address, name);
    o.logger.info({ user: name }, 'signed in with a password');
    startSession(req, res, name, next);
  });

  r.post('/logout', (req, res) => {
    const session = sessionOf(res);
    if (session) o.sessions.destroy(session.cookie);
    res.append('Set-Cookie', cookieHeader(SESSION, '', { maxAgeMs: 0, secure: secure(req) }));
    res.redirect(303, '/spaces');
  });

  r.get('/login/oidc', async (req, res) => {
    if (!o.oidc) throw fail('oidcNotConfigured');
    const redirectUri = `${urlsOf(o.spaces, req).publicUrl}/login/oidc/callback`;
    let started;
    try {
      started = await o.oidc.start(redirectUri, safeNext(req.query.next));
    } catch (err) {
      o.logger.warn({ err }, 'OpenID Connect provider unreachable');
      const unreachable = renderMessage('oidcProviderUnreachable');
      return showForm(req, res, unreachable.status, { next: safeNext(req.query.next), error: unreachable.message });
    }
    res.append('Set-Cookie', cookieHeader(OIDC, started.state, { maxAgeMs: 10 * 60_000, secure: secure(req), path: o.sessions.secure ? '/' : '/login/oidc' }));
    res.redirect(303, started.url);
  });

  r.get('/login/oidc/callback', async (req, res) => {
    if (!o.oidc) throw new SpaceportError('NotFound');
    const current = new URL(req.originalUrl, urlsOf(o.spaces, req).publicUrl);
    try {
      const { user, next } = await o.oidc.finish(current, parseCookies(req.headers.cookie)[OIDC]);
      res.append('Set-Cookie', cookieHeader(OIDC, '', { maxAgeMs: 0, secure: secure(req), path: o.sessions.secure ? '/' : '/login/oidc' }));
      o.logger.info({ user }, 'signed in with OpenID Connect');
      startSession(req, res, user, next);
    } catch (err) {
      o.logger.warn({ err: (err as Error).message }, 'OpenID Connect sign-in failed');
      const failed = renderMessage('oidcSignInFailed', { provider: o.oidcName, reason: (err as Error).message });
      showForm(req, res, failed.status, { next: '/spaces', error: failed.message });
    }
  });

  // ---- people's passwords: an admin sets anyone's, a user their own (UserAccounts.setPassword)
  r.put('/api/users/:user/password', express.json({ limit: '16kb' }), async (req, res) => {
    const p = requireUser(principalOf(res));
    const target = String(req.params.user);
    await o.accounts.setPassword(p, target, () => passwordBody.parse(req.body ?? {}));
    o.logger.info({ user: target, by: p.user.name }, 'password set');
    res.json({ name: target, password: true });
  });

  return r;
}
