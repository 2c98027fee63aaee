import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '../../core/index.js';
import { ControllerClient, HttpAccessChecker, RemoteRouteSource, type Activity } from '../../proxy/index.js';
import { InProcessRouteTable } from '../lifecycle/index.js';
import { createInternalApi, type InternalApiOptions } from './internal-api.js';

const TOKEN = 'internal-api-test-token-0123456789';

describe('internal API', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function serve(opts: Partial<InternalApiOptions> = {}) {
    const reported: Activity[][] = [];
    const woken: string[] = [];
    const routes = new InProcessRouteTable();
    const api = createInternalApi({
      token: TOKEN,
      routes,
      activity: { report: (b) => void reported.push(b) },
      waker: { wake: async (s) => void woken.push(s) },
      logger: silentLogger(),
      ...opts,
    });
    const server = http.createServer((req, res) => {
      if (!api.handleRequest(req, res)) res.writeHead(418).end();
    });
    server.on('upgrade', (req, socket, head) => {
      if (!api.handleUpgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(async () => {
      api.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });
    const port = (server.address() as AddressInfo).port;
    const post = (path: string, body: unknown, token = TOKEN) =>
      fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { api, routes, port, post, reported, woken };
  }

  it('answers 404 on every /internal/ path when no token is configured, and leaves other paths alone', async () => {
    const s = await serve({ token: undefined });
    expect((await s.post('/internal/activity', [])).status).toBe(404);
    expect((await s.post('/internal/wake', { space: 'a/b' })).status).toBe(404);
    expect((await s.post('/api/whoami', {})).status).toBe(418);
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/internal/routes`, { headers: { authorization: `Bearer ${TOKEN}` } });
      ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
    expect(status).toBe(404);
  });

  it('hands activity batches to the sink and wakes to the waker', async () => {
    const s = await serve();
    expect((await s.post('/internal/activity', [{ space: 'a/b', at: 3 }])).status).toBe(204);
    expect((await s.post('/internal/wake', { space: 'a/b' })).status).toBe(204);
    expect(s.reported).toEqual([[{ space: 'a/b', at: 3 }]]);
    expect(s.woken).toEqual(['a/b']);
    const bad = await s.post('/internal/wake', { space: '' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-error-code')).toBe('BadRequest');
  });

  it('answers proxies asking whether a bearer token may use a private app (HttpAccessChecker)', async () => {
    const s = await serve({ access: { canUseApp: async (space, token) => space === 'a/b' && token === 'good' } });
    const client = new ControllerClient({ controllerUrl: `http://127.0.0.1:${s.port}`, token: TOKEN });
    cleanup.push(() => client.close());
    const checker = new HttpAccessChecker(client);
    expect(await checker.canUseApp('a/b', 'good')).toBe(true);
    expect(await checker.canUseApp('a/b', 'bad')).toBe(false);
    expect(await checker.canUseApp('c/d', 'good')).toBe(false);
    expect((await s.post('/internal/access', { space: 'a/b', token: 'good' }, 'wrong-token-0123456789')).status).toBe(401);
    expect((await s.post('/internal/access', { space: 'a/b' })).status).toBe(400);
    const wrongKey = new HttpAccessChecker(new ControllerClient({ controllerUrl: `http://127.0.0.1:${s.port}`, token: 'wrong-token-0123456789' }));
    await expect(wrongKey.canUseApp('a/b', 'good')).rejects.toThrow(/401/);
    // Without a checker (an old controller wiring), nobody is allowed.
    const bare = await serve();
    expect(await (await bare.post('/internal/access', { space: 'a/b', token: 'good' })).json()).toEqual({ allowed: false });
  });

  it('drops a stream client that stops answering pings', async () => {
    const s = await serve({ heartbeatMs: 30 });
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/internal/routes`, { headers: { authorization: `Bearer ${TOKEN}` }, autoPong: false });
    cleanup.push(() => ws.terminate());
    await new Promise((r) => ws.once('message', r));
    expect(s.api.streamClients()).toBe(1);
    await new Promise((r) => ws.once('close', r));
    const deadline = Date.now() + 2000;
    while (s.api.streamClients() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(s.api.streamClients()).toBe(0);
  });

  it('a client that hears nothing (no frame, no ping) reconnects and resumes', async () => {
    const s = await serve({ heartbeatMs: 60_000 });
    const source = new RemoteRouteSource({ controllerUrl: `http://127.0.0.1:${s.port}`, token: TOKEN, logger: silentLogger(), idleTimeoutMs: 50, backoff: { initialMs: 5, maxMs: 10 } });
    cleanup.push(() => source.close());
    await source.ready();
    const deadline = Date.now() + 5000;
    while (source.stats().resumes < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(source.stats()).toMatchObject({ snapshots: 1 });
    expect(source.stats().resumes).toBeGreaterThanOrEqual(1);
  });
});
