import type Database from 'better-sqlite3';
import { nowIso, toSpace, type Row } from './rows.js';
import type { SpacePage, SpaceQuery, WebSessionRecord, WebStore } from './web-store.js';

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
    const owners = q.scope.privateOwners;
    if (owners !== 'all') {
      where.push(owners.length ? `(visibility != 'private' OR owner IN (${owners.map(() => '?').join(', ')}))` : "visibility != 'private'");
      args.push(...owners);
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
      .prepare(`SELECT * FROM spaces ${clause} ORDER BY updated_at DESC, id LIMIT ? OFFSET ?`)
      .all(...args, q.limit, q.offset) as Row[];
    return { spaces: rows.map(toSpace), total };
  }
}
