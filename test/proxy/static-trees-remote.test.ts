// A proxy replica serving static Spaces: it fetches each tree by hash from the controller's internal
// API over loopback (authenticated with the shared token, as the route stream is), into its own cache
// directory, bounded by bytes (least recently used out).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { StaticTreeDir } from '../../controller/builds/index.js';
import { createInternalApi, type InternalApi } from '../../controller/internal-api/index.js';
import { InProcessRouteTable } from '../../controller/lifecycle/index.js';
import { RemoteStaticTrees, type Route } from '../../proxy/index.js';
import { closeServer, listen, request, startProxy, type ProxyHarness } from './harness.js';

const TOKEN = 'internal-token-for-trees-0123456789';
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const MISSING = 'c'.repeat(40);

let root: string;
let cacheDir: string;
let outside: string;
let controller: http.Server;
let internal: InternalApi;
let controllerUrl: string;
let h: ProxyHarness;

const route = (tree: string): Route => ({ subdomain: 'alice-site', space: 'alice/site', stage: 'RUNNING', target: { kind: 'static', tree, index: 'index.html' } });
const get = (p: string) => request(h.port, { host: 'alice-site.localhost', path: p });

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'controller-trees-'));
  cacheDir = path.join(mkdtempSync(path.join(tmpdir(), 'replica-cache-')), 'trees');
  outside = mkdtempSync(path.join(tmpdir(), 'outside-'));
  writeFileSync(path.join(outside, 'secret.txt'), 'TOP SECRET');
  mkdirSync(path.join(root, A, 'docs'), { recursive: true });
  writeFileSync(path.join(root, A, 'index.html'), `<h1>tree A</h1>${'a'.repeat(3000)}`);
  writeFileSync(path.join(root, A, 'docs', 'index.html'), 'docs of A');
  symlinkSync('index.html', path.join(root, A, 'alias.html'));
  symlinkSync(path.join(outside, 'secret.txt'), path.join(root, A, 'leak.txt'));
  mkdirSync(path.join(root, B));
  writeFileSync(path.join(root, B, 'index.html'), `<h1>tree B</h1>${'b'.repeat(3000)}`);
  internal = createInternalApi({
    token: TOKEN,
    routes: new InProcessRouteTable(),
    activity: { report: () => undefined },
    waker: { wake: async () => undefined },
    logger: silentLogger(),
    staticTrees: new StaticTreeDir(root),
  });
  controller = http.createServer((req, res) => {
    if (!internal.handleRequest(req, res)) res.writeHead(404).end();
  });
  controllerUrl = `http://127.0.0.1:${await listen(controller)}`;
});

afterAll(async () => {
  internal.close();
  await closeServer(controller);
  for (const d of [root, path.dirname(cacheDir), outside]) rmSync(d, { recursive: true, force: true });
});

afterEach(async () => {
  await h?.close();
});

describe('a proxy replica fetching static trees from the controller', () => {
  it('fetches a tree once into its own cache dir and serves it; a symlink inside is its file, one out of the tree is absent', async () => {
    const trees = new RemoteStaticTrees({ controllerUrl, token: TOKEN, cacheDir, logger: silentLogger() });
    h = await startProxy([route(A)], { staticTrees: trees });
    const home = await get('/');
    expect(home.status).toBe(200);
    expect(home.body).toContain('tree A');
    expect((await get('/docs/')).body).toBe('docs of A');
    expect((await get('/alias.html')).body).toContain('tree A');
    const leak = await get('/leak.txt');
    expect(leak.status).toBe(404);
    expect(leak.body).not.toContain('TOP SECRET');
    expect(readdirSync(cacheDir)).toEqual([A]);
    expect(readdirSync(path.join(cacheDir, A)).sort()).toEqual(['alias.html', 'docs', 'index.html']);
  });

  it('keeps its cache within its byte budget: the least recently used tree goes, and is fetched again when asked for', async () => {
    const trees = new RemoteStaticTrees({ controllerUrl, token: TOKEN, cacheDir, maxBytes: 8000, logger: silentLogger() });
    h = await startProxy([route(A)], { staticTrees: trees });
    expect((await get('/')).body).toContain('tree A');
    h.routes.set(route(B));
    expect((await get('/')).body).toContain('tree B');
    expect(readdirSync(cacheDir).filter((n) => !n.startsWith('.'))).toEqual([B]);
    expect(trees.bytes).toBeLessThanOrEqual(8000);
    h.routes.set(route(A));
    expect((await get('/')).body).toContain('tree A');
    expect(readdirSync(cacheDir).filter((n) => !n.startsWith('.'))).toEqual([A]);
  });

  it('a wrong token fetches nothing (503, no copy), and the controller refuses it with 401; an unknown tree is 503', async () => {
    const trees = new RemoteStaticTrees({ controllerUrl, token: 'wrong-token', cacheDir, logger: silentLogger() });
    h = await startProxy([route(A)], { staticTrees: trees });
    expect((await get('/')).status).toBe(503);
    expect(readdirSync(cacheDir).filter((n) => !n.startsWith('.'))).toEqual([]);
    const direct = await fetch(`${controllerUrl}/internal/trees/${A}`);
    expect(direct.status).toBe(401);
    const bad = await fetch(`${controllerUrl}/internal/trees/..%2f..%2fetc`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bad.status).toBe(404);
    await h.close();
    h = await startProxy([route(MISSING)], { staticTrees: new RemoteStaticTrees({ controllerUrl, token: TOKEN, cacheDir, logger: silentLogger() }) });
    expect((await get('/')).status).toBe(503);
  });
});

describe('a tree over the replica cache budget', () => {
  it('is not kept (503), and leaves no partial copy', async () => {
    const trees = new RemoteStaticTrees({ controllerUrl, token: TOKEN, cacheDir, maxBytes: 1000, logger: silentLogger() });
    h = await startProxy([route(A)], { staticTrees: trees });
    expect((await get('/')).status).toBe(503);
    expect(readdirSync(cacheDir)).toEqual([]);
  });
});
