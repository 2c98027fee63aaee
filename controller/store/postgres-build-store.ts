import { fail, newBuildId, newReleaseId, type BuildId, type ReleaseId } from '../../core/index.js';
import { assertBuildTransition } from './build-transitions.js';
import type { PgSyncClient } from './pg-sync-client.js';
import type { BuildRecord, BuildState, ReleaseRecord, SettingKind, SettingRecord } from './records.js';
import { nowIso, str, toBuild, toRelease } from './rows.js';
import type { SecretBox } from './secret-box.js';
import type { BuildStore, NewBuild, NewRelease } from './space-store.js';

/** The BuildStore part of PostgresStore (the same statements as sqlite-build-store.ts, in PostgreSQL's dialect). */
export class PostgresBuildStore implements BuildStore {
  readonly #db: PgSyncClient;
  readonly #box: SecretBox;

  constructor(db: PgSyncClient, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  addBuild(build: NewBuild): BuildRecord {
    const r = this.#db.one(
      `INSERT INTO builds (id, space_uid, commit_sha, tree_sha, no_cache, status, created_at)
       VALUES ($1, $2, $3, $4, $5, 'queued', $6) RETURNING *`,
      [newBuildId(), build.spaceUid, build.commit, build.tree, build.noCache ? 1 : 0, nowIso()],
    );
    return toBuild(r!);
  }

  getBuild(id: BuildId): BuildRecord | undefined {
    const r = this.#db.one('SELECT * FROM builds WHERE id = $1', [id]);
    return r && toBuild(r);
  }

  /** Read, check against the transition table, write: one transaction with the build's row locked. */
  setBuildState(id: BuildId, state: BuildState): BuildRecord {
    return this.#db.transaction(() => {
      const row = this.#db.one('SELECT * FROM builds WHERE id = $1 FOR UPDATE', [id]);
      if (!row) throw fail('buildNotFound', { build: id });
      assertBuildTransition(toBuild(row).status, state.status);
      const finished = state.status === 'succeeded' || state.status === 'failed' ? nowIso() : null;
      const r = this.#db.one('UPDATE builds SET status = $1, failure = $2, message = $3, image = $4, finished_at = $5 WHERE id = $6 RETURNING *', [
        state.status,
        state.status === 'failed' ? state.failure : null,
        state.status === 'failed' ? state.message : null,
        state.status === 'succeeded' ? state.image : null,
        finished,
        id,
      ]);
      return toBuild(r!);
    });
  }

  latestBuild(spaceUid: string): BuildRecord | undefined {
    const r = this.#db.one('SELECT * FROM builds WHERE space_uid = $1 ORDER BY created_at DESC, seq DESC LIMIT 1', [spaceUid]);
    return r && toBuild(r);
  }

  listBuilds(spaceUid: string, limit = 20): BuildRecord[] {
    return this.#db.query('SELECT * FROM builds WHERE space_uid = $1 ORDER BY created_at DESC, seq DESC LIMIT $2', [spaceUid, limit]).rows.map(toBuild);
  }

  unfinishedBuilds(): BuildRecord[] {
    return this.#db.query("SELECT * FROM builds WHERE status IN ('queued', 'running') ORDER BY created_at, seq").rows.map(toBuild);
  }

  addRelease(release: NewRelease): ReleaseRecord {
    const r = this.#db.one(
      `INSERT INTO releases (id, space_uid, build_id, commit_sha, image, port, config, hardware, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [
        newReleaseId(),
        release.spaceUid,
        release.buildId,
        release.commit,
        release.image,
        release.port,
        JSON.stringify(release.config),
        release.hardware ?? null,
        nowIso(),
      ],
    );
    return toRelease(r!);
  }

  getRelease(id: ReleaseId): ReleaseRecord | undefined {
    const r = this.#db.one('SELECT * FROM releases WHERE id = $1', [id]);
    return r && toRelease(r);
  }

  setReleaseFailure(id: ReleaseId, failure: string | undefined): void {
    this.#db.query('UPDATE releases SET failure = $1 WHERE id = $2', [failure ?? null, id]);
  }

  listSettings(spaceUid: string, kind: SettingKind): SettingRecord[] {
    return this.#db.query('SELECT * FROM space_settings WHERE space_uid = $1 AND kind = $2 ORDER BY key', [spaceUid, kind]).rows.map((r) => ({
      key: String(r.key),
      value: kind === 'secret' ? this.#box.open(String(r.value)) : String(r.value),
      description: str(r.description),
      updatedAt: String(r.updated_at),
    }));
  }

  upsertSetting(spaceUid: string, kind: SettingKind, s: { key: string; value: string; description?: string }): void {
    const value = kind === 'secret' ? this.#box.seal(s.value) : s.value;
    this.#db.query(
      `INSERT INTO space_settings (space_uid, kind, key, value, description, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (space_uid, kind, key) DO UPDATE SET value = excluded.value,
         description = COALESCE(excluded.description, space_settings.description), updated_at = excluded.updated_at`,
      [spaceUid, kind, s.key, value, s.description ?? null, nowIso()],
    );
  }

  deleteSetting(spaceUid: string, kind: SettingKind, key: string): void {
    this.#db.query('DELETE FROM space_settings WHERE space_uid = $1 AND kind = $2 AND key = $3', [spaceUid, kind, key]);
  }
}
