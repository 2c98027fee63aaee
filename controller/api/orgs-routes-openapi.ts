import type { RouterDocs } from './openapi.js';
import { NAME_PATTERN } from './openapi.js';
import { memberBody, orgBody } from './orgs-routes.js';

const org = { type: 'string', description: 'The organization.', pattern: NAME_PATTERN, maxLength: 96, examples: ['acme'] };
const user = { type: 'string', description: 'A user name.', maxLength: 96, examples: ['alice'] };
const member = { type: 'object', required: ['user', 'role'], properties: { user: { type: 'string' }, role: { enum: ['admin', 'write', 'read'] }, createdAt: {} } };

/** `orgs-routes.ts`. */
export const orgsRoutesDocs: RouterDocs = {
  tag: 'organizations',
  description: 'Organizations and their members (admin, write, read); an organization keeps at least one admin.',
  routes: {
    'POST /api/organizations/new': {
      summary: 'Create an organization (the caller becomes its admin)',
      auth: 'required',
      body: orgBody,
      ok: { status: 201, schema: { type: 'object', required: ['name', 'type', 'members'], properties: { name: { type: 'string' }, fullname: { type: 'string' }, type: { const: 'org' }, members: { type: 'array', items: member } } } },
      errors: ['InvalidName', 'ReadOnlyToken', 'NameTaken', 'UserExists'],
    },
    'GET /api/organizations/:org/overview': {
      summary: 'An organization (public)',
      params: { org },
      ok: { schema: { type: 'object', required: ['name', 'type', 'numMembers'], properties: { name: { type: 'string' }, fullname: { type: 'string' }, type: { const: 'org' }, numMembers: { type: 'integer' } } } },
      errors: ['OrgNotFound'],
    },
    'GET /api/organizations/:org/members': {
      summary: 'Its members (members only)',
      auth: 'required',
      params: { org },
      ok: { schema: { type: 'array', items: member } },
      errors: ['OrgNotFound', 'Forbidden'],
    },
    'PUT /api/organizations/:org/members/:user': {
      summary: 'Add a member or change their role (organization admins)',
      auth: 'required',
      params: { org, user },
      body: memberBody,
      ok: { schema: member },
      errors: ['OrgNotFound', 'UserNotFound', 'Forbidden', 'ReadOnlyToken', 'BadRequest'],
    },
    'DELETE /api/organizations/:org/members/:user': {
      summary: 'Remove a member (organization admins)',
      auth: 'required',
      params: { org, user },
      ok: { schema: { type: 'object' } },
      errors: ['OrgNotFound', 'UserNotFound', 'Forbidden', 'ReadOnlyToken', 'BadRequest'],
    },
  },
};
