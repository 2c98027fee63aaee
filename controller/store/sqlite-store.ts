import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpaceportError, baseSubdomain, fail, collisionSubdomain, newId, type SpaceId } from '../../core/index.js';
import type { SpaceRecord } from './records.js';
import { nowIso, toSpace, type Row } from './rows.js';
import type { SecretBox } from './secret-box.js';
import { PartStores } from './part-stores.js';
import type { NewSpace, SpaceStore, SpecPatch, StatusConflict, StatusPatch } from './space-store.js';
import { SqliteAccountStore } from './sqlite-account-store.js';
import { SqliteBuildStore } from './sqlite-build-store.js';
import { SqliteWebStore } from './sqlite-web-store.js';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Numbered SQL files in migrations/, applied once each, in order, inside a transaction. */
function migrate(db: Database.Database, dir: string): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const done = new Set(db.prepare('SELECT name FROM schema_migrations').all().map((r) => (r as Row).name as string));
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    if (done.has(file)) continue;
    db.transaction(() => {
      db.exec(readFileSync(path.join(dir, file), 'utf8'));
      db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(file, nowIso());
    })();
  }
}

/** Columns of the spec (SpaceService's) and of the status (written with a version condition). */
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

export interface SqliteStoreOptions {
  /** A file path, or ':memory:'. */
  file: string;
  secrets: SecretBox;
}

/** The SQLite store: one database and connection; users, builds and the web's tables in their own classes. */
export class SqliteStore extends PartStores implements SpaceStore {
  readonly #db: Database.Database;

  constructor(opts: SqliteStoreOptions) {
    const db = new Database(opts.file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, MIGRATIONS_DIR);
    super(new SqliteAccountStore(db), new SqliteBuildStore(db, opts.secrets), new SqliteWebStore(db));
    this.#db = db;
  }

  close(): void {
    this.#db.close();
  }

  // ---- spaces

