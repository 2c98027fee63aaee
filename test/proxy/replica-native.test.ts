import { rmSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type SpaceId } from '../../core/index.js';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { startProxyServer, type Route, type RunningProxyServer } from '../../proxy/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, waitFor } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * Issue 22, item 3 (s30): the native data plane in front of a proxy replica, as the chart runs it
 * with `proxy.dataPlane: haproxy` — HAProxy (Debian's 2.6, real) on the replica's port, driven by the
 * replica's own route stream from a controller (fake runtime and builder, real API, git, reconciler,
 * internal API over real sockets). Running public Spaces go through HAProxy (its per-Host counters
 * count them); probes, metrics, other Spaces and unknown hosts fall to the replica's Node proxy on
 * loopback; activity reaches the controller's ledger over HTTP.
 */
const TOKEN = 'replica-native-internal-token-0123456789';
const README = `---\ntitle: Demo\nsdk: static\n---\n# Demo\n`;

async function upstream(name: string): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(name));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

const extRoute = (port: number, subdomain: string, access?: 'private'): Route => ({
  subdomain,
  space: `ext/${subdomain}`,
  stage: 'RUNNING',
  ...(access ? { access } : {}),
  target: { kind: 'running', endpoint: { host: '127.0.0.1', port } },
});

describe('a proxy replica with the native data plane (real HAProxy)', () => {
  let h: Harness;
  let replica: RunningProxyServer;
  const ups: Awaited<ReturnType<typeof upstream>>[] = [];
  const dirs: string[] = [];
  const via = (sub: string, p = '/') => request({ port: replica.port, path: p, host: `${sub}.localhost:${replica.port}` });
  const served = async (host: string) => (await replica.native!.api.counters()).find((c) => c.host === host)?.responses ?? 0;
  const uid = () => h.sp.store.getSpace('admin/demo' as SpaceId)!.uid;

  beforeAll(async () => {
    ups.push(await upstream('A'), await upstream('P'));
    h = await startHarness(
      (config) => ({ runtime: new FakeRuntime({ http: true }), builder: new FakeImageBuilder(), plan: planFromBuilder(config), staticSpacesAsImages: true }),
      { SPACEPORT_INTERNAL_TOKEN: TOKEN },
    );
    expect((await h.api('POST', '/api/repos/create', { name: 'demo', type: 'space', sdk: 'static' })).status).toBe(200);
    const work = await makeWorkTree({ 'README.md': README, 'index.html': '<h1>demo</h1>' });
    dirs.push(work);
    const push = await git(['push', '--force', pushUrl(h.port, 'admin/demo', ADMIN_TOKEN), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    expect((await h.waitStage('admin/demo', ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR'])).stage).toBe('RUNNING');
    h.sp.routes.upsert(extRoute(ups[0]!.port, 'ext-app'));
    h.sp.routes.upsert(extRoute(ups[1]!.port, 'ext-private', 'private'));
    const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-replica-haproxy-'));
    dirs.push(dir);
    replica = await startProxyServer({
      controllerUrl: h.sp.url,
      token: TOKEN,
      port: 0,
      host: '127.0.0.1',
      domain: 'localhost',
      logger: silentLogger(),
      activityFlushMs: 50,
      routeStream: { backoff: { initialMs: 20, maxMs: 100 } },
      activityRetry: { initialMs: 20, maxMs: 100 },
      native: { dir: path.join(dir, 'haproxy') },
    });
    await replica.routes.ready();
  });

  afterAll(async () => {
    await replica?.close();
    await h?.close();
    for (const u of ups) {
      u.server.closeAllConnections();
      await new Promise((r) => u.server.close(r));
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('HAProxy holds the port and maps exactly the running public Spaces of the replica’s route stream', async () => {
    expect(replica.native).toBeDefined();
    expect(replica.port).toBe(replica.native!.port);
    const map = await waitFor('the map', async () => {
      const m = await replica.native!.api.routes();
      return m.has('ext-app.localhost') && m.has('admin-demo.localhost') ? m : undefined;
    }, 15_000, 25);
    expect(map.get('ext-app.localhost')).toBe(`127.0.0.1:${ups[0]!.port}`);
    expect(map.has('ext-private.localhost')).toBe(false);
  });

  it('serves a running public Space through HAProxy, and everything else through the replica behind it', async () => {
    const before = await served('ext-app.localhost');
    const r = await via('ext-app');
    expect(`${r.status} ${r.body}`).toBe('200 A');
    expect(r.headers['x-request-id']).toBeTruthy();
    expect(await served('ext-app.localhost')).toBe(before + 1);
    // A private Space, an unknown host: the Node proxy's answers (the gate, the 404 page), HAProxy counted none.
    expect((await via('ext-private')).status).not.toBe(200);
    expect(await served('ext-private.localhost')).toBe(0);
    expect((await via('nobody-here')).status).toBe(404);
    // The probes and a non-Space path on the same port: the replica's own answers.
    const health = await request({ port: replica.port, path: '/healthz', host: `127.0.0.1:${replica.port}` });
    expect(health.status).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', stream: 'open' });
    expect((await request({ port: replica.port, path: '/livez', host: `127.0.0.1:${replica.port}` })).status).toBe(200);
    expect((await request({ port: replica.port, path: '/api/whoami-v2', host: `127.0.0.1:${replica.port}` })).status).toBe(404);
  });

  it('a route change reaches the map; a request HAProxy served counts as the Space’s activity in the controller', async () => {
    h.sp.routes.upsert(extRoute(ups[1]!.port, 'ext-app'));
    await waitFor('ext-app moved', async () => ((await via('ext-app')).body === 'P' ? true : undefined), 15_000, 25);
    const before = h.sp.ledger.lastActivity(uid()) ?? 0;
    const counted = await served('admin-demo.localhost');
    expect((await via('admin-demo')).status).toBe(200);
    expect(await served('admin-demo.localhost')).toBe(counted + 1);
    await waitFor('activity in the ledger', async () => ((h.sp.ledger.lastActivity(uid()) ?? 0) > before ? true : undefined), 10_000, 50);
  });

  it('close() stops HAProxy: the port answers no more', async () => {
    const port = replica.port;
    await replica.close();
    await expect(request({ port, path: '/livez', host: `127.0.0.1:${port}` })).rejects.toThrow();
  });
});

describe('a proxy replica whose HAProxy does not start', () => {
  const dirs: string[] = [];
  const start = (fallBackToNode: boolean) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-replica-nohaproxy-'));
    dirs.push(dir);
    return startProxyServer({
      // No controller: the replica listens all the same (unready until it has routes).
      controllerUrl: 'http://127.0.0.1:9',
      token: TOKEN,
      port: 0,
      host: '127.0.0.1',
      domain: 'localhost',
      logger: silentLogger(),
      routeStream: { backoff: { initialMs: 20, maxMs: 100 } },
      // A binary that runs and exits at once, as an HAProxy refusing its config or its port would.
      native: { dir: path.join(dir, 'haproxy'), binary: '/bin/false', fallBackToNode },
    });
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('under auto, serves every request on its port through the Node proxy', async () => {
    const replica = await start(true);
    try {
      expect(replica.native).toBeUndefined();
      expect((replica.server.address() as AddressInfo).port).toBe(replica.port);
      expect((await request({ port: replica.port, path: '/livez', host: `127.0.0.1:${replica.port}` })).status).toBe(200);
    } finally {
      await replica.close();
    }
  });

  it('when HAProxy is asked for (SPACEPORT_DATA_PLANE=haproxy), fails to start instead', async () => {
    await expect(start(false)).rejects.toThrow(/haproxy|exited/i);
  });
});
