import type { Express } from 'express';
import { describe, expect, it } from 'vitest';
import { ERRORS, silentLogger } from '../../core/index.js';
import type { SpaceLogs, SpaceService, RepoCommits, RepoFiles } from '../spaces/index.js';
import type { Config } from '../../core/index.js';
import type { Authenticator, Organizations, SignInLimiter, UserAccounts, WebSessions } from '../auth/index.js';
import type { GitRepos } from '../git/index.js';
import type { LfsSigner, LfsStore } from '../lfs/index.js';
import type { RouteSource } from '../../proxy/index.js';
import { createWeb } from '../web/index.js';
import { WEB_HTML_PAGES } from '../web/web-routes-openapi.js';
import { createApi } from './create-api.js';
import { openApiDocument, ROUTER_DOCS } from './openapi-document.js';
import fc from 'fast-check';
import { nameProblem } from '../../core/index.js';
import { NAME_PATTERN, openApiPath, parseRouteKey } from './openapi.js';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every `METHOD /path` the express app answers, found by walking its router stack. */
function expressRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') found.push(`${m.toUpperCase()} ${p}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found;
}

// Every router mounted, as controller/main.ts mounts them (files, LFS, commits and the web UI too):
// nothing is called while routes are registered, so empty stand-ins do.
const web = createWeb({
  config: {} as Config,
  spaces: {} as SpaceService,
  logs: {} as SpaceLogs,
  accounts: {} as UserAccounts,
  orgs: {} as Organizations,
  repos: {} as GitRepos,
  routes: {} as RouteSource,
  sessions: {} as WebSessions,
  limiter: {} as SignInLimiter,
  stageOf: () => undefined,
  flavors: () => [],
  logger: silentLogger(),
});
const api = createApi({
  spaces: {} as SpaceService,
  logs: {} as SpaceLogs,
  auth: {} as Authenticator,
  accounts: {} as UserAccounts,
  orgs: {} as Organizations,
  logger: silentLogger(),
  flavors: () => [],
  files: { config: {} as Config, repoFiles: {} as RepoFiles, repoCommits: {} as RepoCommits, lfs: {} as LfsStore, signer: {} as LfsSigner },
  sessions: {} as WebSessions,
  web,
});
/** Routes answered outside express (hub-server.ts): git smart HTTP and /internal/. */
const NOT_EXPRESS = new Set(['git', 'internal']);

describe('the OpenAPI description', () => {
  const described = new Set(ROUTER_DOCS.flatMap((r) => Object.keys(r.routes)));

  it('describes every express route (add it to the router\'s *-routes-openapi.ts)', () => {
    const routes = expressRoutes(api);
    expect(routes.length).toBeGreaterThan(70);
    // The file, LFS and web routers are mounted: their routes are among those checked.
    for (const r of ['POST /api/spaces/:owner/:name/commit/:rev', 'POST /spaces/:owner/:name/info/lfs/objects/batch', 'HEAD /spaces/:owner/:name/resolve/:rev/*path', 'POST /login', 'GET /api/spaces/events', 'GET /spaces/:owner/:name/settings']) {
      expect(routes).toContain(r);
    }
    const missing = routes.filter((r) => !described.has(r) && !WEB_HTML_PAGES.includes(r));
    expect(missing, `routes without a description: ${missing.join(', ')}`).toEqual([]);
  });

  it('describes no route that express does not answer', () => {
    const routes = new Set(expressRoutes(api));
    expect(WEB_HTML_PAGES.filter((k) => !routes.has(k) || described.has(k))).toEqual([]);
    const stale = ROUTER_DOCS.filter((r) => !NOT_EXPRESS.has(r.tag)).flatMap((r) => Object.keys(r.routes).filter((k) => !routes.has(k)));
    expect(stale).toEqual([]);
  });

  it('is OpenAPI 3.1 with every path parameter, JSON body and error response described', () => {
    const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, any>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const key of described) {
      const { method, path } = parseRouteKey(key);
      const { path: p, params } = openApiPath(path);
      const op = doc.paths[p]?.[method.toLowerCase()];
      expect(op, key).toBeDefined();
      expect(op.parameters?.filter((x: any) => x.in === 'path').map((x: any) => x.name) ?? []).toEqual(params);
      for (const [status, r] of Object.entries<any>(op.responses)) {
        if (Number(status) < 400) continue;
        const codes: string[] = r.headers['X-Error-Code'].schema.enum;
        expect(codes.length, `${key} ${status}`).toBeGreaterThan(0);
        for (const c of codes) expect(ERRORS[c as keyof typeof ERRORS].status, `${key}: ${c}`).toBe(Number(status));
      }
    }
    const create = doc.paths['/api/repos/create']!.post;
    expect(create.requestBody.content['application/json'].schema.properties.sdk.enum).toEqual(['gradio', 'streamlit', 'docker', 'static']);
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '409', '413', '415']));
  });

  it('documents names by a pattern the server accepts (every name it matches is valid)', () => {
    const re = new RegExp(NAME_PATTERN);
    fc.assert(
      fc.property(fc.string({ maxLength: 96, unit: fc.constantFrom('a', 'Z', '0', '_', '-', '.', '/', '%') }), (s) => {
        if (re.test(s)) expect(nameProblem(s), s).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
    expect(re.test('Qwen2.5-Max-Demo')).toBe(true);
  });
});
