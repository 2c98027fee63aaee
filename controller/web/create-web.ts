import { Router } from 'express';
import type { Config, Logger } from '../../core/index.js';
import type { RouteSource } from '../../proxy/index.js';
import type { Organizations, SignInLimiter, UserAccounts, WebSessions } from '../auth/index.js';
import type { GitRepos } from '../git/index.js';
import type { StageResult } from '../lifecycle/index.js';
import type { SpaceLogs, SpaceService } from '../spaces/index.js';
import { fetchAppApiInfo } from './app-api-info.js';
import { loadAssets } from './assets.js';
import { OidcSignIn } from './oidc-sign-in.js';
import { notFoundPage } from './not-found-page.js';
import { pageRoutes } from './page-routes.js';
import { profileRoutes } from './profile-routes.js';
import { signInRoutes } from './sign-in-routes.js';
import { stageEventsHandler } from './stage-events.js';
import { principalOf } from './web-context.js';

export interface WebOptions {
  config: Readonly<Config>;
  spaces: SpaceService;
  logs: SpaceLogs;
  accounts: UserAccounts;
  orgs: Organizations;
  repos: GitRepos;
  routes: RouteSource;
  sessions: WebSessions;
  limiter: SignInLimiter;
  stageOf: (uid: string) => StageResult | undefined;
  flavors: () => Record<string, unknown>[];
  logger: Logger;
}

/** The web UI on the hub host: pages, sign-in, the stage stream and the two static assets. */
export function createWeb(o: WebOptions): Router {
  const assets = loadAssets();
  const c = o.config;
  const oidc =
    c.SPACEPORT_OIDC_ISSUER && c.SPACEPORT_OIDC_CLIENT_ID && c.SPACEPORT_OIDC_CLIENT_SECRET
      ? new OidcSignIn({
          issuer: c.SPACEPORT_OIDC_ISSUER,
          clientId: c.SPACEPORT_OIDC_CLIENT_ID,
          clientSecret: c.SPACEPORT_OIDC_CLIENT_SECRET,
          allowHttp: c.SPACEPORT_OIDC_ALLOW_HTTP,
          accounts: o.accounts,
          logger: o.logger,
        })
      : undefined;
  const r = Router();
  r.use('/assets', assets.handler);
  // Browsers ask for /favicon.ico whatever the page links: the same icon, cached for a day.
  r.get('/favicon.ico', (_req, res) => {
    res.status(200).set({ 'Content-Type': 'image/svg+xml', 'Cache-Control': 'public, max-age=86400', 'X-Content-Type-Options': 'nosniff' }).send(assets.files['favicon.svg']);
  });
  r.get('/api/spaces/events', stageEventsHandler({ routes: o.routes, spaces: o.spaces, principalOf }));
  r.use(
    signInRoutes({
      accounts: o.accounts,
      spaces: o.spaces,
      sessions: o.sessions,
      limiter: o.limiter,
      oidc,
      oidcName: c.SPACEPORT_OIDC_NAME,
      assetVersion: assets.version,
      logger: o.logger,
    }),
  );
  r.use(
    pageRoutes({
      spaces: o.spaces,
      logs: o.logs,
      repos: o.repos,
      stageOf: o.stageOf,
      flavors: o.flavors,
      appApiInfo: (space) => fetchAppApiInfo(o.routes.snapshot().find((r) => r.space === space.id)),
      assetVersion: assets.version,
      logger: o.logger,
    }),
  );
  // After every fixed path: `/{user}` and `/{org}` take any single segment that is a valid name.
  r.use(profileRoutes({ spaces: o.spaces, orgs: o.orgs, stageOf: o.stageOf, assetVersion: assets.version, logger: o.logger }));
  // Last: a browser asking for a page that does not exist gets the HTML 404 page; API clients (no
  // text/html in Accept, or JSON preferred) fall through to the API's JSON 404.
  r.use(notFoundPage({ spaces: o.spaces, assetVersion: assets.version, logger: o.logger }));
  return r;
}
