import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import {
  APP_COOKIE,
  APP_COOKIE_TTL_SECONDS,
  GRANT_PATH,
  cookieValues,
  signAppCookie,
  tokenDigest,
  verifyAppCookie,
  verifyGrant,
} from './app-grant.js';
import { htmlResponse, type PageResponse } from './respond.js';
import { appScopeOf, type AccessChecker, type Route } from './route.js';

/** What a private app needs: the key grants and cookies are signed with, and the controller's token check. */
export interface AppAccessOptions {
  key: Buffer;
  checker: AccessChecker;
  /** How long the app cookie lasts (default 3600 s). */
  cookieTtlSeconds?: number;
  /** How long a bearer token's answer is kept (default 10 000 ms; a revoked token stops working within this). */
  tokenCacheMs?: number;
}

/** Allowed now, refused now, or the controller's answer for a bearer token. */
export type GateDecision = 'allowed' | 'denied' | Promise<boolean>;

const MAX_CACHED = 10_000;

/** Is this request URL the grant endpoint (with its query)? */
export function isGrantPath(url: string | undefined): boolean {
  return url !== undefined && url.charCodeAt(1) === 46 /* . */ && url.startsWith(GRANT_PATH) && (url.length === GRANT_PATH.length || url.charCodeAt(GRANT_PATH.length) === 63);
}

function bearerIn(h: string | string[] | undefined): string | undefined {
  if (typeof h !== 'string' || h.length < 8 || h.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const t = h.slice(7).trim();
  return t === '' ? undefined : t;
}

/** The bearer token of `Authorization`, else of `X-HF-Authorization` (what gradio_client sends to a Space's host). */
function bearerOf(req: IncomingMessage): string | undefined {
  return bearerIn(req.headers.authorization) ?? bearerIn(req.headers['x-hf-authorization']);
}

/**
 * Who may use a private Space's app: a browser with this host's signed cookie (from a grant), or a
 * client whose `Authorization: Bearer` (or `X-HF-Authorization: Bearer`, gradio_client's) token the controller accepts (answers cached briefly). Without
 * `AppAccessOptions` no one may: private apps answer 404 to everyone.
 */
export class AppGate {
  readonly #o: AppAccessOptions | undefined;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #cache = new Map<string, { allowed: boolean; until: number }>();
  readonly #inflight = new Map<string, Promise<boolean>>();

  constructor(opts: AppAccessOptions | undefined, clock: Clock, logger: Logger) {
    this.#o = opts;
    this.#clock = clock;
    this.#logger = logger;
  }

  decide(req: IncomingMessage, route: Route): GateDecision {
    if (route.access !== 'private') return 'allowed';
    const o = this.#o;
    if (o === undefined) return 'denied';
    const now = this.#clock.now();
    for (const v of cookieValues(req.headers.cookie, APP_COOKIE)) {
      if (verifyAppCookie(o.key, v, appScopeOf(route), now)) return 'allowed';
    }
    const token = bearerOf(req);
    if (token === undefined) return 'denied';
    // Keyed by the Space's scope (uid and visibility generation), not its name: an answer for a deleted
    // Space, or for the same Space before a visibility change, is never reused.
    const key = `${route.space}\n${appScopeOf(route)}\n${tokenDigest(token)}`;
    const hit = this.#cache.get(key);
    if (hit && hit.until > now) return hit.allowed ? 'allowed' : 'denied';
    const pending = this.#inflight.get(key);
    if (pending) return pending;
    const ask = o.checker.canUseApp(route.space, token).then(
      (allowed) => {
        if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
        this.#cache.set(key, { allowed, until: this.#clock.now() + (o.tokenCacheMs ?? 10_000) });
        return allowed;
      },
      (err: unknown) => {
        // The controller is unreachable: refuse (never open a private app on a failure), do not cache.
        this.#logger.warn({ err, space: route.space }, 'app access check failed; refusing');
        return false;
      },
    );
    this.#inflight.set(key, ask);
    void ask.finally(() => this.#inflight.delete(key));
    return ask;
  }

  /**
   * `GET /.spaceport/grant?g=…` on `route`'s host: a valid grant becomes this host's cookie and a
   * redirect to the path it names; anything else (no route, a grant for another Space or an earlier
   * Space on this subdomain) is the 404 page.
   */
  grantResponse(url: string, route: Route | undefined, notFound: () => PageResponse): PageResponse {
    const o = this.#o;
    if (o === undefined || route === undefined) return notFound();
    const scope = appScopeOf(route);
    const g = new URLSearchParams(url.slice(GRANT_PATH.length + 1)).get('g') ?? '';
    const now = this.#clock.now();
    const grant = verifyGrant(o.key, g, scope, now);
    if (!grant) return notFound();
    const ttl = o.cookieTtlSeconds ?? APP_COOKIE_TTL_SECONDS;
    const cookie = [
      `${APP_COOKIE}=${signAppCookie(o.key, { scope, nowMs: now, ttlSeconds: ttl })}`,
      'Path=/',
      `Max-Age=${ttl}`,
      'HttpOnly',
      'SameSite=Lax',
      ...(grant.secure ? ['Secure'] : []),
    ].join('; ');
    return htmlResponse(302, '', ['location', grant.path, 'set-cookie', cookie]);
  }
}
