import type { ErrorCode } from '../../core/index.js';
import type { RouteDocs, RouterDocs } from './openapi.js';
import { settingsShape } from './openapi-shapes.js';
import { deleteBody, upsertBody } from './settings-routes.js';

const WRITE: ErrorCode[] = ['InvalidName', 'RepoNotFound', 'Forbidden', 'ReadOnlyToken'];

function settingRoutes(path: 'secrets' | 'variables', what: string): RouteDocs {
  const ok = { schema: path === 'variables' ? settingsShape : { type: 'object' } };
  return {
    [`GET /api/spaces/:owner/:name/${path}`]: { summary: `List the ${what}`, auth: 'required', ok: { schema: settingsShape }, errors: WRITE },
    [`POST /api/spaces/:owner/:name/${path}`]: { summary: `Add or change one of the ${what} (a new release)`, auth: 'required', body: upsertBody, ok, errors: WRITE },
    [`DELETE /api/spaces/:owner/:name/${path}`]: { summary: `Delete one of the ${what}`, auth: 'required', body: deleteBody, ok, errors: WRITE },
  };
}

/** `settings-routes.ts`. */
export const settingsRoutesDocs: RouterDocs = {
  tag: 'settings',
  description: 'Secrets (values never returned) and variables of a Space.',
  routes: { ...settingRoutes('secrets', 'secrets'), ...settingRoutes('variables', 'variables') },
};
