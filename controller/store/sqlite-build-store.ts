import type Database from 'better-sqlite3';
import { fail, newBuildId, newReleaseId, type BuildId, type ReleaseId } from '../../core/index.js';
import { assertBuildTransition } from './build-transitions.js';
import type { BuildRecord, BuildState, ReleaseRecord, SettingKind, SettingRecord } from './records.js';
import { nowIso, str, toBuild, toRelease, type Row } from './rows.js';
import type { SecretBox } from './secret-box.js';
import type { BuildStore, NewBuild, NewRelease } from './space-store.js';

/** Builds, releases, secrets and variables (secret values sealed): the BuildStore part of SqliteStore (same connection). */
export class SqliteBuildStore implements BuildStore {
  readonly #db: Database.Database;
  readonly #box: SecretBox;

  constructor(db: Database.Database, box: SecretBox) {
    this.#db = db;
    this.#box = box;
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
    if (!current) throw fail('buildNotFound', { build: id });
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
