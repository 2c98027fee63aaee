import { rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger, type SpaceId } from '../../core/index.js';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { writeStatus } from '../../controller/store/index.js';
import { startProxyServer, type Route, type RunningProxyServer } from '../../proxy/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, waitFor } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * Cluster mode: a controller (fake runtime and builder, real API, git, reconciler) and two proxy-only
 * processes' worth of code (`startProxyServer`) fed over real sockets: the websocket route stream,
 * activity and wake over HTTP. The controller's server is taken away and brought back underneath.
 */
const TOKEN = 'cluster-mode-internal-token-0123456789';
const BUFFER = 16;
const README = `---\ntitle: Demo\nsdk: static\n---\n# Demo\n`;

async function upstream(name: string): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(name));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

const extRoute = (port: number, subdomain = 'ext-app'): Route => ({
  subdomain,
  space: `ext/${subdomain}`,
  stage: 'RUNNING',
  target: { kind: 'running', endpoint: { host: '127.0.0.1', port } },
});

describe('proxy in cluster mode', () => {
  let h: Harness;
  let runtime: FakeRuntime;
  const proxies: RunningProxyServer[] = [];
  const ups: Awaited<ReturnType<typeof upstream>>[] = [];
  const dirs: string[] = [];
  /** Every connection the controller's server accepted (websockets included), to cut them all. */
  const sockets = new Set<Socket>();
  let a: { port: number };
  let b: { port: number };

  const watchSockets = () => h.sp.server.on('connection', (s: Socket) => sockets.add(s.once('close', () => sockets.delete(s))));
  const viaProxy = (p: RunningProxyServer, sub: string, path = '/') => request({ port: p.port, path, host: `${sub}.localhost:${p.port}` });
  const bodyVia = async (p: RunningProxyServer, sub: string) => {
    const r = await viaProxy(p, sub);
    return `${r.status} ${r.body}`;
  };
  const eachProxySees = (what: string, check: (p: RunningProxyServer) => Promise<boolean> | boolean) =>
    waitFor(what, async () => ((await Promise.all(proxies.map(check))).every(Boolean) ? true : undefined), 15_000, 25);
  const uid = () => h.sp.store.getSpace('admin/demo' as SpaceId)!.uid;

  /** The controller's port goes dark: no new connections, every open one (route streams too) cut. */
  async function killControllerServer(): Promise<void> {
    h.sp.server.close();
    for (const s of sockets) s.destroy();
    await eachProxySees('proxies notice the controller is gone', (p) => p.routes.stats().status.kind !== 'open');
  }
  async function reviveControllerServer(): Promise<void> {
    await new Promise<void>((r) => h.sp.server.listen(h.port, '127.0.0.1', r));
  }

  function startClusterProxy(token = TOKEN): Promise<RunningProxyServer> {
    return startProxyServer({
      controllerUrl: h.sp.url,
      token,
      port: 0,
      host: '127.0.0.1',
      domain: 'localhost',
      logger: silentLogger(),
      activityFlushMs: 50,
      routeStream: { backoff: { initialMs: 20, maxMs: 100 } },
      activityRetry: { initialMs: 20, maxMs: 100 },
    });
  }

  beforeAll(async () => {
    ups.push(await upstream('A'), await upstream('B'));
    [a, b] = ups as [typeof ups[0], typeof ups[0]];
    const builder = new FakeImageBuilder();
    h = await startHarness(
      (config) => {
        runtime = new FakeRuntime({ http: true });
        return { runtime, builder, plan: planFromBuilder(config), staticSpacesAsImages: true };
      },
      { SPACEPORT_INTERNAL_TOKEN: TOKEN, SPACEPORT_ROUTE_STREAM_BUFFER: String(BUFFER) },
    );
    watchSockets();
    // A real Space, built and run by the controller (the fake runtime serves HTTP).
    expect((await h.api('POST', '/api/repos/create', { name: 'demo', type: 'space', sdk: 'static' })).status).toBe(200);
    const work = await makeWorkTree({ 'README.md': README, 'index.html': '<h1>demo</h1>' });
    dirs.push(work);
    const push = await git(['push', '--force', pushUrl(h.port, 'admin/demo', ADMIN_TOKEN), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    expect((await h.waitStage('admin/demo', ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR'])).stage).toBe('RUNNING');
    // A route of the test's own, pointing at a small upstream server.
    h.sp.routes.upsert(extRoute(a.port));
    proxies.push(await startClusterProxy(), await startClusterProxy());
    await Promise.all(proxies.map((p) => p.routes.ready()));
  });

  afterAll(async () => {
    for (const p of proxies) await p.close();
    await h?.close();
    for (const u of ups) {
      u.server.closeAllConnections();
      await new Promise((r) => u.server.close(r));
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('both proxies route a running Space to its upstream, and answer 404 for other hosts', async () => {
    for (const p of proxies) {
      expect(await bodyVia(p, 'ext-app')).toBe('200 A');
      expect((await viaProxy(p, 'admin-demo')).status).toBe(200);
      expect((await viaProxy(p, 'nobody-here')).status).toBe(404);
      expect((await request({ port: p.port, path: '/api/whoami-v2', host: `127.0.0.1:${p.port}` })).status).toBe(404);
      const health = await request({ port: p.port, path: '/healthz', host: `127.0.0.1:${p.port}` });
      expect(health.status).toBe(200);
      expect(health.json()).toMatchObject({ status: 'ok', stream: 'open' });
      expect(p.routes.stats()).toMatchObject({ snapshots: 1, resumes: 0 });
    }
  });

  it('a route change reaches both proxies', async () => {
    h.sp.routes.upsert(extRoute(b.port));
    await eachProxySees('ext-app on B', async (p) => (await bodyVia(p, 'ext-app')) === '200 B');
    h.sp.routes.upsert(extRoute(a.port));
    await eachProxySees('ext-app back on A', async (p) => (await bodyVia(p, 'ext-app')) === '200 A');
  });

  it('activity through a proxy reaches the controller’s ledger', async () => {
    const before = h.sp.ledger.lastActivity(uid()) ?? 0;
    const sent = Date.now();
    expect((await viaProxy(proxies[1]!, 'admin-demo')).status).toBe(200);
    const at = await waitFor('activity in the ledger', async () => {
      const t = h.sp.ledger.lastActivity(uid());
      return t !== undefined && t > before ? t : undefined;
    }, 10_000, 25);
    expect(at).toBeGreaterThanOrEqual(sent - 1000);
  });

  /** `spaceport_wakes_total` on the controller's /metrics (loopback may scrape it). */
  const controllerWakes = async (): Promise<number> => {
    const body = (await request({ port: h.port, path: '/metrics', host: `127.0.0.1:${h.port}` })).body;
    return Number(/^spaceport_wakes_total (\S+)$/m.exec(body)?.[1] ?? NaN);
  };

  it('a request to a sleeping Space through the proxies wakes it once', async () => {
    writeStatus(h.sp.store, uid(), () => ({ asleepSince: Date.now() }));
    await h.sp.reconciler.kick(uid());
    await eachProxySees('admin-demo sleeping', (p) => p.routes.snapshot().find((r) => r.subdomain === 'admin-demo')?.target.kind === 'sleeping');
    const startsBefore = runtime.counts('admin/demo' as SpaceId).starts;
    const wakesBefore = await controllerWakes();
    // Non-browser clients are held until the Space runs; several on each proxy at once.
    const answers = await Promise.all(proxies.flatMap((p) => [1, 2, 3].map(() => viaProxy(p, 'admin-demo', '/?held'))));
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    expect(runtime.counts('admin/demo' as SpaceId).starts - startsBefore).toBe(1);
    expect((await h.stage('admin/demo')).stage).toBe('RUNNING');
    // The controller's /metrics counts the wake the replicas asked for, once (issue 18).
    expect((await controllerWakes()) - wakesBefore).toBe(1);
  });

  it('a proxy that loses the controller keeps serving, then resumes from its revision without a snapshot', async () => {
    await killControllerServer();
    for (const p of proxies) {
      expect(await bodyVia(p, 'ext-app')).toBe('200 A');
      expect((await viaProxy(p, 'admin-demo')).status).toBe(200);
      expect((await request({ port: p.port, path: '/healthz', host: `127.0.0.1:${p.port}` })).status).toBe(200);
    }
    const activityBefore = h.sp.ledger.lastActivity(uid()) ?? 0;
    // Changes while the proxies are cut off (fewer than the buffer holds).
    h.sp.routes.upsert(extRoute(b.port));
    h.sp.routes.upsert(extRoute(a.port, 'ext-late'));
    await reviveControllerServer();
    await eachProxySees('resumed with the missed changes', async (p) => p.routes.stats().resumes === 1 && (await bodyVia(p, 'ext-late')) === '200 A');
    for (const p of proxies) {
      expect(p.routes.stats()).toMatchObject({ snapshots: 1, resumes: 1, status: { kind: 'open' } });
      expect(await bodyVia(p, 'ext-app')).toBe('200 B');
    }
    // Activity seen while the controller was away is delivered once it is back.
    await waitFor('activity from the outage', async () => ((h.sp.ledger.lastActivity(uid()) ?? 0) > activityBefore ? true : undefined), 10_000, 25);
  });

  it('a proxy that missed more changes than the buffer holds gets a fresh snapshot', async () => {
    await killControllerServer();
    for (let i = 0; i < BUFFER + 4; i++) h.sp.routes.upsert(extRoute(i % 2 ? a.port : b.port, `ext-${i}`));
    h.sp.routes.remove('ext-late');
    await reviveControllerServer();
    await eachProxySees('a second snapshot', (p) => p.routes.stats().snapshots === 2);
    for (const p of proxies) {
      expect(p.routes.stats().resumes).toBe(1);
      expect(await bodyVia(p, `ext-${BUFFER + 3}`)).toBe('200 A');
      expect((await viaProxy(p, 'ext-late')).status).toBe(404);
      expect(await bodyVia(p, 'ext-app')).toBe('200 B');
    }
  });

  it('after a controller restart (a new epoch) the proxies take its snapshot', async () => {
    await h.restart();
    watchSockets();
    await eachProxySees('a snapshot from the new controller', (p) => p.routes.stats().snapshots === 3);
    // The new controller never published the test's routes; it re-created the Space.
    await eachProxySees('admin-demo served again', async (p) => (await viaProxy(p, 'admin-demo')).status === 200);
    for (const p of proxies) expect((await viaProxy(p, 'ext-app')).status).toBe(404);
  });

  it('refuses a wrong internal token (401), and a proxy holding one never reports healthy', async () => {
    const refused = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${h.port}/internal/routes`, { headers: { authorization: 'Bearer wrong-token-0123456789' } });
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => reject(new Error('the route stream opened with a wrong token')));
      ws.on('error', () => {});
    });
    expect(refused).toBe(401);
    for (const path of ['/internal/activity', '/internal/wake']) {
      const r = await request({ port: h.port, path, method: 'POST', body: { space: 'admin/demo' }, token: 'wrong-token-0123456789', host: `127.0.0.1:${h.port}` });
      expect(r.status).toBe(401);
      expect(r.headers['x-error-code']).toBe('Unauthorized');
    }
    const noToken = await request({ port: h.port, path: '/internal/activity', method: 'POST', body: [], host: `127.0.0.1:${h.port}` });
    expect(noToken.status).toBe(401);

    const stray = await startClusterProxy('wrong-token-0123456789');
    try {
      await waitFor('the stray proxy to be refused', async () => {
        const s = stray.routes.stats().status;
        return s.kind === 'waiting' && s.error?.includes('401') ? true : undefined;
      }, 10_000, 25);
      expect((await request({ port: stray.port, path: '/healthz', host: `127.0.0.1:${stray.port}` })).status).toBe(503);
      // Space hosts too: "not yet" rather than "no such Space".
      expect((await viaProxy(stray, 'admin-demo')).status).toBe(503);
    } finally {
      await stray.close();
    }
  });

  it('answers a valid activity batch with 204 and names a bad field with 400', async () => {
    const ok = await request({ port: h.port, path: '/internal/activity', method: 'POST', body: [{ space: 'admin/demo', at: Date.now() }], token: TOKEN, host: `127.0.0.1:${h.port}` });
    expect(ok.status).toBe(204);
    const bad = await request({ port: h.port, path: '/internal/activity', method: 'POST', body: [{ space: 'admin/demo', at: 'soon' }], token: TOKEN, host: `127.0.0.1:${h.port}` });
    expect(bad.status).toBe(400);
    expect(bad.json().error).toContain('"0.at"');
  });
});
