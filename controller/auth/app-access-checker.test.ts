import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toSpaceId } from '../../core/index.js';
import { SecretBox, SqliteStore, type Visibility } from '../store/index.js';
import { appAccessChecker } from './app-access-checker.js';

describe('appAccessChecker', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore({ file: ':memory:', secrets: SecretBox.ephemeral() });
    for (const user of ['alice', 'bob', 'carol']) store.createUser(user, 'user');
    store.addToken('alice', { displayName: 'r', role: 'read', plaintext: 'sp_alice_read_0123456789' });
    store.addToken('bob', { displayName: 'r', role: 'read', plaintext: 'sp_bob_read_0123456789' });
    store.addToken('carol', { displayName: 'r', role: 'read', plaintext: 'sp_carol_read_0123456789' });
    store.createOrg('acme');
    store.setMember('acme', 'bob', 'read');
    for (const visibility of ['public', 'protected', 'private'] as Visibility[]) {
      store.createSpace({ id: toSpaceId('alice', visibility), sdk: 'static', visibility, hardware: 'cpu-basic' });
    }
    store.createSpace({ id: toSpaceId('acme', 'private'), sdk: 'static', visibility: 'private', hardware: 'cpu-basic' });
  });
  afterEach(() => store.close());

  it('opens a private app to its owner and the owning organization, with a read token too', async () => {
    const access = appAccessChecker(store);
    expect(await access.canUseApp('alice/private', 'sp_alice_read_0123456789')).toBe(true);
    expect(await access.canUseApp('acme/private', 'sp_bob_read_0123456789')).toBe(true);
    expect(await access.canUseApp('alice/private', 'sp_carol_read_0123456789')).toBe(false);
    expect(await access.canUseApp('acme/private', 'sp_carol_read_0123456789')).toBe(false);
  });

  it('keeps the apps of public and protected Spaces open to every token', async () => {
    const access = appAccessChecker(store);
    expect(await access.canUseApp('alice/public', 'sp_carol_read_0123456789')).toBe(true);
    expect(await access.canUseApp('alice/protected', 'sp_carol_read_0123456789')).toBe(true);
  });

  it('says no, without throwing, to an unknown token or Space', async () => {
    const access = appAccessChecker(store);
    expect(await access.canUseApp('alice/private', 'sp_not_a_token_0123456789')).toBe(false);
    expect(await access.canUseApp('alice/missing', 'sp_alice_read_0123456789')).toBe(false);
  });
});
