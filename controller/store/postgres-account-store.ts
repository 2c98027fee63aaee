import { fail, isReservedName, newId } from '../../core/index.js';
import type { PgSyncClient } from './pg-sync-client.js';
import type { OrgMembership, OrgRecord, OrgRole, TokenRecord, TokenRole, UserRecord, UserRole } from './records.js';
import { nowIso, type Row } from './rows.js';
import { hashToken } from './secret-box.js';
import type { AccountStore } from './space-store.js';

/**
 * The advisory lock every name-taking transaction holds (users, organizations, Space ids): two
 * controllers on one database then check "is this name free ignoring case" one after the other.
 */
export const NAMES_LOCK = 'SELECT pg_advisory_xact_lock(7263001)';

const toUser = (r: Row): UserRecord => ({ name: String(r.name), role: r.role as UserRole, createdAt: String(r.created_at) });
const toOrg = (r: Row): OrgRecord => ({ name: String(r.name), fullname: String(r.fullname), createdAt: String(r.created_at) });
const toToken = (r: Row): TokenRecord => ({
  id: String(r.id),
  user: String(r.user_name),
  displayName: String(r.display_name),
  role: r.role as TokenRole,
  createdAt: String(r.created_at),
});
const toMembership = (r: Row): OrgMembership => ({ org: String(r.org_name), user: String(r.user_name), role: r.role as OrgRole, createdAt: String(r.created_at) });

/** The AccountStore part of PostgresStore (the same statements as sqlite-account-store.ts, in PostgreSQL's dialect). */
export class PostgresAccountStore implements AccountStore {
  readonly #db: PgSyncClient;

  constructor(db: PgSyncClient) {
    this.#db = db;
  }

