import { describe, expect, it } from 'vitest';
import { userNameFromClaims } from './oidc-sign-in.js';
import { safeNext } from './sign-in-routes.js';

describe('OpenID Connect user names and redirects', () => {
  it('names a user from preferred_username, else the email, within the Hub name rule', () => {
    expect(userNameFromClaims({ preferred_username: 'carol' })).toBe('carol');
    expect(userNameFromClaims({ email: 'd.smith@example.com' })).toBe('d.smith');
    expect(userNameFromClaims({ preferred_username: 'Ève Dupont!' })).toBe('ve-Dupont');
    expect(userNameFromClaims({ preferred_username: '../..' })).toBeUndefined();
  });

  it('only follows local paths after signing in', () => {
    expect(safeNext('/spaces/alice/demo')).toBe('/spaces/alice/demo');
    expect(safeNext('//evil.example')).toBe('/spaces');
    expect(safeNext('/\\evil.example')).toBe('/spaces');
    expect(safeNext('https://evil.example')).toBe('/spaces');
    expect(safeNext(undefined)).toBe('/spaces');
  });
});
