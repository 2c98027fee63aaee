import { describe, expect, it } from 'vitest';
import { SecretBox, SqliteStore } from '../store/index.js';
import { UserAccounts } from './user-accounts.js';

describe('UserAccounts.userForOidcSubject: the name a new OpenID user gets (issue 15)', () => {
  it('never a name equal ignoring case to a user or organization, nor a reserved one: a suffix instead', () => {
    const store = new SqliteStore({ file: ':memory:', secrets: SecretBox.ephemeral() });
    try {
      const accounts = new UserAccounts(store);
      store.createUser('Alice', 'user');
      store.createOrg('acme');
      expect(accounts.userForOidcSubject('https://idp alice', 'alice')).toEqual({ user: 'alice-2', created: true });
      expect(accounts.userForOidcSubject('https://idp acme', 'ACME')).toEqual({ user: 'ACME-2', created: true });
      expect(accounts.userForOidcSubject('https://idp api', 'api')).toEqual({ user: 'api-2', created: true });
      // The same identity again: the user it was linked to.
      expect(accounts.userForOidcSubject('https://idp alice', 'alice')).toEqual({ user: 'alice-2', created: false });
    } finally {
      store.close();
    }
  });
});
