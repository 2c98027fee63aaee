import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SpaceportError,
  baseSubdomain,
  collisionSubdomain,
  newBuildId,
  newId,
  newReleaseId,
  type BuildId,
  type ReleaseId,
  type SpaceId,
} from '../../core/index.js';
import { assertBuildTransition } from './build-transitions.js';
import type {
  BuildRecord,
  BuildState,
  OrgMembership,
  OrgRecord,
  OrgRole,
  ReleaseRecord,
  SettingKind,
  SettingRecord,
  SpaceRecord,
  TokenRecord,
  TokenRole,
  UserRecord,
  UserRole,
} from './records.js';
import { str, toBuild, toRelease, toSpace, type Row } from './rows.js';
import { SecretBox, hashToken } from './secret-box.js';
import type { NewBuild, NewRelease, NewSpace, SpacePatch, SpaceStore } from './space-store.js';
import { SqliteWebStore } from './sqlite-web-store.js';
import type { SpaceQuery, WebSessionRecord } from './web-store.js';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

const nowIso = (): string => new Date().toISOString();

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

const SPACE_COLUMNS: Record<keyof SpacePatch, string> = {
  sdk: 'sdk',
  visibility: 'visibility',
  lifecycle: 'lifecycle',
  hardware: 'hardware',
  sleepSeconds: 'sleep_seconds',
  upstream: 'upstream',
  webhookSecret: 'webhook_secret',
  storageTier: 'storage_tier',
  cardData: 'card_data',
  headSha: 'head_sha',
  targetRelease: 'target_release',
  servingRelease: 'serving_release',
  lastActiveAt: 'last_active_at',
};

function toMembership(r: Row): OrgMembership {
  return { org: String(r.org_name), user: String(r.user_name), role: r.role as OrgRole, createdAt: String(r.created_at) };
}

export interface SqliteStoreOptions {
  /** A file path, or ':memory:'. */
  file: string;
  secrets: SecretBox;
}

export class SqliteStore implements SpaceStore {
  readonly #db: Database.Database;
  readonly #box: SecretBox;

