import { describe, expect, it } from 'vitest';
import { assertCanWrite, canRead, tokenFromHeader, type Principal } from './principal.js';

const alice = (role: 'read' | 'write'): Principal => ({ kind: 'user', user: { name: 'alice', role: 'user', createdAt: '' }, tokenRole: role, tokenName: 't' });
const admin: Principal = { kind: 'user', user: { name: 'root', role: 'admin', createdAt: '' }, tokenRole: 'write', tokenName: 't' };
const pub = { owner: 'alice', visibility: 'public' as const };
const priv = { owner: 'alice', visibility: 'private' as const };

describe('tokens and permissions', () => {
  it('reads Bearer and Basic with any username', () => {
    expect(tokenFromHeader('Bearer sp_abc')).toBe('sp_abc');
    expect(tokenFromHeader(`Basic ${Buffer.from('whoever:sp_abc').toString('base64')}`)).toBe('sp_abc');
    expect(tokenFromHeader('Digest x')).toBeUndefined();
    expect(tokenFromHeader(undefined)).toBeUndefined();
  });

  it('lets the owner with a write token and admins write', () => {
    expect(() => assertCanWrite(alice('write'), pub)).not.toThrow();
    expect(() => assertCanWrite(admin, pub)).not.toThrow();
  });

  it('answers 401, 403 and 404 by name', () => {
    expect(() => assertCanWrite({ kind: 'anonymous' }, pub)).toThrow(expect.objectContaining({ code: 'Unauthorized', status: 401 }));
    expect(() => assertCanWrite(alice('read'), pub)).toThrow(expect.objectContaining({ code: 'ReadOnlyToken', status: 403 }));
    const bob: Principal = { ...alice('write'), user: { name: 'bob', role: 'user', createdAt: '' } } as Principal;
    expect(() => assertCanWrite(bob, pub)).toThrow(expect.objectContaining({ code: 'Forbidden', status: 403 }));
    expect(() => assertCanWrite(bob, priv)).toThrow(expect.objectContaining({ code: 'RepoNotFound', status: 404 }));
  });

  it('hides private Spaces from others', () => {
    expect(canRead({ kind: 'anonymous' }, priv)).toBe(false);
    expect(canRead(alice('read'), priv)).toBe(true);
    expect(canRead({ kind: 'anonymous' }, pub)).toBe(true);
  });
});
