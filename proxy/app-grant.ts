import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed tokens that open a private Space's app in a browser (docs/route-stream.md, "Private apps").
 *
 * - A **grant** is made by the controller on the hub host for one member and one Space, lives about a
 *   minute, and is carried in a redirect to `http://{subdomain}.{domain}/.spaceport/grant?g=…`.
 * - The Space's host (the proxy) checks it and answers with its own **cookie** (host-only, HttpOnly,
 *   SameSite=Lax, signed, expiring), then redirects to the path the grant names.
 *
 * Both are `v1.<base64url JSON>.<base64url HMAC-SHA256>`, signed with a purpose prefix so one can
 * never be used as the other, and bound to a scope: the subdomain, the Space's unique id and its
 * visibility generation (`appScopeOf` in route.ts). A grant or cookie for one Space opens no other,
 * not even a later Space on the same subdomain, and none survives a visibility change.
 */
export const GRANT_PATH = '/.spaceport/grant';
export const APP_COOKIE = 'spaceport_app';
/** How long a grant may wait before it is used. */
export const GRANT_TTL_SECONDS = 60;
/** How long the cookie opens the app; then the member goes through the hub again. */
export const APP_COOKIE_TTL_SECONDS = 3600;

type Purpose = 'grant' | 'cookie';

interface Claims {
  /** The scope it opens (`appScopeOf`: the subdomain, with the Space's uid and visibility generation). */
  s: string;
  /** Expiry, epoch seconds. */
  e: number;
  /** Grant only: where to go after the cookie is set. */
  p?: string;
  /** Grant only: the hub is served over https (the cookie gets `Secure`). */
  t?: 1;
}

/** The signing key shared by the controller and its proxies, from a secret (the internal token, or a key file). */
export function deriveGrantKey(secret: string | Buffer): Buffer {
  return createHmac('sha256', secret).update('spaceport app grants v1').digest();
}

function mac(key: Buffer, purpose: Purpose, body: string): Buffer {
  return createHmac('sha256', key).update(`${purpose}.${body}`).digest();
}

function sign(key: Buffer, purpose: Purpose, claims: Claims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `v1.${body}.${mac(key, purpose, body).toString('base64url')}`;
}

function verify(key: Buffer, purpose: Purpose, token: string, scope: string, nowMs: number): Claims | undefined {
  if (token.length > 4096) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1') return undefined;
  const [, body, sig] = parts as [string, string, string];
  const expected = mac(key, purpose, body);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let claims: Claims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Claims;
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null || claims.s !== scope || typeof claims.e !== 'number') return undefined;
  if (claims.e * 1000 <= nowMs) return undefined;
  return claims;
}

/** A path to go to on the app's host: absolute, same host (no `//host` or `/\host`), else `/`. */
export function safeAppPath(path: string | undefined): string {
  if (!path || path[0] !== '/' || path[1] === '/' || path[1] === '\\' || /[\x00-\x1f\x7f]/.test(path) || path.length > 2048) return '/';
  return path;
}

export function signGrant(key: Buffer, opts: { scope: string; path?: string; secure?: boolean; nowMs: number; ttlSeconds?: number }): string {
  return sign(key, 'grant', {
    s: opts.scope,
    e: Math.floor(opts.nowMs / 1000) + (opts.ttlSeconds ?? GRANT_TTL_SECONDS),
    p: safeAppPath(opts.path),
    ...(opts.secure ? { t: 1 as const } : {}),
  });
}

/** The grant's destination and scheme, when it is valid for `scope` now; else undefined. */
export function verifyGrant(key: Buffer, token: string, scope: string, nowMs: number): { path: string; secure: boolean } | undefined {
  const c = verify(key, 'grant', token, scope, nowMs);
  return c && { path: safeAppPath(c.p), secure: c.t === 1 };
}

export function signAppCookie(key: Buffer, opts: { scope: string; nowMs: number; ttlSeconds?: number }): string {
  return sign(key, 'cookie', { s: opts.scope, e: Math.floor(opts.nowMs / 1000) + (opts.ttlSeconds ?? APP_COOKIE_TTL_SECONDS) });
}

export function verifyAppCookie(key: Buffer, value: string, scope: string, nowMs: number): boolean {
  return verify(key, 'cookie', value, scope, nowMs) !== undefined;
}

/** Every value of cookie `name` in a Cookie header (a browser may send several). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header || !header.includes(name)) return [];
  const out: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) out.push(part.slice(eq + 1).trim());
  }
  return out;
}

/** A Cookie header without cookie `name` ('' when nothing else is left). */
export function withoutCookie(header: string, name: string): string {
  if (!header.includes(name)) return header;
  return header
    .split(';')
    .filter((part) => {
      const eq = part.indexOf('=');
      return !(eq > 0 && part.slice(0, eq).trim() === name);
    })
    .map((p) => p.trim())
    .join('; ');
}

/** A stable, non-reversible cache key for a token. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
