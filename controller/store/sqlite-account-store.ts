import type Database from 'better-sqlite3';
import { fail, isReservedName, newId } from '../../core/index.js';
import type { OrgMembership, OrgRecord, OrgRole, TokenRecord, TokenRole, UserRecord, UserRole } from './records.js';
import { nowIso, type Row } from './rows.js';
import { hashToken } from './secret-box.js';
import type { AccountStore } from './space-store.js';

function toMembership(r: Row): OrgMembership {
  return { org: String(r.org_name), user: String(r.user_name), role: r.role as OrgRole, createdAt: String(r.created_at) };
}

/** Users, tokens (stored as SHA-256 hashes) and organizations: the AccountStore part of SqliteStore (same connection). */
export class SqliteAccountStore implements AccountStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  // ---- users and tokens

  createUser(name: string, role: UserRole): UserRecord {
    const user = { name, role, createdAt: nowIso() };
    return this.#db.transaction(() => {
      this.#assertNameFree(name, 'user');
      this.#db.prepare('INSERT INTO users (name, role, created_at) VALUES (?, ?, ?)').run(name, role, user.createdAt);
      return user;
    })();
  }

  /**
   * Throw unless a new `kind` may be called `name`: not reserved, no user or organization of that
   * name ignoring case, no Space owned under it (inside the caller's transaction).
   */
  #assertNameFree(name: string, kind: 'user' | 'org'): void {
    if (isReservedName(name)) throw fail('accountNameReserved', { name });
    const taken = this.accountNamedIgnoringCase(name);
    if (taken && taken.name === name) {
      if (taken.kind === 'user') throw kind === 'user' ? fail('accountUserExists', { name }) : fail('accountNameIsUser', { name });
      throw kind === 'org' ? fail('accountOrgExists', { name }) : fail('accountNameIsOrg', { name });
    }
    if (taken) throw fail('accountNameCaseTaken', { name, existing: taken.name });
    if (this.#db.prepare('SELECT 1 FROM spaces WHERE lower(owner) = lower(?) LIMIT 1').get(name)) throw fail('accountNameHoldsSpaces', { name });
  }

  accountNamedIgnoringCase(name: string): { kind: 'user' | 'org'; name: string } | undefined {
    const r = this.#db
      .prepare(
        `SELECT kind, name FROM (SELECT 'user' AS kind, name FROM users WHERE lower(name) = lower(?)
         UNION ALL SELECT 'org' AS kind, name FROM organizations WHERE lower(name) = lower(?))
         ORDER BY name = ? DESC, name LIMIT 1`,
      )
      .get(name, name, name) as Row | undefined;
    return r && { kind: r.kind as 'user' | 'org', name: String(r.name) };
  }

  nameProblems(): { caseCollisions: string[][]; orphanNamespaces: string[] } {
    const groups = this.#db
      .prepare(
        `SELECT group_concat(name, char(10)) AS names FROM (SELECT name FROM users UNION ALL SELECT name FROM organizations ORDER BY name)
         GROUP BY lower(name) HAVING count(*) > 1 ORDER BY lower(name)`,
      )
      .all() as Row[];
    const orphans = this.#db
      .prepare(
        `SELECT DISTINCT owner FROM spaces s WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.name = s.owner)
         AND NOT EXISTS (SELECT 1 FROM organizations o WHERE o.name = s.owner) ORDER BY owner`,
      )
      .all() as Row[];
    return { caseCollisions: groups.map((g) => String(g.names).split('\n')), orphanNamespaces: orphans.map((o) => String(o.owner)) };
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
      this.#assertNameFree(name, 'org');
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
    if (!this.getOrg(org)) throw fail('memberOrgNotFound', { org });
    if (!this.getUser(user)) throw fail('userNotFound', { user });
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
}
