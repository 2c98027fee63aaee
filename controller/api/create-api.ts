import express, { type Express } from 'express';
import { SpaceportError, type Logger } from '../../core/index.js';
import type { BuildLogs } from '../build/index.js';
import type { Runtime } from '../runtime/runtime.js';
import type { SpaceService } from '../spaces/index.js';
import type { SpaceStore } from '../store/space-store.js';
import { authMiddleware } from './auth-middleware.js';
import { errorHandler } from './http-errors.js';
import { logsRoutes } from './logs-routes.js';
import { openApiDocument } from './openapi-document.js';
import { reposRoutes } from './repos-routes.js';
import { settingsRoutes } from './settings-routes.js';
import { spacesRoutes } from './spaces-routes.js';
import { upstreamRoutes } from './upstream-routes.js';
import { usersRoutes } from './users-routes.js';

export interface ApiOptions {
  spaces: SpaceService;
  store: SpaceStore;
  buildLogs: BuildLogs;
  runtime: Runtime;
  logger: Logger;
  flavors: () => Record<string, unknown>[];
}

/** The Hub-shaped REST API. Routers are thin: the work is in SpaceService. */
export function createApi(o: ApiOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set('Access-Control-Expose-Headers', 'X-Error-Code, X-Error-Message, X-Repo-Commit, X-Request-Id');
    next();
  });
  app.use(authMiddleware(o.store));
  // Webhooks read the raw body (the signature covers it): mounted before the JSON parser.
  app.use(upstreamRoutes(o.spaces));
  app.use(express.json({ limit: '1mb' }));
  app.use(usersRoutes(o.store));
  app.use(reposRoutes(o.spaces));
  app.use(settingsRoutes(o.spaces));
  app.use(logsRoutes(o.spaces, o.store, o.buildLogs, o.runtime));
  app.use(spacesRoutes(o.spaces, o.store, o.flavors));
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  app.use((req, _res, next) => next(new SpaceportError('NotFound', `No route for ${req.method} ${req.path}.`)));
  app.use(errorHandler(o.logger));
  return app;
}
