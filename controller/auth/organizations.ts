import { SpaceportError, fail } from '../../core/index.js';
import type { OrgMembership, OrgRecord, OrgRole } from '../store/records.js';
import type { SpaceStore } from '../store/space-store.js';
import { assertCanAdminOrg, requireUser, roleIn, type Principal } from './principal.js';

/**
 * Organizations: any user with a write token creates one and becomes its admin; admins add
 * members, change their role (admin, write, read) and remove them; an organization keeps at least
 * one admin. The rules live here (and in principal.ts); the router only parses and answers.
 */
export class Organizations {
  readonly #store: SpaceStore;

  constructor(store: SpaceStore) {
    this.#store = store;
  }

  /** The organization called `name`, or undefined. */
  find(name: string): OrgRecord | undefined {
    return this.#store.getOrg(String(name));
  }

  get(name: string): OrgRecord {
    const org = this.#store.getOrg(String(name));
    if (!org) throw fail('orgNotFound', { name: String(name) });
    return org;
  }

  /** `readBody` is called once the caller may create one. */
  create(principal: Principal, readBody: () => { name: string; fullname?: string }): { org: OrgRecord; members: OrgMembership[] } {
    const p = requireUser(principal);
    if (p.tokenRole !== 'write') throw new SpaceportError('ReadOnlyToken');
    const body = readBody();
    const org = this.#store.createOrg(body.name, body.fullname);
    this.#store.setMember(org.name, p.user.name, 'admin');
    return { org, members: this.#store.listMembers(org.name) };
  }

  countMembers(org: OrgRecord): number {
    return this.#store.listMembers(org.name).length;
  }

  /** Members see each other. */
  members(principal: Principal, org: OrgRecord): OrgMembership[] {
    const p = requireUser(principal);
    if (!this.seesMembers(p, org)) throw fail('orgMembersOnly', { org: org.name });
    return this.#store.listMembers(org.name);
  }

  /**
   * The organizations `user` belongs to, as `principal` may see them: members see each other (as
   * `members` says), so a viewer sees only the memberships in organizations they belong to themselves
   * (the user themselves sees all of theirs, a site admin all).
   */
  membershipsOf(principal: Principal, user: string): OrgMembership[] {
    return this.#store.membershipsOf(user).filter((m) => roleIn(principal, m.org) !== undefined);
  }

  /** Whether `principal` sees `org`'s members (its members, any role, and site admins). */
  seesMembers(principal: Principal, org: OrgRecord): boolean {
    return roleIn(principal, org.name) !== undefined;
  }

  /** `readRole` is called once the caller may manage members. */
  setMember(principal: Principal, org: OrgRecord, user: string, readRole: () => OrgRole): OrgMembership {
    assertCanAdminOrg(principal, org.name);
    const role = readRole();
    this.#assertKeepsAdmin(org.name, user, role);
    return this.#store.setMember(org.name, user, role);
  }

  removeMember(principal: Principal, org: OrgRecord, user: string): void {
    assertCanAdminOrg(principal, org.name);
    this.#assertKeepsAdmin(org.name, user);
    if (!this.#store.removeMember(org.name, user)) throw fail('orgMemberNotFound', { user, org: org.name });
  }

  /** An organization keeps at least one admin. */
  #assertKeepsAdmin(org: string, user: string, newRole?: string): void {
    const admins = this.#store.listMembers(org).filter((m) => m.role === 'admin');
    if (admins.length === 1 && admins[0]!.user === user && newRole !== 'admin') {
      throw fail('orgLastAdmin', { user, org });
    }
  }
}
