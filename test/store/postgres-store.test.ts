import { createServer, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { toSpaceId } from '../../core/index.js';
import { PgSyncClient, PostgresStore, SecretBox } from '../../controller/store/index.js';
import { runStoreContract } from '../../controller/store/testing/store-contract.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

// The store contract against a real PostgreSQL (scripts/ensure-postgres.sh): a database for the
// file, emptied before each test (a new database per test costs seconds on a busy machine).
let fileDb: TestDatabase | undefined;
afterAll(() => fileDb?.drop());

/** This file's database, empty. */
function emptyDatabase(): string {
  fileDb ??= createTestDatabase('store');
  fileDb.reset();
  return fileDb.url;
}

runStoreContract('postgres', () => ({ store: new PostgresStore({ url: emptyDatabase(), secrets: SecretBox.ephemeral(), timeoutMs: 10_000 }) }));

/** `fn` on this file's database, emptied first. */
function withDatabase(fn: (url: string) => void): () => void {
  return () => fn(emptyDatabase());
}

describe('the PostgreSQL store beyond the contract', () => {
  it('keeps data across reopen, migrates once, and never writes a secret or token in clear', withDatabase((url) => {
    const secrets = SecretBox.ephemeral();
    const a = new PostgresStore({ url, secrets, timeoutMs: 10_000 });
    a.createUser('alice', 'admin');
    a.addToken('alice', { displayName: 'x', role: 'write', plaintext: 'sp_plaintext_token_value' });
    const s = a.createSpace({ id: toSpaceId('alice', 'demo'), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
    a.upsertSetting(s.uid, 'secret', { key: 'K', value: 'very-secret-value' });
    a.close();
    const b = new PostgresStore({ url, secrets, timeoutMs: 10_000 });
    try {
      expect(b.getSpace(toSpaceId('alice', 'demo'))?.uid).toBe(s.uid);
      expect(b.listSettings(s.uid, 'secret')).toMatchObject([{ key: 'K', value: 'very-secret-value' }]);
      expect(b.findToken('sp_plaintext_token_value')?.user.name).toBe('alice');
    } finally {
      b.close();
    }
    const raw = new PgSyncClient({ url, timeoutMs: 10_000 });
    try {
      // Each migration once, across the reopen.
      expect(raw.query('SELECT name FROM schema_migrations ORDER BY name').rows.map((r) => r.name)).toEqual(['001-initial.sql', '002-spaces-by-visibility.sql', '003-leadership.sql']);
      const dump = JSON.stringify([raw.query('SELECT * FROM space_settings').rows, raw.query('SELECT * FROM tokens').rows]);
      expect(dump).not.toContain('very-secret-value');
      expect(dump).not.toContain('sp_plaintext_token_value');
    } finally {
      raw.close();
    }
  }));

  it('two controllers on one database: a name taken by one is taken for the other, ignoring case; a status write at a stale version loses', withDatabase((url) => {
    const a = new PostgresStore({ url, secrets: SecretBox.ephemeral(), timeoutMs: 10_000 });
    const b = new PostgresStore({ url, secrets: SecretBox.ephemeral(), timeoutMs: 10_000 });
    try {
      const s = a.createSpace({ id: toSpaceId('alice', 'demo'), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
      expect(() => b.createSpace({ id: toSpaceId('ALICE', 'Demo'), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' })).toThrow(/already/);
      a.createUser('bob', 'user');
      expect(() => b.createOrg('BOB')).toThrow(expect.objectContaining({ code: 'NameTaken' }));
      const readByA = a.getSpaceByUid(s.uid)!;
      const readByB = b.getSpaceByUid(s.uid)!;
      expect(b.updateStatus(s.uid, readByB.version, { asleepSince: 1_000 })).toMatchObject({ asleepSince: 1_000 });
      expect(a.updateStatus(s.uid, readByA.version, { asleepSince: undefined })).toBe('conflict');
      expect(a.getSpaceByUid(s.uid)?.asleepSince).toBe(1_000);
    } finally {
      a.close();
      b.close();
    }
  }));

  it('a store call blocked past its deadline throws DatabaseUnavailable (503), rolls back, and the next call works', withDatabase((url) => {
    new PostgresStore({ url, secrets: SecretBox.ephemeral(), timeoutMs: 10_000 }).close(); // migrated with time to spare
    const store = new PostgresStore({ url, secrets: SecretBox.ephemeral(), timeoutMs: 500 });
    const other = new PgSyncClient({ url, timeoutMs: 10_000 });
    try {
      const s = store.createSpace({ id: toSpaceId('alice', 'demo'), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
      // Another connection (another controller, a migration, an operator's psql) holds the Space's row.
      other.query('BEGIN');
      other.query('SELECT 1 FROM spaces WHERE uid = $1 FOR UPDATE', [s.uid]);
      expect(() => store.updateSpec(s.uid, { hardware: 'cpu-upgrade' })).toThrow(expect.objectContaining({ code: 'DatabaseUnavailable', status: 503 }));
      expect(() => store.setLike(s.uid, 'nobody', true)).toThrow(expect.objectContaining({ code: 'DatabaseUnavailable' }));
      other.query('ROLLBACK');
      // A new connection: the abandoned write and transaction were not applied.
      expect(store.getSpaceByUid(s.uid)).toMatchObject({ hardware: 'cpu-basic', likes: 0, version: s.version });
      expect(store.updateSpec(s.uid, { hardware: 'cpu-upgrade' }).hardware).toBe('cpu-upgrade');
    } finally {
      other.close();
      store.close();
    }
  }));

  it('past its own deadline the caller stops waiting even when the server does not cancel, and the next call gets a fresh connection', withDatabase((url) => {
    const client = new PgSyncClient({ url, timeoutMs: 500 });
    try {
      const first = client.one('SELECT pg_backend_pid() AS pid')!.pid;
      client.query('SET statement_timeout = 0'); // as if the server never answered
      expect(() => client.query('SELECT pg_sleep(30)')).toThrow(expect.objectContaining({ code: 'DatabaseUnavailable', status: 503 }));
      const second = client.one('SELECT pg_backend_pid() AS pid, current_setting(\'statement_timeout\') AS t')!;
      expect(second.pid).not.toBe(first);
      expect(second.t).toBe('400ms');
    } finally {
      client.close();
    }
  }));

  it('a server that accepts the connection and never answers is DatabaseUnavailable (503) at the deadline, not a hang', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      expect(() => new PostgresStore({ url: `postgres://spaceport@127.0.0.1:${port}/spaceport`, secrets: SecretBox.ephemeral(), timeoutMs: 500 })).toThrow(
        expect.objectContaining({ code: 'DatabaseUnavailable', status: 503 }),
      );
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('an unreachable database is DatabaseUnavailable, naming neither the URL nor its password', () => {
    const url = 'postgres://spaceport:hunter2-password@%2Fnonexistent-spaceport-socket-dir/spaceport';
    let caught: unknown;
    try {
      new PostgresStore({ url, secrets: SecretBox.ephemeral(), timeoutMs: 2_000 }).close();
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'DatabaseUnavailable', status: 503 });
    expect(String((caught as Error).message)).not.toMatch(/hunter2|nonexistent/);
  });
});