  createUser(name: string, role: UserRole): UserRecord {
    const user = { name, role, createdAt: nowIso() };
    return this.#db.transaction(() => {
      this.#assertNameFree(name, 'user');
      this.#db.query('INSERT INTO users (name, role, created_at) VALUES ($1, $2, $3)', [name, role, user.createdAt]);
      return user;
    });
  }

  /** As in SqliteAccountStore, inside the caller's transaction, under NAMES_LOCK. */
  #assertNameFree(name: string, kind: 'user' | 'org'): void {
    this.#db.query(NAMES_LOCK);
    if (isReservedName(name)) throw fail('accountNameReserved', { name });
    const taken = this.accountNamedIgnoringCase(name);
    if (taken && taken.name === name) {
      if (taken.kind === 'user') throw kind === 'user' ? fail('accountUserExists', { name }) : fail('accountNameIsUser', { name });
      throw kind === 'org' ? fail('accountOrgExists', { name }) : fail('accountNameIsOrg', { name });
    }
    if (taken) throw fail('accountNameCaseTaken', { name, existing: taken.name });
    if (this.#db.one('SELECT 1 FROM spaces WHERE lower(owner) = lower($1::text) LIMIT 1', [name])) throw fail('accountNameHoldsSpaces', { name });
  }

  accountNamedIgnoringCase(name: string): { kind: 'user' | 'org'; name: string } | undefined {
    const r = this.#db.one(
      `SELECT kind, name FROM (SELECT 'user' AS kind, name FROM users WHERE lower(name) = lower($1::text)
       UNION ALL SELECT 'org' AS kind, name FROM organizations WHERE lower(name) = lower($1::text)) AS named
       ORDER BY name = $1 DESC, name LIMIT 1`,
      [name],
    );
    return r && { kind: r.kind as 'user' | 'org', name: String(r.name) };
  }

  nameProblems(): { caseCollisions: string[][]; orphanNamespaces: string[] } {
    const groups = this.#db.query(
      `SELECT string_agg(name, E'\\n' ORDER BY name) AS names FROM (SELECT name FROM users UNION ALL SELECT name FROM organizations) AS named
       GROUP BY lower(name) HAVING count(*) > 1 ORDER BY lower(name)`,
    ).rows;
    const orphans = this.#db.query(
      `SELECT DISTINCT owner FROM spaces s WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.name = s.owner)
       AND NOT EXISTS (SELECT 1 FROM organizations o WHERE o.name = s.owner) ORDER BY owner`,
    ).rows;
    return { caseCollisions: groups.map((g) => String(g.names).split('\n')), orphanNamespaces: orphans.map((o) => String(o.owner)) };
  }

  getUser(name: string): UserRecord | undefined {
    const r = this.#db.one('SELECT name, role, created_at FROM users WHERE name = $1', [name]);
    return r && toUser(r);
  }

  listUsers(): UserRecord[] {
    return this.#db.query('SELECT name, role, created_at FROM users ORDER BY name').rows.map(toUser);
  }

  addToken(user: string, token: { displayName: string; role: TokenRole; plaintext: string }): TokenRecord {
    const rec: TokenRecord = { id: newId('tok'), user, displayName: token.displayName, role: token.role, createdAt: nowIso() };
    this.#db.query('INSERT INTO tokens (id, user_name, display_name, role, hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      rec.id,
      user,
      rec.displayName,
      rec.role,
      hashToken(token.plaintext),
      rec.createdAt,
    ]);
    return rec;
  }

  findToken(plaintext: string): { token: TokenRecord; user: UserRecord } | undefined {
    const r = this.#db.one(
      `SELECT t.*, u.role AS user_role, u.created_at AS user_created_at
       FROM tokens t JOIN users u ON u.name = t.user_name WHERE t.hash = $1`,
      [hashToken(plaintext)],
    );
    if (!r) return undefined;
    return { token: toToken(r), user: { name: String(r.user_name), role: r.user_role as UserRole, createdAt: String(r.user_created_at) } };
  }

  countTokens(): number {
    return Number(this.#db.one('SELECT COUNT(*) AS n FROM tokens')!.n);
  }

  listTokens(user: string): TokenRecord[] {
    return this.#db.query('SELECT * FROM tokens WHERE user_name = $1 ORDER BY created_at, seq', [user]).rows.map(toToken);
  }

  deleteToken(user: string, id: string): boolean {
    return this.#db.query('DELETE FROM tokens WHERE user_name = $1 AND id = $2', [user, id]).rowCount > 0;
  }

  createOrg(name: string, fullname?: string): OrgRecord {
    const org = { name, fullname: fullname ?? name, createdAt: nowIso() };
    return this.#db.transaction(() => {
      this.#assertNameFree(name, 'org');
      this.#db.query('INSERT INTO organizations (name, fullname, created_at) VALUES ($1, $2, $3)', [org.name, org.fullname, org.createdAt]);
      return org;
    });
  }

  getOrg(name: string): OrgRecord | undefined {
    const r = this.#db.one('SELECT * FROM organizations WHERE name = $1', [name]);
    return r && toOrg(r);
  }

  listOrgs(): OrgRecord[] {
    return this.#db.query('SELECT * FROM organizations ORDER BY name').rows.map(toOrg);
  }

  deleteOrg(name: string): void {
    this.#db.query('DELETE FROM organizations WHERE name = $1', [name]);
  }

  setMember(org: string, user: string, role: OrgRole): OrgMembership {
    if (!this.getOrg(org)) throw fail('memberOrgNotFound', { org });
    if (!this.getUser(user)) throw fail('userNotFound', { user });
    const r = this.#db.one(
      `INSERT INTO org_members (org_name, user_name, role, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_name, user_name) DO UPDATE SET role = excluded.role RETURNING *`,
      [org, user, role, nowIso()],
    );
    return toMembership(r!);
  }

  removeMember(org: string, user: string): boolean {
    return this.#db.query('DELETE FROM org_members WHERE org_name = $1 AND user_name = $2', [org, user]).rowCount > 0;
  }

  listMembers(org: string): OrgMembership[] {
    return this.#db.query('SELECT * FROM org_members WHERE org_name = $1 ORDER BY user_name', [org]).rows.map(toMembership);
  }

  membershipsOf(user: string): OrgMembership[] {
    return this.#db.query('SELECT * FROM org_members WHERE user_name = $1 ORDER BY org_name', [user]).rows.map(toMembership);
  }
}
