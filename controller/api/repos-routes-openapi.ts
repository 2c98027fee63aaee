import type { RouterDocs } from './openapi.js';
import { createBody, deleteBody, moveBody } from './repos-routes.js';

const urlShape = { type: 'object', required: ['url'], properties: { url: { type: 'string' } } };

/** `repos-routes.ts`. */
export const reposRoutesDocs: RouterDocs = {
  tag: 'repos',
  description: 'Create, delete and move Space repositories (`create_repo`, `delete_repo`, `move_repo`).',
  routes: {
    'POST /api/repos/create': {
      summary: 'Create a Space',
      auth: 'required',
      body: createBody,
      ok: {
        schema: { type: 'object', required: ['url', 'name', 'id'], properties: { url: { type: 'string' }, name: { type: 'string' }, id: { type: 'string' }, webhookSecret: { type: 'string' } } },
      },
      errors: ['InvalidName', 'InvalidUpstream', 'NotSupportedForStatic', 'Forbidden', 'ReadOnlyToken', 'RepoExists'],
    },
    'DELETE /api/repos/delete': {
      summary: 'Delete a Space',
      auth: 'required',
      body: deleteBody,
      ok: { contentType: 'text/plain', schema: { type: 'string' } },
      errors: ['InvalidName', 'RepoNotFound', 'Forbidden', 'ReadOnlyToken'],
    },
    'POST /api/repos/move': {
      summary: 'Rename a Space (a new subdomain)',
      auth: 'required',
      body: moveBody,
      ok: { schema: urlShape },
      errors: ['InvalidName', 'RepoNotFound', 'RepoExists', 'Forbidden', 'ReadOnlyToken'],
    },
  },
};
