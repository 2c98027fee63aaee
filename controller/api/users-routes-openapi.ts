import type { RouterDocs } from './openapi.js';
import { tokenBody, userBody } from './users-routes.js';

const tokenShape = { type: 'object', required: ['id', 'displayName', 'role'], properties: { id: { type: 'string' }, displayName: { type: 'string' }, role: { enum: ['read', 'write'] }, createdAt: {}, current: { type: 'boolean' }, token: { type: 'string' } } };

/** `users-routes.ts`. */
export const usersRoutesDocs: RouterDocs = {
  tag: 'users',
  description: '`whoami` in the Hub\'s shape, and the users and tokens Spaceport adds.',
  routes: {
    'GET /api/whoami-v2': {
      summary: 'The caller (`whoami`)',
      auth: 'required',
      ok: { schema: { type: 'object', required: ['type', 'name', 'auth'], properties: { type: { const: 'user' }, name: { type: 'string' }, auth: { type: 'object' }, isAdmin: { type: 'boolean' } } } },
    },
    'POST /api/users': {
      summary: 'Create a user and its first write token (admin only)',
      auth: 'required',
      body: userBody,
      ok: { status: 201, schema: { type: 'object', required: ['name', 'role', 'token'], properties: { name: { type: 'string' }, role: { type: 'string' }, token: { type: 'string' } } } },
      errors: ['Forbidden', 'UserExists', 'NameTaken', 'InvalidName'],
    },
    'GET /api/settings/tokens': {
      summary: 'The caller\'s tokens (never their values; `current` marks the one in use)',
      auth: 'required',
      ok: { schema: { type: 'array', items: tokenShape } },
    },
    'POST /api/settings/tokens': {
      summary: 'Create a token for the caller (its value is shown once)',
      auth: 'required',
      body: tokenBody,
      ok: { status: 201, schema: { ...tokenShape, required: ['id', 'displayName', 'role', 'token'] } },
      errors: ['ReadOnlyToken'],
    },
    'DELETE /api/settings/tokens/:id': {
      summary: 'Revoke one of the caller\'s tokens',
      auth: 'required',
      params: { id: { type: 'string', description: 'The token\'s id (from the list).', maxLength: 200 } },
      ok: { schema: { type: 'object' } },
      errors: ['ReadOnlyToken', 'TokenNotFound'],
    },
    'POST /api/tokens': {
      summary: 'Create a token for the caller',
      auth: 'required',
      body: tokenBody,
      ok: { status: 201, schema: { type: 'object', required: ['id', 'displayName', 'role', 'token'], properties: { token: { type: 'string' } } } },
      errors: ['ReadOnlyToken'],
    },
  },
};
