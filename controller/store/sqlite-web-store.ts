import type Database from 'better-sqlite3';
import { nowIso, toSpace, type Row } from './rows.js';
import type { LikeRecord, ReadScope, SpacePage, SpaceQuery, SpaceSort, WebSessionRecord, WebStore } from './web-store.js';

/**
 * A Space's `trendingScore` (the Hub's name): the likes given in the last 7 days. The one
 * definition: `trendingScoreOf` answers it and the trending order sorts by it (SQL on `spaces`).
 */
const TRENDING_SCORE =
  "(SELECT COUNT(*) FROM space_likes l WHERE l.space_uid = spaces.uid AND l.created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 days'))";

const ORDER: Record<SpaceSort, string> = {
  updated: 'updated_at DESC, id',
  likes: 'likes DESC, updated_at DESC, id',
  created: 'created_at DESC, id',
  name: 'id',
  // Ties on the score: visited in the last 7 days first, then all likes.
  trending: `${TRENDING_SCORE} DESC, (COALESCE(last_active_at, 0) >= CAST(strftime('%s', 'now', '-7 days') AS INTEGER) * 1000) DESC, likes DESC, updated_at DESC, id`,
};

/** The SQL condition (on `spaces`) that keeps the Spaces a read scope may see. */
function scopeClause(scope: ReadScope, column = 'owner'): { sql?: string; args: unknown[] } {
  const owners = scope.privateOwners;
  if (owners === 'all') return { args: [] };
  if (owners.length === 0) return { sql: "visibility != 'private'", args: [] };
  return { sql: `(visibility != 'private' OR ${column} IN (${owners.map(() => '?').join(', ')}))`, args: [...owners] };
}

/** `%`, `_` and the escape character itself, escaped for LIKE … ESCAPE '\'. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The WebStore part of SqliteStore (same database, same connection). */
export class SqliteWebStore implements WebStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  setPasswordHash(user: string, hash: string | undefined): void {
    this.#db.prepare('UPDATE users SET password_hash = ? WHERE name = ?').run(hash ?? null, user);
  }

  getPasswordHash(user: string): string | undefined {
    const r = this.#db.prepare('SELECT password_hash FROM users WHERE name = ?').get(user) as Row | undefined;
    return r?.password_hash ? String(r.password_hash) : undefined;
  }

  findUserByOidcSubject(subject: string): string | undefined {
    const r = this.#db.prepare('SELECT name FROM users WHERE oidc_subject = ?').get(subject) as Row | undefined;
    return r ? String(r.name) : undefined;
  }

  linkOidcSubject(user: string, subject: string): void {
    this.#db.prepare('UPDATE users SET oidc_subject = ? WHERE name = ?').run(subject, user);
  }

  createWebSession(idHash: string, s: WebSessionRecord): void {
    this.#db
      .prepare('INSERT INTO web_sessions (id_hash, user_name, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(idHash, s.user, s.csrf, nowIso(), s.expiresAt);
  }

  getWebSession(idHash: string, now: number): WebSessionRecord | undefined {
    const r = this.#db.prepare('SELECT * FROM web_sessions WHERE id_hash = ?').get(idHash) as Row | undefined;
    if (!r) return undefined;
    if (Number(r.expires_at) <= now) {
      this.#db.prepare('DELETE FROM web_sessions WHERE expires_at <= ?').run(now);
      return undefined;
    }
    return { user: String(r.user_name), csrf: String(r.csrf), expiresAt: Number(r.expires_at) };
  }

  deleteWebSession(idHash: string): void {
    this.#db.prepare('DELETE FROM web_sessions WHERE id_hash = ?').run(idHash);
  }

  querySpaces(q: SpaceQuery): SpacePage {
    const where: string[] = [];
    const args: unknown[] = [];
    const scope = scopeClause(q.scope);
    if (scope.sql) {
      where.push(scope.sql);
      args.push(...scope.args);
    }
    if (q.owner) {
      where.push('owner = ?');
      args.push(q.owner);
    }
    if (q.sdk) {
      where.push('sdk = ?');
      args.push(q.sdk);
    }
    if (q.search) {
      where.push("(id LIKE ? ESCAPE '\\' OR json_extract(card_data, '$.title') LIKE ? ESCAPE '\\' OR json_extract(card_data, '$.short_description') LIKE ? ESCAPE '\\')");
      const p = likePattern(q.search.toLowerCase());
      args.push(p, p, p);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = Number((this.#db.prepare(`SELECT COUNT(*) AS n FROM spaces ${clause}`).get(...args) as Row).n);
    const rows = this.#db
      .prepare(`SELECT * FROM spaces ${clause} ORDER BY ${ORDER[q.sort ?? 'updated']} LIMIT ? OFFSET ?`)
      .all(...args, q.limit, q.offset) as Row[];
    return { spaces: rows.map(toSpace), total };
  }

  setLike(spaceUid: string, user: string, liked: boolean): boolean {
    return this.#db.transaction(() => {
      const changed = liked
        ? this.#db.prepare('INSERT OR IGNORE INTO space_likes (space_uid, user_name, created_at) VALUES (?, ?, ?)').run(spaceUid, user, nowIso()).changes
        : this.#db.prepare('DELETE FROM space_likes WHERE space_uid = ? AND user_name = ?').run(spaceUid, user).changes;
      if (changed > 0) this.#db.prepare('UPDATE spaces SET likes = (SELECT COUNT(*) FROM space_likes WHERE space_uid = ?) WHERE uid = ?').run(spaceUid, spaceUid);
      return changed > 0;
    })();
  }

  trendingScoreOf(spaceUid: string): number {
    const r = this.#db.prepare(`SELECT ${TRENDING_SCORE} AS n FROM spaces WHERE uid = ?`).get(spaceUid) as Row | undefined;
    return r ? Number(r.n) : 0;
  }

  likesOf(user: string, scope: ReadScope): LikeRecord[] {
    const s = scopeClause(scope, 'spaces.owner');
    const rows = this.#db
      .prepare(
        `SELECT spaces.*, space_likes.user_name AS like_user, space_likes.created_at AS liked_at FROM space_likes JOIN spaces ON spaces.uid = space_likes.space_uid
         WHERE space_likes.user_name = ?${s.sql ? ` AND ${s.sql}` : ''} ORDER BY space_likes.created_at DESC, spaces.id`,
      )
      .all(user, ...s.args) as Row[];
    return rows.map((r) => ({ user: String(r.like_user), space: toSpace(r), createdAt: String(r.liked_at) }));
  }

  likersOf(spaceUid: string): LikeRecord[] {
    const rows = this.#db
      .prepare(
        `SELECT spaces.*, space_likes.user_name AS like_user, space_likes.created_at AS liked_at FROM space_likes JOIN spaces ON spaces.uid = space_likes.space_uid
         WHERE space_likes.space_uid = ? ORDER BY space_likes.created_at DESC, space_likes.user_name`,
      )
      .all(spaceUid) as Row[];
    return rows.map((r) => ({ user: String(r.like_user), space: toSpace(r), createdAt: String(r.liked_at) }));
  }
}
