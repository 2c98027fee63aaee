import { Router } from 'express';
import { z } from 'zod';
import { SpaceportError, namePartSchema } from '../../core/index.js';
import { assertCanAdminOrg, requireUser, roleIn } from '../auth/index.js';
import type { OrgMembership } from '../store/records.js';
import type { SpaceStore } from '../store/space-store.js';
import { principalOf } from './context.js';

export const orgBody = z.object({ name: namePartSchema, fullname: z.string().min(1).max(200).optional() });
export const memberBody = z.object({ role: z.enum(['admin', 'write', 'read'], { error: 'must be one of admin, write, read' }) });

const memberJson = (m: OrgMembership) => ({ user: m.user, role: m.role, createdAt: m.createdAt });

/**
 * Organizations (Spaceport's own endpoints, Hub-like paths): any user with a write token creates one
 * and becomes its admin; admins add members, change their role (admin, write, read) and remove them.
 */
export function orgsRoutes(store: SpaceStore): Router {
  const r = Router();

  const orgOf = (name: unknown) => {
    const org = store.getOrg(String(name));
    if (!org) throw new SpaceportError('OrgNotFound', `Organization "${String(name).slice(0, 100)}" does not exist.`);
    return org;
  };

  /** An organization keeps at least one admin. */
  const assertKeepsAdmin = (org: string, user: string, newRole?: string) => {
    const admins = store.listMembers(org).filter((m) => m.role === 'admin');
    if (admins.length === 1 && admins[0]!.user === user && newRole !== 'admin') {
      throw new SpaceportError('BadRequest', `"${user}" is the last admin of "${org}": make another member admin first.`);
    }
  };

  r.post('/api/organizations/new', (req, res) => {
    const p = requireUser(principalOf(res));
    if (p.tokenRole !== 'write') throw new SpaceportError('ReadOnlyToken');
    const body = orgBody.parse(req.body ?? {});
    const org = store.createOrg(body.name, body.fullname);
    store.setMember(org.name, p.user.name, 'admin');
    res.status(201).json({ name: org.name, fullname: org.fullname, type: 'org', createdAt: org.createdAt, members: store.listMembers(org.name).map(memberJson) });
  });

  r.get('/api/organizations/:org/overview', (req, res) => {
    const org = orgOf(req.params.org);
    res.json({ name: org.name, fullname: org.fullname, type: 'org', createdAt: org.createdAt, numMembers: store.listMembers(org.name).length });
  });

  r.get('/api/organizations/:org/members', (req, res) => {
    const org = orgOf(req.params.org);
    const p = requireUser(principalOf(res));
    if (roleIn(p, org.name) === undefined) throw new SpaceportError('Forbidden', `Only members of "${org.name}" see its members.`);
    res.json(store.listMembers(org.name).map(memberJson));
  });

  r.put('/api/organizations/:org/members/:user', (req, res) => {
    const org = orgOf(req.params.org);
    assertCanAdminOrg(principalOf(res), org.name);
    const { role } = memberBody.parse(req.body ?? {});
    const user = String(req.params.user);
    assertKeepsAdmin(org.name, user, role);
    res.json(memberJson(store.setMember(org.name, user, role)));
  });

  r.delete('/api/organizations/:org/members/:user', (req, res) => {
    const org = orgOf(req.params.org);
    assertCanAdminOrg(principalOf(res), org.name);
    const user = String(req.params.user);
    assertKeepsAdmin(org.name, user);
    if (!store.removeMember(org.name, user)) throw new SpaceportError('UserNotFound', `"${user.slice(0, 100)}" is not a member of "${org.name}".`);
    res.json({});
  });

  return r;
}
