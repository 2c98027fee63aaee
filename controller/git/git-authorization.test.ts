import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toSpaceId, type SpaceId } from '../../core/index.js';
import { SecretBox, SqliteStore, type Visibility } from '../store/index.js';
import { authorizeGit } from './git-authorization.js';
import type { GitAccess, GitAuthorizeResult } from './git-http.js';

const TOKENS = { alice: 'sp_alice_write_0123456789', aliceRead: 'sp_alice_read_0123456789', bob: 'sp_bob_write_0123456789', carol: 'sp_carol_write_0123456789' };

describe('authorizeGit', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore({ file: ':memory:', secrets: SecretBox.ephemeral() });
    for (const user of ['alice', 'bob', 'carol']) store.createUser(user, 'user');
    store.addToken('alice', { displayName: 'w', role: 'write', plaintext: TOKENS.alice });
    store.addToken('alice', { displayName: 'r', role: 'read', plaintext: TOKENS.aliceRead });
    store.addToken('bob', { displayName: 'w', role: 'write', plaintext: TOKENS.bob });
    store.addToken('carol', { displayName: 'w', role: 'write', plaintext: TOKENS.carol });
    store.createOrg('acme');
    store.setMember('acme', 'bob', 'read');
    for (const visibility of ['public', 'protected', 'private'] as Visibility[]) {
      store.createSpace({ id: toSpaceId('alice', visibility), sdk: 'static', visibility, hardware: 'cpu-basic' });
      store.createSpace({ id: toSpaceId('acme', visibility), sdk: 'static', visibility, hardware: 'cpu-basic' });
    }
  });
  afterEach(() => store.close());

  const ask = (space: string, access: GitAccess, token?: string): GitAuthorizeResult =>
    authorizeGit(store, { space: space as SpaceId, access, ...(token === undefined ? {} : { token }) });
  const code = (r: GitAuthorizeResult): string => ('error' in r ? r.error.code : `user:${r.user}`);

  it('lets anyone pull a public Space, and only members pull code of a protected or private one', () => {
    expect(code(ask('alice/public', 'read'))).toBe('user:');
    expect(code(ask('alice/public', 'read', TOKENS.carol))).toBe('user:carol');
    for (const space of ['alice/protected', 'alice/private']) {
      expect(code(ask(space, 'read', TOKENS.alice))).toBe('user:alice');
      expect(code(ask(space, 'read', TOKENS.carol))).toBe('RepoNotFound');
    }
    expect(code(ask('acme/private', 'read', TOKENS.bob))).toBe('user:bob');
  });

  it('asks an anonymous client for credentials whether or not the Space exists; a user without access is told not found', () => {
    expect(code(ask('alice/private', 'read'))).toBe('Unauthorized');
    expect(code(ask('alice/protected', 'read'))).toBe('Unauthorized');
    expect(code(ask('alice/missing', 'read'))).toBe('Unauthorized');
    expect(code(ask('alice/missing', 'read', TOKENS.carol))).toBe('RepoNotFound');
  });

  it('lets only a writer with a write token push', () => {
    expect(code(ask('alice/public', 'write'))).toBe('Unauthorized');
    expect(code(ask('alice/public', 'write', TOKENS.alice))).toBe('user:alice');
    expect(code(ask('alice/public', 'write', TOKENS.aliceRead))).toBe('ReadOnlyToken');
    expect(code(ask('alice/public', 'write', TOKENS.carol))).toBe('Forbidden');
    expect(code(ask('acme/public', 'write', TOKENS.bob))).toBe('Forbidden');
    store.setMember('acme', 'bob', 'write');
    expect(code(ask('acme/private', 'write', TOKENS.bob))).toBe('user:bob');
  });

  it('answers an unknown token with an error (git asks again), never a throw', () => {
    expect(code(ask('alice/public', 'read', 'sp_not_a_token_0123456789'))).toBe('InvalidToken');
  });
});
