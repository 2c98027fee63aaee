import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpaceportError, baseSubdomain, collisionSubdomain, fail, newId, type SpaceId } from '../../core/index.js';
import { PgSyncClient } from './pg-sync-client.js';
import { NAMES_LOCK, PostgresAccountStore } from './postgres-account-store.js';
import { PostgresBuildStore } from './postgres-build-store.js';
import { PostgresWebStore } from './postgres-web-store.js';
import type { SpaceRecord } from './records.js';
import { nowIso, toSpace } from './rows.js';
import type { SecretBox } from './secret-box.js';
import { PartStores } from './part-stores.js';
import type { NewSpace, SpaceStore, SpecPatch, StatusConflict, StatusPatch } from './space-store.js';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations', 'postgres');
/** Held while migrating: two controllers starting at once migrate one after the other. */
const MIGRATIONS_LOCK = 'SELECT pg_advisory_xact_lock(7263000)';

/** Numbered SQL files in migrations/postgres/, applied once each, in order, each in its transaction. */
function migrate(db: PgSyncClient, dir: string): void {
  db.query('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    db.transaction(() => {
      db.query(MIGRATIONS_LOCK);
      if (db.one('SELECT 1 FROM schema_migrations WHERE name = $1', [file])) return;
      db.query(readFileSync(path.join(dir, file), 'utf8'));
      db.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', [file, nowIso()]);
    });
  }
}

const SPEC_COLUMNS: Record<Exclude<keyof SpecPatch, 'upstream'>, string> = {
  visibility: 'visibility',
  paused: 'paused',
  hardware: 'hardware',
  sleepSeconds: 'sleep_seconds',
  webhookSecret: 'webhook_secret',
  storageTier: 'storage_tier',
};
const STATUS_COLUMNS: Record<keyof StatusPatch, string> = {
  sdk: 'sdk',
  cardData: 'card_data',
  headSha: 'head_sha',
  targetRelease: 'target_release',
  servingRelease: 'serving_release',
  asleepSince: 'asleep_since',
};

function sqlValue(key: string, value: unknown): unknown {
  if (key === 'cardData') return value === undefined ? null : JSON.stringify(value);
  if (key === 'paused') return value ? 1 : 0;
  return value ?? null;
}

export interface PostgresStoreOptions {
  /** postgres://… (SPACEPORT_DATABASE_URL; a secret). */
  url: string;
  secrets: SecretBox;
  /** The most one store call may block (SPACEPORT_DATABASE_TIMEOUT_MS); past it, DatabaseUnavailable (503). */
  timeoutMs: number;
}

/**
 * The PostgreSQL store: the same contract as SqliteStore (controller/store/testing/store-contract.ts),
 * behind the same synchronous interface through PgSyncClient (one connection in a worker thread).
 * Every multi-statement operation is a transaction; name checks hold NAMES_LOCK, so two controllers
 * on one database cannot both take a name; `updateStatus` is one conditional UPDATE.
 */
export class PostgresStore extends PartStores implements SpaceStore {
  readonly #db: PgSyncClient;

  constructor(opts: PostgresStoreOptions) {
    const db = new PgSyncClient({ url: opts.url, timeoutMs: opts.timeoutMs });
    try {
      migrate(db, MIGRATIONS_DIR);
    } catch (err) {
      db.close();
      throw err;
    }
    super(new PostgresAccountStore(db), new PostgresBuildStore(db, opts.secrets), new PostgresWebStore(db));
    this.#db = db;
  }

  close(): void {
    this.#db.close();
  }

  // ---- spaces

