import express, { type Express, type Router } from 'express';
import { fail, type Logger } from '../../core/index.js';
import type { Authenticator, Organizations, UserAccounts, WebSessions } from '../auth/index.js';
import type { LfsSigner, LfsStore } from '../lfs/index.js';
import type { RepoCommits, RepoFiles, SpaceLogs, SpaceService } from '../spaces/index.js';
import type { Config } from '../../core/index.js';
import { appGrantRoutes } from './app-grant-routes.js';
import { authMiddleware } from './auth-middleware.js';
import { commitRoutes } from './commit-routes.js';
import { lfsRoutes } from './lfs-routes.js';
import { repoFilesRoutes } from './repo-files-routes.js';
import { corsMiddleware } from './cors.js';
import { errorHandler } from './http-errors.js';
import { logsRoutes } from './logs-routes.js';
import { orgsRoutes } from './orgs-routes.js';
import { repoSettingsRoutes } from './repo-settings-routes.js';
import { openApiDocument } from './openapi-document.js';
import { reposRoutes } from './repos-routes.js';
import { settingsRoutes } from './settings-routes.js';
import { spacesRoutes } from './spaces-routes.js';
import { unservedRoutes } from './unserved-routes.js';
import { upstreamRoutes } from './upstream-routes.js';
import { usersRoutes } from './users-routes.js';

export interface ApiOptions {
  spaces: SpaceService;
  logs: SpaceLogs;
  /** Who asks (tokens, sessions), users and tokens, organizations (controller/auth). */
  auth: Authenticator;
  accounts: UserAccounts;
  orgs: Organizations;
  logger: Logger;
  flavors: () => Record<string, unknown>[];
  /** Files, commits and LFS (deploy without git, downloads, git LFS). */
  files?: { config: Readonly<Config>; repoFiles: RepoFiles; repoCommits: RepoCommits; lfs: LfsStore; signer: LfsSigner };
  /** Browser sessions: the cookie is accepted as well as tokens, with CSRF checks (the web UI). */
  sessions?: WebSessions;
  /** The web UI's pages and sign-in (controller/web), after the API's own routes. */
  web?: Router;
}

/** The Hub-shaped REST API. Routers are thin: the work is in SpaceService. */
export function createApi(o: ApiOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(corsMiddleware());
  app.use(authMiddleware(o.auth, o.sessions));
  // Webhooks read the raw body (the signature covers it): mounted before the JSON parser.
  app.use(upstreamRoutes(o.spaces));
  // Each reads its own body (LFS JSON, ndjson commits streamed, large uploads), before the JSON parser.
  if (o.files) {
    app.use(lfsRoutes(o.spaces, o.files.lfs, o.files.signer));
    app.use(commitRoutes(o.spaces, o.files.repoCommits, o.files.config));
    app.use(repoFilesRoutes(o.spaces, o.files.repoFiles));
  }
  app.use(express.json({ limit: '1mb' }));
  app.use(usersRoutes(o.accounts));
  app.use(orgsRoutes(o.orgs));
  app.use(repoSettingsRoutes(o.spaces));
  app.use(appGrantRoutes(o.spaces));
  app.use(reposRoutes(o.spaces));
  app.use(settingsRoutes(o.spaces));
  app.use(logsRoutes(o.logs));
  app.use(spacesRoutes(o.spaces, o.flavors));
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  if (o.web) app.use(o.web);
  app.use(unservedRoutes());
  app.use((req, _res, next) => next(fail('noRoute', { method: req.method, path: req.path })));
  app.use(errorHandler(o.logger));
  return app;
}