  #freeSubdomain(id: SpaceId, exceptUid?: string): string {
    const taken = (sub: string): boolean => {
      const r = this.#db.prepare('SELECT uid FROM spaces WHERE subdomain = ?').get(sub) as Row | undefined;
      return r !== undefined && r.uid !== exceptUid;
    };
    const base = baseSubdomain(id);
    if (!taken(base)) return base;
    const alt = collisionSubdomain(id);
    if (!taken(alt)) return alt;
    throw fail('subdomainsExhausted', { space: id });
  }

  createSpace(space: NewSpace): SpaceRecord {
    const { owner, name } = { owner: space.id.split('/')[0]!, name: space.id.split('/')[1]! };
    return this.#db.transaction(() => {
      const existing = this.#db.prepare('SELECT uid FROM spaces WHERE lower(id) = lower(?)').get(space.id);
      if (existing) throw fail('spaceExists', { space: space.id });
      const uid = newId('sp');
      const now = nowIso();
      this.#db
        .prepare(
          `INSERT INTO spaces (uid, id, owner, name, subdomain, sdk, visibility, hardware, sleep_seconds,
             upstream_url, upstream_branch, webhook_secret, storage_tier, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          uid,
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
        );
      return this.getSpaceByUid(uid)!;
    })();
  }

  getSpace(id: SpaceId): SpaceRecord | undefined {
    const r = this.#db.prepare('SELECT * FROM spaces WHERE id = ?').get(id) as Row | undefined;
    return r && toSpace(r);
  }

  getSpaceByUid(uid: string): SpaceRecord | undefined {
    const r = this.#db.prepare('SELECT * FROM spaces WHERE uid = ?').get(uid) as Row | undefined;
    return r && toSpace(r);
  }

  getSpaceBySubdomain(subdomain: string): SpaceRecord | undefined {
    const r = this.#db.prepare('SELECT * FROM spaces WHERE subdomain = ?').get(subdomain) as Row | undefined;
    return r && toSpace(r);
  }

  listSpaces(filter?: { owner?: string }): SpaceRecord[] {
    const rows = filter?.owner
      ? this.#db.prepare('SELECT * FROM spaces WHERE owner = ? ORDER BY id').all(filter.owner)
      : this.#db.prepare('SELECT * FROM spaces ORDER BY id').all();
    return (rows as Row[]).map((r) => toSpace(r));
  }

  *iterateSpaces(filter: { owner?: string; search?: string } = {}): Iterable<SpaceRecord> {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.owner !== undefined) {
      where.push('owner = ?');
      args.push(filter.owner);
    }
    if (filter.search) {
      where.push('instr(lower(id), ?) > 0');
      args.push(filter.search.toLowerCase());
    }
    const sql = `SELECT * FROM spaces${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    for (const row of this.#db.prepare(sql).iterate(...args)) yield toSpace(row as Row);
  }

  updateSpec(uid: string, patch: SpecPatch): SpaceRecord {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [key, value] of Object.entries(patch) as [keyof SpecPatch, unknown][]) {
      if (key === 'upstream') {
        const up = value as SpaceRecord['upstream'];
        sets.push('upstream_url = ?', 'upstream_branch = ?');
        values.push(up?.url ?? null, up?.branch ?? null);
        continue;
      }
      // A visibility change starts a new generation: grants and cookies of the old one open nothing.
      if (key === 'visibility') {
        sets.push('visibility_gen = visibility_gen + (visibility IS NOT ?)');
        values.push(value);
      }
      sets.push(`${SPEC_COLUMNS[key]} = ?`);
      values.push(sqlValue(key, value));
    }
    if (sets.length > 0) {
      sets.push('version = version + 1', 'updated_at = ?');
      values.push(nowIso(), uid);
      const info = this.#db.prepare(`UPDATE spaces SET ${sets.join(', ')} WHERE uid = ?`).run(...values);
      if (info.changes === 0) throw new SpaceportError('RepoNotFound');
    }
    return this.#existing(uid);
  }

  updateStatus(uid: string, readVersion: number, patch: StatusPatch): SpaceRecord | StatusConflict {
    const sets = ['version = version + 1'];
    const values: unknown[] = [];
    for (const [key, value] of Object.entries(patch) as [keyof StatusPatch, unknown][]) {
      // A new head is a commit: the Hub's lastModified moves with it, and with nothing else here.
      if (key === 'headSha') {
        sets.push('updated_at = CASE WHEN head_sha IS ? THEN updated_at ELSE ? END');
        values.push(value ?? null, nowIso());
      }
      sets.push(`${STATUS_COLUMNS[key]} = ?`);
      values.push(sqlValue(key, value));
    }
    const info = this.#db.prepare(`UPDATE spaces SET ${sets.join(', ')} WHERE uid = ? AND version = ?`).run(...values, uid, readVersion);
    const space = this.#existing(uid);
    return info.changes === 0 ? 'conflict' : space;
  }

  recordActivity(uid: string, at: number): void {
    this.#db.prepare('UPDATE spaces SET last_active_at = ? WHERE uid = ? AND (last_active_at IS NULL OR last_active_at < ?)').run(at, uid, at);
  }

  #existing(uid: string): SpaceRecord {
    const space = this.getSpaceByUid(uid);
    if (!space) throw new SpaceportError('RepoNotFound');
    return space;
  }

  moveSpace(uid: string, to: SpaceId): SpaceRecord {
    return this.#db.transaction(() => {
      const clash = this.#db.prepare('SELECT uid FROM spaces WHERE lower(id) = lower(?) AND uid != ?').get(to, uid);
      if (clash) throw fail('spaceNameTaken', { space: to });
      const [owner, name] = to.split('/');
      this.#db
        .prepare('UPDATE spaces SET id = ?, owner = ?, name = ?, subdomain = ?, version = version + 1, updated_at = ? WHERE uid = ?')
        .run(to, owner, name, this.#freeSubdomain(to, uid), nowIso(), uid);
      const space = this.getSpaceByUid(uid);
      if (!space) throw new SpaceportError('RepoNotFound');
      return space;
    })();
  }

  deleteSpace(uid: string): void {
    this.#db.prepare('DELETE FROM spaces WHERE uid = ?').run(uid);
  }
}
