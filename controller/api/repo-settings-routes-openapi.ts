import type { RouterDocs } from './openapi.js';
import { duplicateBody, settingsBody } from './repo-settings-routes.js';

/** `repo-settings-routes.ts`. */
export const repoSettingsRoutesDocs: RouterDocs = {
  tag: 'spaces',
  routes: {
    'GET /api/spaces/templates': {
      summary: 'Space templates (none are offered here)',
      ok: { schema: { type: 'object', required: ['templates'], properties: { templates: { type: 'array', maxItems: 0 } } } },
    },
    'PUT /api/spaces/:owner/:name/settings': {
      summary: 'Visibility (`update_repo_settings`): public, private or protected',
      auth: 'required',
      body: settingsBody,
      ok: { schema: { type: 'object', required: ['private', 'visibility', 'gated'], properties: { private: { type: 'boolean' }, visibility: { enum: ['public', 'private', 'protected'] }, gated: { const: false } } } },
      errors: ['InvalidName', 'RepoNotFound', 'Forbidden', 'ReadOnlyToken'],
    },
    'POST /api/spaces/:owner/:name/duplicate': {
      summary: 'Duplicate a Space (`duplicate_space`): its files, LFS objects, variables, and the secrets sent',
      auth: 'required',
      body: duplicateBody,
      ok: { schema: { type: 'object', required: ['url', 'name', 'id'], properties: { url: { type: 'string' }, name: { type: 'string' }, id: { type: 'string' } } } },
      errors: ['InvalidName', 'InvalidConfig', 'NoStorage', 'RepoNotFound', 'Forbidden', 'ReadOnlyToken', 'RepoExists'],
    },
  },
};
