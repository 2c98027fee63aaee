import { randomBytes } from 'node:crypto';
import { SpaceportError, fail } from '../../core/index.js';
import type { OrgRole, SpaceRecord, TokenRecord, TokenRole, UserRecord } from '../store/records.js';
import type { SpaceStore } from '../store/space-store.js';
import type { ReadScope } from '../store/web-store.js';

/**
 * Who is asking: nobody, or a user through one of their tokens. `orgs` holds the user's role in
 * each organization they belong to (read when the token is resolved, once per request).
 */
export type Principal =
  | { kind: 'anonymous' }
  | {
      kind: 'user';
      user: UserRecord;
      tokenRole: TokenRole;
      tokenName: string;
      /** The token this request came with (its own id and `createdAt`, never the user's). */
      token?: TokenRecord;
      /** Organization → role (absent: member of none). */
      orgs?: ReadonlyMap<string, OrgRole>;
    };

export const ANONYMOUS: Principal = { kind: 'anonymous' };

type User = Extract<Principal, { kind: 'user' }>;

/**
 * What a principal may do in a namespace (a user's own name or an organization):
 * `owner` (their own name, or a site admin anywhere), or their organization role.
 */
export type NamespaceRole = 'owner' | OrgRole;

/** The part of a Space the rules look at. */
export type SpaceAccessFacts = Pick<SpaceRecord, 'owner' | 'visibility'>;

export function generateToken(): string {
  return `sp_${randomBytes(24).toString('base64url')}`;
}

/** The token in `Authorization: Bearer …` or Basic (any username, token as password). */
export function tokenFromHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return value.trim();
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return i >= 0 ? decoded.slice(i + 1) : undefined;
  }
  return undefined;
}

/** Resolve a token to a principal; an unknown token is an error (401), no token is anonymous. */
export function authenticate(store: SpaceStore, token: string | undefined): Principal {
  if (token === undefined || token === '') return ANONYMOUS;
  const found = store.findToken(token);
  if (!found) throw fail('tokenUnknown');
  return userPrincipal(store, found.user, { tokenRole: found.token.role, tokenName: found.token.displayName, token: found.token });
}

/** `user` asking through `via` (a token, or a web session), with its organization roles read now. */
export function userPrincipal(store: Pick<SpaceStore, 'membershipsOf'>, user: UserRecord, via: Pick<User, 'tokenRole' | 'tokenName' | 'token'>): Principal {
  const orgs = new Map(store.membershipsOf(user.name).map((m) => [m.org, m.role] as const));
  return { kind: 'user', user, ...via, orgs };
}

export function isAdmin(p: Principal): boolean {
  return p.kind === 'user' && p.user.role === 'admin';
}

/** `p`'s role in `namespace`, or undefined when it has none (anonymous, another user's name, not a member). */
export function roleIn(p: Principal, namespace: string): NamespaceRole | undefined {
  if (p.kind !== 'user') return undefined;
  if (p.user.name === namespace || p.user.role === 'admin') return 'owner';
  return p.orgs?.get(namespace);
}

const WRITES: ReadonlySet<NamespaceRole | undefined> = new Set(['owner', 'admin', 'write']);

/**
 * Whether `p` may know the Space exists and see its info, runtime and app: public and protected
 * Spaces for everyone; private ones for their owner and members of the owning organization (any role).
 * Everyone else is told "not found".
 */
export function canRead(p: Principal, space: SpaceAccessFacts): boolean {
  return space.visibility !== 'private' || roleIn(p, space.owner) !== undefined;
}

/**
 * `canRead` as a scope a query applies: whose private Spaces `p` may read (a site admin: all; a
 * user: their own and those of every organization they belong to, any role; anonymous: none).
 */
export function readScopeOf(p: Principal): ReadScope {
  if (p.kind !== 'user') return { privateOwners: [] };
  if (isAdmin(p)) return { privateOwners: 'all' };
  return { privateOwners: [p.user.name, ...(p.orgs?.keys() ?? [])] };
}

/**
 * Whether `p` may read the Space's code (git clone and fetch, LFS, files, resolve, tree): public
 * Spaces for everyone; protected and private ones (code private) only for the owner and members.
 */
export function canReadCode(p: Principal, space: SpaceAccessFacts): boolean {
  return space.visibility === 'public' || roleIn(p, space.owner) !== undefined;
}

/**
 * Whether a browser or client with `p` may use the app on the Space's subdomain: what `canRead`
 * says (protected Spaces keep a public app).
 */
export function canUseApp(p: Principal, space: SpaceAccessFacts): boolean {
  return canRead(p, space);
}

function assertWriteToken(p: User): void {
  if (p.tokenRole !== 'write') throw new SpaceportError('ReadOnlyToken');
}

/** Throw unless `p` may act on its own account (a like): anonymous → 401, a read token → 403. */
export function assertSignedInWriter(p: Principal): asserts p is User {
  if (p.kind === 'anonymous') throw new SpaceportError('Unauthorized');
  assertWriteToken(p);
}

/**
 * Throw unless `p` may change `space`: anonymous → 401; no role in its namespace → 404 when the
 * Space is private to them, else 403; a `read` member → 403; a read token → 403 naming the fix.
 */
export function assertCanWrite(p: Principal, space: SpaceAccessFacts): void {
  if (p.kind === 'anonymous') throw new SpaceportError('Unauthorized');
  const role = roleIn(p, space.owner);
  if (!WRITES.has(role)) {
    if (!canRead(p, space)) throw new SpaceportError('RepoNotFound');
    throw role === 'read' ? fail('writeRoleIsRead', { owner: space.owner }) : fail('writeNotAllowed', { owner: space.owner });
  }
  assertWriteToken(p);
}

/** What `assertCanWrite` decides, as a yes or no (to offer Settings and Logs, not to guard them). */
export function canWrite(p: Principal, space: SpaceAccessFacts): boolean {
  try {
    assertCanWrite(p, space);
    return true;
  } catch {
    return false;
  }
}

/**
 * Throw unless `p` may create a Space in `namespace`: its own name, or an organization where it
 * has the write or admin role (site admins anywhere).
 */
export function assertCanCreateIn(p: Principal, namespace: string): void {
  if (p.kind === 'anonymous') throw new SpaceportError('Unauthorized');
  const role = roleIn(p, namespace);
  if (!WRITES.has(role)) {
    throw role === 'read' ? fail('createRoleIsRead', { namespace }) : fail('createNotAllowed', { namespace });
  }
  assertWriteToken(p);
}

/** Throw unless `p` administers organization `org` (its admin role, or a site admin) with a write token. */
export function assertCanAdminOrg(p: Principal, org: string): void {
  if (p.kind === 'anonymous') throw new SpaceportError('Unauthorized');
  const role = roleIn(p, org);
  if (role !== 'admin' && !(role === 'owner' && isAdmin(p))) {
    throw fail('orgAdminOnly', { org });
  }
  assertWriteToken(p);
}

export function requireUser(p: Principal): User {
  if (p.kind === 'anonymous') throw new SpaceportError('Unauthorized');
  return p;
}
