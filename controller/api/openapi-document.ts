import { webRoutesDocs } from '../web/web-routes-openapi.js';
import { appGrantRoutesDocs } from './app-grant-routes-openapi.js';
import { commitRoutesDocs } from './commit-routes-openapi.js';
import { gitRoutesDocs, hubRoutesDocs, internalRoutesDocs } from './hub-routes-openapi.js';
import { lfsRoutesDocs } from './lfs-routes-openapi.js';
import { logsRoutesDocs } from './logs-routes-openapi.js';
import { buildOpenApi, type JsonSchema, type RouterDocs } from './openapi.js';
import { orgsRoutesDocs } from './orgs-routes-openapi.js';
import { repoFilesRoutesDocs } from './repo-files-routes-openapi.js';
import { repoSettingsRoutesDocs } from './repo-settings-routes-openapi.js';
import { reposRoutesDocs } from './repos-routes-openapi.js';
import { settingsRoutesDocs } from './settings-routes-openapi.js';
import { spacesRoutesDocs } from './spaces-routes-openapi.js';
import { upstreamRoutesDocs } from './upstream-routes-openapi.js';
import { usersRoutesDocs } from './users-routes-openapi.js';

/**
 * Every router's description, in one list. A new router file gets a `*-routes-openapi.ts` next to
 * it and one line here; a new route in an existing router, one entry in its `*-routes-openapi.ts`.
 */
export const ROUTER_DOCS: RouterDocs[] = [
  hubRoutesDocs,
  usersRoutesDocs,
  orgsRoutesDocs,
  reposRoutesDocs,
  spacesRoutesDocs,
  repoSettingsRoutesDocs,
  appGrantRoutesDocs,
  settingsRoutesDocs,
  commitRoutesDocs,
  repoFilesRoutesDocs,
  lfsRoutesDocs,
  upstreamRoutesDocs,
  logsRoutesDocs,
  gitRoutesDocs,
  internalRoutesDocs,
  webRoutesDocs,
];

let cached: JsonSchema | undefined;

/** The OpenAPI 3.1 document served at `GET /openapi.json` (built once). */
export function openApiDocument(): JsonSchema {
  cached ??= buildOpenApi(ROUTER_DOCS, { version: '1' });
  return cached;
}
