import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cookieValues, deriveGrantKey, safeAppPath, signAppCookie, signGrant, verifyAppCookie, verifyGrant, withoutCookie } from './app-grant.js';

const key = deriveGrantKey('a-shared-internal-token-0123456789');
const NOW = 1_764_100_000_000;

describe('app grants and cookies', () => {
  it('a grant is valid for its subdomain until it expires, and carries its path and scheme', () => {
    const g = signGrant(key, { scope: 'alice-demo', path: '/x?y=1', secure: true, nowMs: NOW });
    expect(verifyGrant(key, g, 'alice-demo', NOW + 59_000)).toEqual({ path: '/x?y=1', secure: true });
    expect(verifyGrant(key, g, 'alice-demo', NOW + 61_000)).toBeUndefined();
    expect(verifyGrant(key, g, 'bob-app', NOW)).toBeUndefined();
    expect(verifyGrant(deriveGrantKey('another-token-0123456789'), g, 'alice-demo', NOW)).toBeUndefined();
  });

  it('grants and cookies cannot stand in for each other', () => {
    const g = signGrant(key, { scope: 'alice-demo', nowMs: NOW });
    const c = signAppCookie(key, { scope: 'alice-demo', nowMs: NOW });
    expect(verifyAppCookie(key, g, 'alice-demo', NOW)).toBe(false);
    expect(verifyGrant(key, c, 'alice-demo', NOW)).toBeUndefined();
    expect(verifyAppCookie(key, c, 'alice-demo', NOW + 3_599_000)).toBe(true);
    expect(verifyAppCookie(key, c, 'alice-demo', NOW + 3_601_000)).toBe(false);
  });

  it('a changed payload or signature, or garbage, is refused', () => {
    const c = signAppCookie(key, { scope: 'alice-demo', nowMs: NOW });
    const [v, body, sig] = c.split('.');
    const other = Buffer.from(JSON.stringify({ s: 'alice-demo', e: 9_999_999_999 })).toString('base64url');
    expect(verifyAppCookie(key, `${v}.${other}.${sig}`, 'alice-demo', NOW)).toBe(false);
    expect(verifyAppCookie(key, `${v}.${body}.${randomBytes(32).toString('base64url')}`, 'alice-demo', NOW)).toBe(false);
    for (const junk of ['', 'v1', 'v1..', 'v2.a.b', 'v1.!!!.???', `v1.${body}`, 'x'.repeat(5000)]) {
      expect(verifyAppCookie(key, junk, 'alice-demo', NOW)).toBe(false);
    }
  });

  it('redirects only to paths on the same host', () => {
    expect(safeAppPath('/a/b?c')).toBe('/a/b?c');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '/a\nb', '', undefined]) {
      expect(safeAppPath(bad)).toBe('/');
    }
  });

  it('reads and removes one cookie from a Cookie header', () => {
    expect(cookieValues('a=1; spaceport_app=x; b=2; spaceport_app=y', 'spaceport_app')).toEqual(['x', 'y']);
    expect(cookieValues('a=1', 'spaceport_app')).toEqual([]);
    expect(withoutCookie('a=1; spaceport_app=x; b=2', 'spaceport_app')).toBe('a=1; b=2');
    expect(withoutCookie('spaceport_app=x', 'spaceport_app')).toBe('');
    expect(withoutCookie('not_spaceport_app=x', 'spaceport_app')).toBe('not_spaceport_app=x');
  });
});
