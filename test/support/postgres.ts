import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PgSyncClient } from '../../controller/store/index.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

let server: string | undefined;

/**
 * The test PostgreSQL server's URL (its `postgres` database): SPACEPORT_TEST_DATABASE_URL when set
 * (`make test` starts one with scripts/ensure-postgres.sh and stops it after), else the script is
 * run here (it installs, creates and starts the throwaway cluster if needed). No PostgreSQL is a
 * failure, never a skip.
 */
export function testPostgresUrl(): string {
  server ??= process.env.SPACEPORT_TEST_DATABASE_URL || execFileSync('bash', [path.join(ROOT, 'scripts/ensure-postgres.sh'), 'start'], { encoding: 'utf8' }).trim();
  return server;
}

/** `url` with another database name. */
function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface TestDatabase {
  /** A URL to a database of its own, empty. */
  url: string;
  /** Empty it again (a new `public` schema): cheaper than a new database for each test. */
  reset(): void;
  /** Drop it (connections still open to it are closed by the server). */
  drop(): void;
}

/** A fresh database on the test server, named after `label`, dropped by `drop()`. */
export function createTestDatabase(label: string): TestDatabase {
  const name = `t_${label.replace(/[^a-z0-9]+/gi, '_').toLowerCase().slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const admin = testPostgresUrl();
  const client = new PgSyncClient({ url: admin, timeoutMs: 30_000 });
  try {
    client.query(`CREATE DATABASE ${name}`);
  } finally {
    client.close();
  }
  const url = withDatabase(admin, name);
  return {
    url,
    reset: () => {
      const c = new PgSyncClient({ url, timeoutMs: 30_000 });
      try {
        c.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      } finally {
        c.close();
      }
    },
    drop: () => {
      const c = new PgSyncClient({ url: admin, timeoutMs: 30_000 });
      try {
        c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        c.close();
      }
    },
  };
}
