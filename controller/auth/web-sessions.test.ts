import { describe, expect, it } from 'vitest';
import type { WebSessionRecord, WebStore } from '../store/web-store.js';
import { SignInLimiter } from './sign-in-limiter.js';
import { cookieHeader, cookieName, parseCookies, sameToken, WebSessions } from './web-sessions.js';

function memoryStore(): Pick<WebStore, 'createWebSession' | 'getWebSession' | 'deleteWebSession'> & { rows: Map<string, WebSessionRecord> } {
  const rows = new Map<string, WebSessionRecord>();
  return {
    rows,
    createWebSession: (h, s) => void rows.set(h, s),
    getWebSession: (h, now) => {
      const s = rows.get(h);
      return s && s.expiresAt > now ? s : undefined;
    },
    deleteWebSession: (h) => void rows.delete(h),
  };
}

describe('web sessions', () => {
  it('signs cookies, stores only a hash, expires and signs out', () => {
    let now = 1_000;
    const store = memoryStore();
    const sessions = new WebSessions({ store: store as unknown as WebStore, key: Buffer.alloc(32, 7), ttlMs: 60_000, secure: false, now: () => now });
    const s = sessions.create('alice');
    const [id] = s.cookie.split('.');
    expect([...store.rows.keys()].some((k) => k.includes(id!))).toBe(false);
    expect(sessions.resolve(s.cookie)).toMatchObject({ user: 'alice', csrf: s.csrf });
    expect(sessions.resolve(`${id}.forged`)).toBeUndefined();
    expect(sessions.resolve('garbage')).toBeUndefined();
    const other = new WebSessions({ store: store as unknown as WebStore, key: Buffer.alloc(32, 8), ttlMs: 60_000, secure: false, now: () => now });
    expect(other.resolve(s.cookie)).toBeUndefined();
    now += 61_000;
    expect(sessions.resolve(s.cookie)).toBeUndefined();
    const t = sessions.create('bob');
    sessions.destroy(t.cookie);
    expect(sessions.resolve(t.cookie)).toBeUndefined();
  });

  it('writes HttpOnly, SameSite=Lax cookies and parses Cookie headers', () => {
    expect(cookieHeader('a', 'b', { maxAgeMs: 3_600_000, secure: true })).toBe('a=b; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600; Secure');
    expect(parseCookies('x=1; sp_session=abc.def; y=')).toEqual({ x: '1', sp_session: 'abc.def', y: '' });
    expect(cookieName('sp_session', true)).toBe('__Host-sp_session');
    expect(cookieName('sp_session', false)).toBe('sp_session');
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abc', 'abd')).toBe(false);
    expect(sameToken(undefined, undefined)).toBe(false);
  });

  it('rate-limits failed sign-ins per address and name, and per address across names', () => {
    let now = 0;
    const limiter = new SignInLimiter({ maxFailures: 2, windowMs: 1000, now: () => now });
    limiter.fail('1.1.1.1', 'alice');
    expect(limiter.allowed('1.1.1.1', 'alice')).toBe(true);
    limiter.fail('1.1.1.1', 'Alice');
    expect(limiter.allowed('1.1.1.1', 'alice')).toBe(false);
    expect(limiter.allowed('1.1.1.1', 'bob')).toBe(true); // one account under attack does not lock the others out
    expect(limiter.allowed('2.2.2.2', 'alice')).toBe(true);
    for (let i = 0; i < 20; i++) limiter.fail('3.3.3.3', `name${i}`);
    expect(limiter.allowed('3.3.3.3', 'fresh-name')).toBe(false); // spraying names from one address
    now = 1500;
    expect(limiter.allowed('1.1.1.1', 'alice')).toBe(true);
    expect(limiter.allowed('3.3.3.3', 'fresh-name')).toBe(true);
  });
});
