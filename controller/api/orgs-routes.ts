import { Router } from 'express';
import { z } from 'zod';
import { namePartSchema } from '../../core/index.js';
import type { OrgMembership, Organizations } from '../auth/index.js';
import { principalOf } from './context.js';

export const orgBody = z.object({ name: namePartSchema, fullname: z.string().min(1).max(200).optional() });
export const memberBody = z.object({ role: z.enum(['admin', 'write', 'read'], { error: 'must be one of admin, write, read' }) });

const memberJson = (m: OrgMembership) => ({ user: m.user, role: m.role, createdAt: m.createdAt });

/**
 * Organizations (Spaceport's own endpoints, Hub-like paths): any user with a write token creates one
 * and becomes its admin; admins add members, change their role (admin, write, read) and remove them.
 */
export function orgsRoutes(orgs: Organizations): Router {
  const r = Router();

  r.post('/api/organizations/new', (req, res) => {
    const { org, members } = orgs.create(principalOf(res), () => orgBody.parse(req.body ?? {}));
    res.status(201).json({ name: org.name, fullname: org.fullname, type: 'org', createdAt: org.createdAt, members: members.map(memberJson) });
  });

  r.get('/api/organizations/:org/overview', (req, res) => {
    const org = orgs.get(String(req.params.org));
    res.json({ name: org.name, fullname: org.fullname, type: 'org', createdAt: org.createdAt, numMembers: orgs.countMembers(org) });
  });

  r.get('/api/organizations/:org/members', (req, res) => {
    const org = orgs.get(String(req.params.org));
    res.json(orgs.members(principalOf(res), org).map(memberJson));
  });

  r.put('/api/organizations/:org/members/:user', (req, res) => {
    const org = orgs.get(String(req.params.org));
    res.json(memberJson(orgs.setMember(principalOf(res), org, String(req.params.user), () => memberBody.parse(req.body ?? {}).role)));
  });

  r.delete('/api/organizations/:org/members/:user', (req, res) => {
    const org = orgs.get(String(req.params.org));
    orgs.removeMember(principalOf(res), org, String(req.params.user));
    res.json({});
  });

  return r;
}
