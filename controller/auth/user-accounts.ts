import { SpaceportError, fail, isReservedName } from '../../core/index.js';
import type { OrgRole, TokenRecord, TokenRole, UserRecord, UserRole } from '../store/records.js';
import type { SpaceStore } from '../store/space-store.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { generateToken, isAdmin, requireUser, type Principal } from './principal.js';

/** An organization a user belongs to, as whoami shows it. */
export interface UserOrg {
  name: string;
  fullname: string;
  role: OrgRole;
}

/**
 * People: users, their tokens and passwords, and users that OpenID Connect creates. Every rule of
 * who may do what to an account is here; the routers only parse and answer.
 */
export class UserAccounts {
  readonly #store: SpaceStore;

  constructor(store: SpaceStore) {
    this.#store = store;
  }

  /** The organizations the caller belongs to, with their role in each. */
  orgsOf(principal: Principal): UserOrg[] {
    const p = requireUser(principal);
    return this.#store.membershipsOf(p.user.name).map((m) => ({ name: m.org, fullname: this.#store.getOrg(m.org)?.fullname ?? m.org, role: m.role }));
  }

  /** A site admin (write token) creates a user, who gets a first write token (shown once). `readBody` is called once the caller may. */
  createUser(principal: Principal, readBody: () => { name: string; role: UserRole }): { user: UserRecord; token: string } {
    const p = requireUser(principal);
    if (!isAdmin(p) || p.tokenRole !== 'write') throw fail('createUserNeedsAdmin');
    const body = readBody();
    const user = this.#store.createUser(body.name, body.role);
    const token = generateToken();
    this.#store.addToken(user.name, { displayName: 'initial token', role: 'write', plaintext: token });
    return { user, token };
  }

  /** A new token for the caller; its value is returned here once and never stored. */
  createToken(principal: Principal, readBody: () => { displayName: string; role: TokenRole }): { record: TokenRecord; token: string } {
    const p = requireUser(principal);
    if (p.tokenRole !== 'write') throw new SpaceportError('ReadOnlyToken');
    const body = readBody();
    const token = generateToken();
    return { record: this.#store.addToken(p.user.name, { displayName: body.displayName, role: body.role, plaintext: token }), token };
  }

  listTokens(principal: Principal): TokenRecord[] {
    return this.#store.listTokens(requireUser(principal).user.name);
  }

  deleteToken(principal: Principal, id: string): void {
    const p = requireUser(principal);
    if (p.tokenRole !== 'write') throw new SpaceportError('ReadOnlyToken');
    if (!this.#store.deleteToken(p.user.name, id)) throw fail('tokenIdNotFound');
  }

  /** Whether `name` signs in with `password`. A missing user costs a hash too, so timing does not tell which names exist. */
  async checkPassword(name: string, password: string): Promise<boolean> {
    const stored = name ? this.#store.getPasswordHash(name) : undefined;
    const ok = stored ? await verifyPassword(stored, password) : (await hashPassword(password || 'x'), false);
    return ok && this.#store.getUser(name) !== undefined;
  }

  /**
   * An admin sets anyone's password; a user their own, with the current one (a stolen session
   * alone cannot take the account). `readBody` is called once the caller may set it.
   */
  async setPassword(principal: Principal, target: string, readBody: () => { password: string; currentPassword?: string }): Promise<void> {
    const p = requireUser(principal);
    if (p.tokenRole !== 'write' || (!isAdmin(p) && p.user.name !== target)) {
      throw fail('setPasswordForbidden');
    }
    if (!this.#store.getUser(target)) throw fail('userNotFound', { user: target });
    const { password, currentPassword } = readBody();
    const problem = passwordProblem(password);
    if (problem) throw new SpaceportError('BadRequest', problem);
    const stored = this.#store.getPasswordHash(target);
    if (p.user.name === target && stored && !(currentPassword !== undefined && (await verifyPassword(stored, currentPassword)))) {
      throw fail('currentPasswordWrong');
    }
    this.#store.setPasswordHash(target, await hashPassword(password));
  }

  /**
   * The user linked to an OpenID identity (`{issuer} {sub}`), created on first sign-in as `name`;
   * a local user of the same name is never taken over: the new person gets a suffix.
   */
  userForOidcSubject(subject: string, name: string): { user: string; created: boolean } {
    const linked = this.#store.findUserByOidcSubject(subject);
    if (linked) return { user: linked, created: false };
    let free = name;
    for (let i = 2; this.#store.accountNamedIgnoringCase(free) || isReservedName(free); i++) free = `${name}-${i}`;
    this.#store.createUser(free, 'user');
    this.#store.linkOidcSubject(free, subject);
    return { user: free, created: true };
  }
}
