import type { PgSyncClient } from './pg-sync-client.js';
import { nowIso, toSpace, type Row } from './rows.js';
import type { LikeRecord, ReadScope, SpacePage, SpaceQuery, SpaceSort, WebSessionRecord, WebStore } from './web-store.js';

/** Seven days ago as the ISO text `created_at` holds, and as milliseconds since the epoch. */
const WEEK_AGO_ISO = `to_char((now() AT TIME ZONE 'UTC') - interval '7 days', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const WEEK_AGO_MS = `(extract(epoch FROM now() - interval '7 days') * 1000)::bigint`;

/** A Space's `trendingScore`: the likes given in the last 7 days (the one definition, as sqlite-web-store.ts). */
const TRENDING_SCORE = `(SELECT COUNT(*) FROM space_likes l WHERE l.space_uid = spaces.uid AND l.created_at >= ${WEEK_AGO_ISO})`;

const ORDER: Record<SpaceSort, string> = {
  updated: 'updated_at DESC, id',
  likes: 'likes DESC, updated_at DESC, id',
  created: 'created_at DESC, id',
  name: 'id',
  trending: `${TRENDING_SCORE} DESC, (COALESCE(last_active_at, 0) >= ${WEEK_AGO_MS}) DESC, likes DESC, updated_at DESC, id`,
};

/** Numbered placeholders for a statement being assembled: `add(value)` gives `$n`. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The condition (on `spaces`) that keeps the Spaces a read scope may see (as sqlite-web-store.ts). */
function scopeClause(scope: ReadScope, params: Params, column = 'owner'): string | undefined {
  const owners = scope.privateOwners;
  if (owners === 'all') return undefined;
  if (owners.length === 0) return "visibility != 'private'";
  return `(visibility != 'private' OR ${column} = ANY(${params.add([...owners])}::text[]))`;
}

/** `%`, `_` and the escape character itself, escaped for LIKE … ESCAPE '\'. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const LIKE_COLUMNS = 'spaces.*, space_likes.user_name AS like_user, space_likes.created_at AS liked_at FROM space_likes JOIN spaces ON spaces.uid = space_likes.space_uid';
const toLike = (r: Row): LikeRecord => ({ user: String(r.like_user), space: toSpace(r), createdAt: String(r.liked_at) });

/** The WebStore part of PostgresStore (the same statements as sqlite-web-store.ts, in PostgreSQL's dialect). */
export class PostgresWebStore implements WebStore {
  readonly #db: PgSyncClient;

  constructor(db: PgSyncClient) {
    this.#db = db;
  }

  setPasswordHash(user: string, hash: string | undefined): void {
    this.#db.query('UPDATE users SET password_hash = $1 WHERE name = $2', [hash ?? null, user]);
  }

  getPasswordHash(user: string): string | undefined {
    const r = this.#db.one('SELECT password_hash FROM users WHERE name = $1', [user]);
    return r?.password_hash ? String(r.password_hash) : undefined;
  }

  findUserByOidcSubject(subject: string): string | undefined {
    const r = this.#db.one('SELECT name FROM users WHERE oidc_subject = $1', [subject]);
    return r ? String(r.name) : undefined;
  }

  linkOidcSubject(user: string, subject: string): void {
    this.#db.query('UPDATE users SET oidc_subject = $1 WHERE name = $2', [subject, user]);
  }

  createWebSession(idHash: string, s: WebSessionRecord): void {
    this.#db.query('INSERT INTO web_sessions (id_hash, user_name, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      idHash,
      s.user,
      s.csrf,
      nowIso(),
      s.expiresAt,
    ]);
  }

  getWebSession(idHash: string, now: number): WebSessionRecord | undefined {
    const r = this.#db.one('SELECT * FROM web_sessions WHERE id_hash = $1', [idHash]);
    if (!r) return undefined;
    if (Number(r.expires_at) <= now) {
      this.#db.query('DELETE FROM web_sessions WHERE expires_at <= $1', [now]);
      return undefined;
    }
    return { user: String(r.user_name), csrf: String(r.csrf), expiresAt: Number(r.expires_at) };
  }

  deleteWebSession(idHash: string): void {
    this.#db.query('DELETE FROM web_sessions WHERE id_hash = $1', [idHash]);
  }

  querySpaces(q: SpaceQuery): SpacePage {
    const params = new Params();
    const where: string[] = [];
    const scope = scopeClause(q.scope, params);
    if (scope) where.push(scope);
    if (q.owner) where.push(`owner = ${params.add(q.owner)}`);
    if (q.sdk) where.push(`sdk = ${params.add(q.sdk)}`);
    if (q.search) {
      // SQLite's LIKE ignores ASCII case: ILIKE here.
      const p = params.add(likePattern(q.search.toLowerCase()));
      where.push(
        `(id ILIKE ${p} ESCAPE '\\' OR (card_data::jsonb ->> 'title') ILIKE ${p} ESCAPE '\\' OR (card_data::jsonb ->> 'short_description') ILIKE ${p} ESCAPE '\\')`,
      );
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    // One statement for the page and the total (a window count), so they agree with each other.
    const rows = this.#db.query(
      `SELECT *, COUNT(*) OVER () AS total_count FROM spaces ${clause} ORDER BY ${ORDER[q.sort ?? 'updated']} LIMIT ${params.add(q.limit)} OFFSET ${params.add(q.offset)}`,
      params.values,
    ).rows;
    const total = rows.length > 0 || q.offset === 0 ? Number(rows[0]?.total_count ?? 0) : Number(this.#db.one(`SELECT COUNT(*) AS n FROM spaces ${clause}`, params.values.slice(0, -2))!.n);
    return { spaces: rows.map(toSpace), total };
  }

  /** The Space's row is locked first, so two likes at once count one after the other. */
  setLike(spaceUid: string, user: string, liked: boolean): boolean {
    return this.#db.transaction(() => {
      if (!this.#db.one('SELECT 1 FROM spaces WHERE uid = $1 FOR UPDATE', [spaceUid])) return false;
      const changed = liked
        ? this.#db.query('INSERT INTO space_likes (space_uid, user_name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [spaceUid, user, nowIso()]).rowCount
        : this.#db.query('DELETE FROM space_likes WHERE space_uid = $1 AND user_name = $2', [spaceUid, user]).rowCount;
      if (changed > 0) this.#db.query('UPDATE spaces SET likes = (SELECT COUNT(*) FROM space_likes WHERE space_uid = $1) WHERE uid = $1', [spaceUid]);
      return changed > 0;
    });
  }

  likesOf(user: string, scope: ReadScope): LikeRecord[] {
    const params = new Params();
    const u = params.add(user);
    const s = scopeClause(scope, params, 'spaces.owner');
    return this.#db
      .query(`SELECT ${LIKE_COLUMNS} WHERE space_likes.user_name = ${u}${s ? ` AND ${s}` : ''} ORDER BY space_likes.created_at DESC, spaces.id`, params.values)
      .rows.map(toLike);
  }

  trendingScoreOf(spaceUid: string): number {
    const row = this.#db.query(`SELECT ${TRENDING_SCORE} AS n FROM spaces WHERE uid = $1`, [spaceUid]).rows[0] as { n: number | string } | undefined;
    return row === undefined ? 0 : Number(row.n);
  }

  likersOf(spaceUid: string): LikeRecord[] {
    return this.#db
      .query(`SELECT ${LIKE_COLUMNS} WHERE space_likes.space_uid = $1 ORDER BY space_likes.created_at DESC, space_likes.user_name`, [spaceUid])
      .rows.map(toLike);
  }
}
