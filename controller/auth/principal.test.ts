import { describe, expect, it } from 'vitest';
import { assertCanAdminOrg, assertCanCreateIn, assertCanWrite, canRead, canReadCode, canUseApp, readScopeOf, tokenFromHeader, type Principal } from './principal.js';

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

describe('organizations', () => {
  const member = (name: string, role: 'admin' | 'write' | 'read', token: 'read' | 'write' = 'write'): Principal => ({
    kind: 'user',
    user: { name, role: 'user', createdAt: '' },
    tokenRole: token,
    tokenName: 't',
    orgs: new Map([['acme', role]]),
  });
  const orgPriv = { owner: 'acme', visibility: 'private' as const };
  const orgProt = { owner: 'acme', visibility: 'protected' as const };

  it('write and admin members change org Spaces; read members see private ones but change nothing', () => {
    expect(() => assertCanWrite(member('w', 'write'), orgPriv)).not.toThrow();
    expect(() => assertCanWrite(member('a', 'admin'), orgPriv)).not.toThrow();
    expect(canRead(member('r', 'read'), orgPriv)).toBe(true);
    expect(() => assertCanWrite(member('r', 'read'), orgPriv)).toThrow(expect.objectContaining({ code: 'Forbidden', status: 403 }));
    expect(() => assertCanWrite(member('w', 'write', 'read'), orgPriv)).toThrow(expect.objectContaining({ code: 'ReadOnlyToken' }));
    expect(() => assertCanWrite(alice('write'), orgPriv)).toThrow(expect.objectContaining({ code: 'RepoNotFound' }));
  });

  it('creates only in its own namespace or an org where it may write', () => {
    expect(() => assertCanCreateIn(member('w', 'write'), 'acme')).not.toThrow();
    expect(() => assertCanCreateIn(member('w', 'write'), 'w')).not.toThrow();
    expect(() => assertCanCreateIn(member('r', 'read'), 'acme')).toThrow(expect.objectContaining({ code: 'Forbidden' }));
    expect(() => assertCanCreateIn(alice('write'), 'acme')).toThrow(expect.objectContaining({ code: 'Forbidden' }));
    expect(() => assertCanCreateIn(alice('write'), 'bob')).toThrow(expect.objectContaining({ code: 'Forbidden' }));
    expect(() => assertCanCreateIn(alice('read'), 'alice')).toThrow(expect.objectContaining({ code: 'ReadOnlyToken' }));
    expect(() => assertCanCreateIn({ kind: 'anonymous' }, 'alice')).toThrow(expect.objectContaining({ code: 'Unauthorized' }));
  });

  it('protected: app and info public, code private', () => {
    expect(canRead({ kind: 'anonymous' }, orgProt)).toBe(true);
    expect(canUseApp({ kind: 'anonymous' }, orgProt)).toBe(true);
    expect(canReadCode({ kind: 'anonymous' }, orgProt)).toBe(false);
    expect(canReadCode(member('r', 'read'), orgProt)).toBe(true);
    expect(canUseApp({ kind: 'anonymous' }, orgPriv)).toBe(false);
    expect(canUseApp(member('r', 'read'), orgPriv)).toBe(true);
  });

  it('only org admins (and site admins) manage members', () => {
    expect(() => assertCanAdminOrg(member('a', 'admin'), 'acme')).not.toThrow();
    expect(() => assertCanAdminOrg(admin, 'acme')).not.toThrow();
    expect(() => assertCanAdminOrg(member('w', 'write'), 'acme')).toThrow(expect.objectContaining({ code: 'Forbidden' }));
  });

  it('gives queries the scope canRead decides: own name and every org (any role), all for admins, none for anonymous', () => {
    const outsider = alice('write');
    const principals: Principal[] = [{ kind: 'anonymous' }, outsider, alice('read'), member('r', 'read', 'read'), member('w', 'write'), member('a', 'admin'), admin];
    const owners = ['alice', 'acme', 'r', 'w', 'a', 'root', 'nobody'];
    const inScope = (p: Principal, s: { owner: string; visibility: 'public' | 'private' | 'protected' }) => {
      const scope = readScopeOf(p).privateOwners;
      return s.visibility !== 'private' || scope === 'all' || scope.includes(s.owner);
    };
    for (const p of principals) {
      for (const owner of owners) {
        for (const visibility of ['public', 'private', 'protected'] as const) {
          expect(inScope(p, { owner, visibility }), `${p.kind === 'user' ? p.user.name : 'anonymous'} → ${owner} ${visibility}`).toBe(canRead(p, { owner, visibility }));
        }
      }
    }
    expect(readScopeOf(member('r', 'read', 'read')).privateOwners).toEqual(['r', 'acme']);
  });
});
