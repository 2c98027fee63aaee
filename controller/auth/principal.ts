import { randomBytes } from 'node:crypto';
import { SpaceportError } from '../../core/index.js';
import type { SpaceRecord, TokenRole, UserRecord } from '../store/records.js';
import type { SpaceStore } from '../store/space-store.js';

/** Who is asking: nobody, or a user through one of their tokens. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; user: UserRecord; tokenRole: TokenRole; tokenName: string };

export const ANONYMOUS: Principal = { kind: 'anonymous' };

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
  if (!found) throw new SpaceportError('InvalidToken', 'Invalid credentials in Authorization header.');
  return { kind: 'user', user: found.user, tokenRole: found.token.role, tokenName: found.token.displayName };
}

export function isAdmin(p: Principal): boolean {
  return p.kind === 'user' && p.user.role === 'admin';
}

function isOwner(p: Principal, space: Pick<SpaceRecord, 'owner'>): boolean {
  return p.kind === 'user' && (p.user.name === space.owner || p.user.role === 'admin');
}

/** Private Spaces are visible to their owner (and admins) only; others see "not found". */
export function canRead(p: Principal, space: Pick<SpaceRecord, 'owner' | 'visibility'>): boolean {
  return space.visibility !== 'private' || isOwner(p, space);
}

/**
 * Throw unless `p` may change `space` (or create in `namespace`): anonymous → 401, another user →
 * 403 (or 404 when the Space is private to them), a read token → 403 naming the fix.
 */
export function assertCanWrite(p: Principal, space: Pick<SpaceRecord, 'owner' | 'visibility'>): void {
  if (p.kind === 'anonymous') throw new SpaceportError('Unauthorized');
  if (!isOwner(p, space)) {
    if (!canRead(p, space)) throw new SpaceportError('RepoNotFound');
    throw new SpaceportError('Forbidden', `You cannot change Spaces of "${space.owner}".`);
  }
  if (p.tokenRole !== 'write') throw new SpaceportError('ReadOnlyToken');
}

export function assertCanCreateIn(p: Principal, namespace: string): void {
  assertCanWrite(p, { owner: namespace, visibility: 'public' });
}

export function requireUser(p: Principal): Extract<Principal, { kind: 'user' }> {
  if (p.kind === 'anonymous') throw new SpaceportError('Unauthorized');
  return p;
}