  #freeSubdomain(id: SpaceId, exceptUid?: string): string {
    const taken = (sub: string): boolean => {
      const r = this.#db.one('SELECT uid FROM spaces WHERE subdomain = $1', [sub]);
      return r !== undefined && r.uid !== exceptUid;
    };
    const base = baseSubdomain(id);
    if (!taken(base)) return base;
    const alt = collisionSubdomain(id);
    if (!taken(alt)) return alt;
    throw fail('subdomainsExhausted', { space: id });
  }

  createSpace(space: NewSpace): SpaceRecord {
    const [owner, name] = space.id.split('/') as [string, string];
    return this.#db.transaction(() => {
      this.#db.query(NAMES_LOCK);
      if (this.#db.one('SELECT uid FROM spaces WHERE lower(id) = lower($1::text)', [space.id])) throw fail('spaceExists', { space: space.id });
      const now = nowIso();
      const r = this.#db.one(
        `INSERT INTO spaces (uid, id, owner, name, subdomain, sdk, visibility, hardware, sleep_seconds,
           upstream_url, upstream_branch, webhook_secret, storage_tier, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING *`,
        [
          newId('sp'),
          space.id,
          owner,
          name,
          this.#freeSubdomain(space.id),
          space.sdk,
          space.visibility,
          space.hardware,
          space.sleepSeconds ?? null,
          space.upstream?.url ?? null,
          space.upstream?.branch ?? null,
          space.webhookSecret ?? null,
          space.storageTier ?? null,
          now,
          now,
        ],
      );
      return toSpace(r!);
    });
  }

  getSpace(id: SpaceId): SpaceRecord | undefined {
    const r = this.#db.one('SELECT * FROM spaces WHERE id = $1', [id]);
    return r && toSpace(r);
  }

  getSpaceByUid(uid: string): SpaceRecord | undefined {
    const r = this.#db.one('SELECT * FROM spaces WHERE uid = $1', [uid]);
    return r && toSpace(r);
  }

  getSpaceBySubdomain(subdomain: string): SpaceRecord | undefined {
    const r = this.#db.one('SELECT * FROM spaces WHERE subdomain = $1', [subdomain]);
    return r && toSpace(r);
  }

  listSpaces(filter?: { owner?: string }): SpaceRecord[] {
    const { rows } = filter?.owner
      ? this.#db.query('SELECT * FROM spaces WHERE owner = $1 ORDER BY id', [filter.owner])
      : this.#db.query('SELECT * FROM spaces ORDER BY id');
    return rows.map(toSpace);
  }

  /** Pages of 100 rows by id (keyset), so stopping early reads about one page, as SQLite's cursor does. */
  *iterateSpaces(filter: { owner?: string; search?: string } = {}): Iterable<SpaceRecord> {
    const PAGE = 100;
    let after: string | undefined;
    for (;;) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (filter.owner !== undefined) where.push(`owner = $${args.push(filter.owner)}`);
      if (filter.search) where.push(`strpos(lower(id), $${args.push(filter.search.toLowerCase())}::text) > 0`);
      if (after !== undefined) where.push(`id > $${args.push(after)}`);
      const sql = `SELECT * FROM spaces${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ${PAGE}`;
      const { rows } = this.#db.query(sql, args);
      for (const row of rows) yield toSpace(row);
      if (rows.length < PAGE) return;
      after = String(rows[rows.length - 1]!.id);
    }
  }

  updateSpec(uid: string, patch: SpecPatch): SpaceRecord {
    const sets: string[] = [];
    const values: unknown[] = [];
    const param = (value: unknown): string => `$${values.push(value)}`;
    for (const [key, value] of Object.entries(patch) as [keyof SpecPatch, unknown][]) {
      if (key === 'upstream') {
        const up = value as SpaceRecord['upstream'];
        sets.push(`upstream_url = ${param(up?.url ?? null)}`, `upstream_branch = ${param(up?.branch ?? null)}`);
        continue;
      }
      // A visibility change starts a new generation: grants and cookies of the old one open nothing.
      if (key === 'visibility') sets.push(`visibility_gen = visibility_gen + CASE WHEN visibility IS DISTINCT FROM ${param(value)}::text THEN 1 ELSE 0 END`);
      sets.push(`${SPEC_COLUMNS[key]} = ${param(sqlValue(key, value))}`);
    }
    if (sets.length === 0) return this.#existing(uid);
    sets.push('version = version + 1', `updated_at = ${param(nowIso())}`);
    const r = this.#db.one(`UPDATE spaces SET ${sets.join(', ')} WHERE uid = ${param(uid)} RETURNING *`, values);
    if (!r) throw new SpaceportError('RepoNotFound');
    return toSpace(r);
  }

  /** One conditional UPDATE: PostgreSQL re-checks `version` on the row it locks, so two writers at one version cannot both win. */
  updateStatus(uid: string, readVersion: number, patch: StatusPatch): SpaceRecord | StatusConflict {
    const sets = ['version = version + 1'];
    const values: unknown[] = [];
    const param = (value: unknown): string => `$${values.push(value)}`;
    for (const [key, value] of Object.entries(patch) as [keyof StatusPatch, unknown][]) {
      // A new head is a commit: the Hub's lastModified moves with it, and with nothing else here.
      if (key === 'headSha') sets.push(`updated_at = CASE WHEN head_sha IS NOT DISTINCT FROM ${param(value ?? null)}::text THEN updated_at ELSE ${param(nowIso())} END`);
      sets.push(`${STATUS_COLUMNS[key]} = ${param(sqlValue(key, value))}`);
    }
    const r = this.#db.one(`UPDATE spaces SET ${sets.join(', ')} WHERE uid = ${param(uid)} AND version = ${param(readVersion)} RETURNING *`, values);
    if (r) return toSpace(r);
    this.#existing(uid);
    return 'conflict';
  }

  recordActivity(uid: string, at: number): void {
    this.#db.query('UPDATE spaces SET last_active_at = $2 WHERE uid = $1 AND (last_active_at IS NULL OR last_active_at < $2)', [uid, at]);
  }

  #existing(uid: string): SpaceRecord {
    const space = this.getSpaceByUid(uid);
    if (!space) throw new SpaceportError('RepoNotFound');
    return space;
  }

  moveSpace(uid: string, to: SpaceId): SpaceRecord {
    return this.#db.transaction(() => {
      this.#db.query(NAMES_LOCK);
      if (this.#db.one('SELECT uid FROM spaces WHERE lower(id) = lower($1::text) AND uid != $2', [to, uid])) throw fail('spaceNameTaken', { space: to });
      const [owner, name] = to.split('/');
      const r = this.#db.one(
        'UPDATE spaces SET id = $1, owner = $2, name = $3, subdomain = $4, version = version + 1, updated_at = $5 WHERE uid = $6 RETURNING *',
        [to, owner, name, this.#freeSubdomain(to, uid), nowIso(), uid],
      );
      if (!r) throw new SpaceportError('RepoNotFound');
      return toSpace(r);
    });
  }

  deleteSpace(uid: string): void {
    this.#db.query('DELETE FROM spaces WHERE uid = $1', [uid]);
  }
}
