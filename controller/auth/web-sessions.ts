import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readOrCreateKeyFile } from '../../core/index.js';
import path from 'node:path';
import type { WebStore } from '../store/web-store.js';

export const SESSION_COOKIE = 'sp_session';

/**
 * A cookie's name: on https, `__Host-{name}` (the browser then requires Secure, Path=/ and no
 * Domain, so a Space app on a sibling subdomain cannot plant one for the hub); on http, `{name}`.
 */
export function cookieName(name: string, secure: boolean): string {
  return secure ? `__Host-${name}` : name;
}

export interface WebSession {
  user: string;
  csrf: string;
  /** The cookie's value, to sign out with. */
  cookie: string;
}

export interface WebSessionsOptions {
  store: WebStore;
  /** HMAC key of the cookie's signature (32 bytes). */
  key: Buffer;
  ttlMs: number;
  /** https: Secure, `__Host-` cookies. */
  secure: boolean;
  now?: () => number;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The key that signs session cookies, kept in the data dir next to secret.key (mode 0600). */
export function sessionKeyFromDataDir(dataDir: string): Buffer {
  const key = readOrCreateKeyFile(path.join(dataDir, 'session.key'), () => randomBytes(32).toString('base64'));
  return Buffer.from(key.toString('utf8').trim(), 'base64');
}

/**
 * Browser sessions: the cookie is `{id}.{HMAC(id)}`; the store keeps only SHA-256(id), the user,
 * a CSRF token and the expiry. A cookie with a bad signature is never looked up.
 */
export class WebSessions {
  readonly #o: WebSessionsOptions;

  constructor(opts: WebSessionsOptions) {
    this.#o = opts;
  }

  get ttlMs(): number {
    return this.#o.ttlMs;
  }

  get secure(): boolean {
    return this.#o.secure;
  }

  /** The session cookie's name on this install. */
  get cookieName(): string {
    return cookieName(SESSION_COOKIE, this.#o.secure);
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  #sign(id: string): string {
    return createHmac('sha256', this.#o.key).update(id).digest('base64url');
  }

  create(user: string): WebSession {
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    this.#o.store.createWebSession(sha256(id), { user, csrf, expiresAt: this.#now() + this.#o.ttlMs });
    return { user, csrf, cookie: `${id}.${this.#sign(id)}` };
  }

  /** The live session a cookie value names, or undefined (bad signature, unknown, expired). */
  resolve(cookie: string | undefined): WebSession | undefined {
    if (!cookie) return undefined;
    const dot = cookie.indexOf('.');
    if (dot <= 0) return undefined;
    const id = cookie.slice(0, dot);
    const given = Buffer.from(cookie.slice(dot + 1));
    const expected = Buffer.from(this.#sign(id));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const s = this.#o.store.getWebSession(sha256(id), this.#now());
    return s ? { user: s.user, csrf: s.csrf, cookie } : undefined;
  }

  destroy(cookie: string): void {
    const id = cookie.split('.')[0];
    if (id) this.#o.store.deleteWebSession(sha256(id));
  }
}

/** Constant-time comparison of two tokens (CSRF). */
export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `name=value` pairs of a Cookie header (values are not decoded: ours are base64url). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!(name in out)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}

/** A Set-Cookie value: HttpOnly, SameSite=Lax, Path=/, Secure on https. `maxAgeMs` 0 deletes it. */
export function cookieHeader(name: string, value: string, opts: { maxAgeMs: number; secure: boolean; path?: string }): string {
  const parts = [`${name}=${value}`, `Path=${opts.path ?? '/'}`, 'HttpOnly', 'SameSite=Lax', `Max-Age=${Math.floor(opts.maxAgeMs / 1000)}`];
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}