  constructor(opts: SqliteStoreOptions) {
    this.#db = new Database(opts.file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    this.#box = opts.secrets;
    migrate(this.#db, MIGRATIONS_DIR);
    this.#web = new SqliteWebStore(this.#db);
  }

  // ---- sign-in for people and the gallery (sqlite-web-store.ts)
  readonly #web: SqliteWebStore;
  setPasswordHash = (user: string, hash: string | undefined) => this.#web.setPasswordHash(user, hash);
  getPasswordHash = (user: string) => this.#web.getPasswordHash(user);
  findUserByOidcSubject = (subject: string) => this.#web.findUserByOidcSubject(subject);
  linkOidcSubject = (user: string, subject: string) => this.#web.linkOidcSubject(user, subject);
  createWebSession = (idHash: string, s: WebSessionRecord) => this.#web.createWebSession(idHash, s);
  getWebSession = (idHash: string, now: number) => this.#web.getWebSession(idHash, now);
  deleteWebSession = (idHash: string) => this.#web.deleteWebSession(idHash);
  querySpaces = (q: SpaceQuery) => this.#web.querySpaces(q);

  close(): void {
    this.#db.close();
  }

  // ---- users and tokens

  createUser(name: string, role: UserRole): UserRecord {
    const user = { name, role, createdAt: nowIso() };
    if (this.getOrg(name)) throw new SpaceportError('NameTaken', `"${name}" is already the name of an organization.`);
    try {
      this.#db.prepare('INSERT INTO users (name, role, created_at) VALUES (?, ?, ?)').run(name, role, user.createdAt);
    } catch (err) {
      if (String(err).includes('UNIQUE')) throw new SpaceportError('UserExists', `User "${name}" already exists.`);
      throw err;
    }
    return user;
  }

  getUser(name: string): UserRecord | undefined {
    const r = this.#db.prepare('SELECT * FROM users WHERE name = ?').get(name) as Row | undefined;
    return r && { name: String(r.name), role: r.role as UserRole, createdAt: String(r.created_at) };
  }

  listUsers(): UserRecord[] {
    return (this.#db.prepare('SELECT * FROM users ORDER BY name').all() as Row[]).map((r) => ({
      name: String(r.name),
      role: r.role as UserRole,
      createdAt: String(r.created_at),
    }));
  }

  addToken(user: string, token: { displayName: string; role: TokenRole; plaintext: string }): TokenRecord {
    const rec: TokenRecord = { id: newId('tok'), user, displayName: token.displayName, role: token.role, createdAt: nowIso() };
    this.#db
      .prepare('INSERT INTO tokens (id, user_name, display_name, role, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(rec.id, user, rec.displayName, rec.role, hashToken(token.plaintext), rec.createdAt);
    return rec;
  }

  findToken(plaintext: string): { token: TokenRecord; user: UserRecord } | undefined {
    const r = this.#db
      .prepare(
        `SELECT t.*, u.role AS user_role, u.created_at AS user_created_at
         FROM tokens t JOIN users u ON u.name = t.user_name WHERE t.hash = ?`,
      )
      .get(hashToken(plaintext)) as Row | undefined;
    if (!r) return undefined;
    return {
      token: {
        id: String(r.id),
        user: String(r.user_name),
        displayName: String(r.display_name),
        role: r.role as TokenRole,
        createdAt: String(r.created_at),
      },
      user: { name: String(r.user_name), role: r.user_role as UserRole, createdAt: String(r.user_created_at) },
    };
  }

  countTokens(): number {
    return Number((this.#db.prepare('SELECT COUNT(*) AS n FROM tokens').get() as Row).n);
  }

  listTokens(user: string): TokenRecord[] {
    return (this.#db.prepare('SELECT * FROM tokens WHERE user_name = ? ORDER BY created_at, rowid').all(user) as Row[]).map((r) => ({
      id: String(r.id),
      user: String(r.user_name),
      displayName: String(r.display_name),
      role: r.role as TokenRole,
      createdAt: String(r.created_at),
    }));
  }

  deleteToken(user: string, id: string): boolean {
    return this.#db.prepare('DELETE FROM tokens WHERE user_name = ? AND id = ?').run(user, id).changes > 0;
  }

  // ---- organizations

  createOrg(name: string, fullname?: string): OrgRecord {
    const org = { name, fullname: fullname ?? name, createdAt: nowIso() };
    return this.#db.transaction(() => {
      if (this.getUser(name)) throw new SpaceportError('NameTaken', `"${name}" is already the name of a user.`);
      if (this.getOrg(name)) throw new SpaceportError('NameTaken', `Organization "${name}" already exists.`);
      this.#db.prepare('INSERT INTO organizations (name, fullname, created_at) VALUES (?, ?, ?)').run(org.name, org.fullname, org.createdAt);
      return org;
    })();
  }

  getOrg(name: string): OrgRecord | undefined {
    const r = this.#db.prepare('SELECT * FROM organizations WHERE name = ?').get(name) as Row | undefined;
    return r && { name: String(r.name), fullname: String(r.fullname), createdAt: String(r.created_at) };
  }

  listOrgs(): OrgRecord[] {
    return (this.#db.prepare('SELECT * FROM organizations ORDER BY name').all() as Row[]).map((r) => ({
      name: String(r.name),
      fullname: String(r.fullname),
      createdAt: String(r.created_at),
    }));
  }

  deleteOrg(name: string): void {
    this.#db.prepare('DELETE FROM organizations WHERE name = ?').run(name);
  }

  setMember(org: string, user: string, role: OrgRole): OrgMembership {
    if (!this.getOrg(org)) throw new SpaceportError('OrgNotFound', `Organization "${org}" does not exist.`);
    if (!this.getUser(user)) throw new SpaceportError('UserNotFound', `User "${user}" does not exist.`);
    const createdAt = nowIso();
    this.#db
      .prepare(
        `INSERT INTO org_members (org_name, user_name, role, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (org_name, user_name) DO UPDATE SET role = excluded.role`,
      )
      .run(org, user, role, createdAt);
    return this.membershipsOf(user).find((m) => m.org === org)!;
  }

  removeMember(org: string, user: string): boolean {
    return this.#db.prepare('DELETE FROM org_members WHERE org_name = ? AND user_name = ?').run(org, user).changes > 0;
  }

  listMembers(org: string): OrgMembership[] {
    return (this.#db.prepare('SELECT * FROM org_members WHERE org_name = ? ORDER BY user_name').all(org) as Row[]).map(toMembership);
  }

  membershipsOf(user: string): OrgMembership[] {
    return (this.#db.prepare('SELECT * FROM org_members WHERE user_name = ? ORDER BY org_name').all(user) as Row[]).map(toMembership);
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
    throw new SpaceportError('RepoExists', `No free subdomain for ${id}.`);
  }

  createSpace(space: NewSpace): SpaceRecord {
    const { owner, name } = { owner: space.id.split('/')[0]!, name: space.id.split('/')[1]! };
    return this.#db.transaction(() => {
      const existing = this.#db.prepare('SELECT uid FROM spaces WHERE lower(id) = lower(?)').get(space.id);
      if (existing) throw new SpaceportError('RepoExists', `You already created this space repo: ${space.id}.`);
      const uid = newId('sp');
      const now = nowIso();
      this.#db
        .prepare(
          `INSERT INTO spaces (uid, id, owner, name, subdomain, sdk, visibility, lifecycle, hardware, sleep_seconds,
             upstream_url, upstream_branch, webhook_secret, storage_tier, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?)`,
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

  updateSpace(uid: string, patch: SpacePatch): SpaceRecord {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [key, value] of Object.entries(patch) as [keyof SpacePatch, unknown][]) {
      if (key === 'upstream') {
        const up = value as SpaceRecord['upstream'];
        sets.push('upstream_url = ?', 'upstream_branch = ?');
        values.push(up?.url ?? null, up?.branch ?? null);
        continue;
      }
      sets.push(`${SPACE_COLUMNS[key]} = ?`);
      values.push(key === 'cardData' ? (value === undefined ? null : JSON.stringify(value)) : (value ?? null));
    }
    if (sets.length > 0) {
      sets.push('updated_at = ?');
      values.push(nowIso(), uid);
      const info = this.#db.prepare(`UPDATE spaces SET ${sets.join(', ')} WHERE uid = ?`).run(...values);
      if (info.changes === 0) throw new SpaceportError('RepoNotFound');
    }
    const space = this.getSpaceByUid(uid);
    if (!space) throw new SpaceportError('RepoNotFound');
    return space;
  }

  moveSpace(uid: string, to: SpaceId): SpaceRecord {
    return this.#db.transaction(() => {
      const clash = this.#db.prepare('SELECT uid FROM spaces WHERE lower(id) = lower(?) AND uid != ?').get(to, uid);
      if (clash) throw new SpaceportError('RepoExists', `A Space named ${to} already exists.`);
      const [owner, name] = to.split('/');
      this.#db
        .prepare('UPDATE spaces SET id = ?, owner = ?, name = ?, subdomain = ?, updated_at = ? WHERE uid = ?')
        .run(to, owner, name, this.#freeSubdomain(to, uid), nowIso(), uid);
      const space = this.getSpaceByUid(uid);
      if (!space) throw new SpaceportError('RepoNotFound');
      return space;
    })();
  }

  deleteSpace(uid: string): void {
    this.#db.prepare('DELETE FROM spaces WHERE uid = ?').run(uid);
  }

  // ---- builds


  addBuild(build: NewBuild): BuildRecord {
    const id = newBuildId();
    this.#db
      .prepare(
        `INSERT INTO builds (id, space_uid, commit_sha, tree_sha, no_cache, status, created_at)
         VALUES (?, ?, ?, ?, ?, 'queued', ?)`,
      )
      .run(id, build.spaceUid, build.commit, build.tree, build.noCache ? 1 : 0, nowIso());
    return this.getBuild(id)!;
  }

  getBuild(id: BuildId): BuildRecord | undefined {
    const r = this.#db.prepare('SELECT * FROM builds WHERE id = ?').get(id) as Row | undefined;
    return r && toBuild(r);
  }

  setBuildState(id: BuildId, state: BuildState): BuildRecord {
    const current = this.getBuild(id);
    if (!current) throw new SpaceportError('NotFound', `No build ${id}.`);
    assertBuildTransition(current.status, state.status);
    const finished = state.status === 'succeeded' || state.status === 'failed' ? nowIso() : null;
    this.#db
      .prepare('UPDATE builds SET status = ?, failure = ?, message = ?, image = ?, finished_at = ? WHERE id = ?')
      .run(
        state.status,
        state.status === 'failed' ? state.failure : null,
        state.status === 'failed' ? state.message : null,
        state.status === 'succeeded' ? state.image : null,
        finished,
        id,
      );
    return this.getBuild(id)!;
  }

  latestBuild(spaceUid: string): BuildRecord | undefined {
    const r = this.#db
      .prepare('SELECT * FROM builds WHERE space_uid = ? ORDER BY created_at DESC, rowid DESC LIMIT 1')
      .get(spaceUid) as Row | undefined;
    return r && toBuild(r);
  }

  listBuilds(spaceUid: string, limit = 20): BuildRecord[] {
    return (
      this.#db
        .prepare('SELECT * FROM builds WHERE space_uid = ? ORDER BY created_at DESC, rowid DESC LIMIT ?')
        .all(spaceUid, limit) as Row[]
    ).map((r) => toBuild(r));
  }

  unfinishedBuilds(): BuildRecord[] {
    return (
      this.#db.prepare("SELECT * FROM builds WHERE status IN ('queued', 'running') ORDER BY created_at").all() as Row[]
    ).map((r) => toBuild(r));
  }

  // ---- releases


  addRelease(release: NewRelease): ReleaseRecord {
    const id = newReleaseId();
    this.#db
      .prepare(
        `INSERT INTO releases (id, space_uid, build_id, commit_sha, image, port, config, hardware, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, release.spaceUid, release.buildId, release.commit, release.image, release.port, JSON.stringify(release.config), release.hardware ?? null, nowIso());
    return this.getRelease(id)!;
  }

  getRelease(id: ReleaseId): ReleaseRecord | undefined {
    const r = this.#db.prepare('SELECT * FROM releases WHERE id = ?').get(id) as Row | undefined;
    return r && toRelease(r);
  }

  setReleaseFailure(id: ReleaseId, failure: string | undefined): void {
    this.#db.prepare('UPDATE releases SET failure = ? WHERE id = ?').run(failure ?? null, id);
  }

  // ---- secrets and variables

  listSettings(spaceUid: string, kind: SettingKind): SettingRecord[] {
    return (
      this.#db
        .prepare('SELECT * FROM space_settings WHERE space_uid = ? AND kind = ? ORDER BY key')
        .all(spaceUid, kind) as Row[]
    ).map((r) => ({
      key: String(r.key),
      value: kind === 'secret' ? this.#box.open(String(r.value)) : String(r.value),
      description: str(r.description),
      updatedAt: String(r.updated_at),
    }));
  }

  upsertSetting(spaceUid: string, kind: SettingKind, s: { key: string; value: string; description?: string }): void {
    const value = kind === 'secret' ? this.#box.seal(s.value) : s.value;
    this.#db
      .prepare(
        `INSERT INTO space_settings (space_uid, kind, key, value, description, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (space_uid, kind, key) DO UPDATE SET value = excluded.value,
           description = COALESCE(excluded.description, space_settings.description), updated_at = excluded.updated_at`,
      )
      .run(spaceUid, kind, s.key, value, s.description ?? null, nowIso());
  }

  deleteSetting(spaceUid: string, kind: SettingKind, key: string): void {
    this.#db.prepare('DELETE FROM space_settings WHERE space_uid = ? AND kind = ? AND key = ?').run(spaceUid, kind, key);
  }
}
