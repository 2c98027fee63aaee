// The real proxy in front of real upstream websocket servers on loopback: websockets, activity, wake.
import http from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { closeServer, listen, request, runningRoute, sleep, startProxy, type ProxyHarness } from './harness.js';
import { standardRoutes, useTestApps } from './test-app.js';

let h: ProxyHarness;
const apps = useTestApps(() => h);

async function standard(): Promise<ProxyHarness> {
  h = await startProxy(standardRoutes(apps));
  return h;
}

describe('websockets', () => {
  function connect(port: number, host: string, path = '/ws'): WebSocket {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: { host } });
    ws.on('error', () => undefined); // terminate() during a refused handshake emits one
    return ws;
  }

  it('relays messages both ways with X-Forwarded-* on the handshake', async () => {
    await standard();
    const ws = connect(h.port, 'alice-demo.localhost');
    const messages: string[] = [];
    ws.on('message', (d) => messages.push(d.toString()));
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    ws.send('hi');
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await vi.waitFor(() => expect(messages).toEqual(['welcome from alice', 'echo:hi', '\u0001\u0002\u0003']));
    expect(apps.alice.upgradeHeaders['x-forwarded-for']).toBe('127.0.0.1');
    expect(apps.alice.upgradeHeaders['x-forwarded-host']).toBe('alice-demo.localhost');
    expect(h.proxy.stats().tunnels).toBe(1);
    ws.close();
    await vi.waitFor(() => expect(h.proxy.stats().tunnels).toBe(0));
  });

  it('relays a refused upgrade and closes; unknown Spaces get 404', async () => {
    await standard();
    const refused = connect(h.port, 'alice-demo.localhost', '/no-ws');
    const status = await new Promise<number>((resolve) => refused.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(403);
    refused.terminate();
    const unknown = connect(h.port, 'nobody.localhost');
    const status404 = await new Promise<number>((resolve) => unknown.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status404).toBe(404);
    unknown.terminate();
    await vi.waitFor(() => expect(h.proxy.stats().tunnels).toBe(0));
  });

  it('answers 502 to a handshake when the app is down', async () => {
    const dead = http.createServer();
    const deadPort = await listen(dead);
    await closeServer(dead);
    h = await startProxy([runningRoute('gone-app', deadPort)]);
    const ws = connect(h.port, 'gone-app.localhost');
    expect(await new Promise<number>((r) => ws.on('unexpected-response', (_q, res) => r(res.statusCode ?? 0)))).toBe(502);
    ws.terminate();
    await vi.waitFor(() => expect(h.proxy.stats().tunnels).toBe(0));
  });

  it('closes the client when the app goes away', async () => {
    await standard();
    const ws = connect(h.port, 'bob-app.localhost');
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const closed = new Promise((r) => ws.once('close', r));
    for (const c of apps.bob.wss.clients) c.terminate();
    await closed;
    await vi.waitFor(() => expect(h.proxy.stats().tunnels).toBe(0));
  });

  it('counts data frames as activity, never pings or pongs', async () => {
    await standard();
    const ws = connect(h.port, 'alice-demo.localhost');
    const welcome = new Promise((r) => ws.once('message', r)); // a data frame from the app
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    await welcome;
    await vi.waitFor(() => expect(h.sink.spaces()).toContain('alice/demo'));
    await sleep(60);
    h.sink.clear();
    // Client pings (the app's ws answers pongs) and app pings (the client answers pongs).
    let pongs = 0;
    ws.on('pong', () => pongs++);
    for (let i = 0; i < 5; i++) {
      ws.ping();
      for (const c of apps.alice.wss.clients) c.ping();
    }
    await vi.waitFor(() => expect(pongs).toBe(5));
    await sleep(100); // several flush intervals
    expect(h.sink.spaces()).toEqual([]);
    ws.send('real data');
    // The frame and its echo may land in two flushes: what matters is that data counts and pings never did.
    await vi.waitFor(() => expect([...new Set(h.sink.spaces())]).toEqual(['alice/demo']));
    ws.close();
  });
});

describe('activity', () => {
  it('reports app responses in coalesced batches, not our pages or app errors', async () => {
    h = await startProxy([
      runningRoute('alice-demo', apps.alice.port, 'alice/demo'),
      { subdomain: 'paused-one', space: 'o/paused', stage: 'PAUSED', target: { kind: 'paused' } },
    ]);
    h.sink.clear();
    await Promise.all(Array.from({ length: 30 }, () => request(h.port, { host: 'alice-demo.localhost', path: '/hello' })));
    await request(h.port, { host: 'paused-one.localhost', path: '/' });
    await vi.waitFor(() => expect(h.sink.spaces()).toContain('alice/demo'));
    await sleep(60);
    expect(h.sink.batches.length).toBeLessThan(30);
    expect(h.sink.spaces().filter((s) => s === 'alice/demo').length).toBe(h.sink.batches.length);
    expect(h.sink.spaces()).not.toContain('o/paused');
    for (const b of h.sink.batches) expect(new Set(b.map((a) => a.space)).size).toBe(b.length);
    h.sink.clear();
    await request(h.port, { host: 'alice-demo.localhost', path: '/status/404' });
    await request(h.port, { host: 'alice-demo.localhost', path: '/status/500' });
    await sleep(60);
    expect(h.sink.spaces()).toEqual([]);
  });

  it('flushes pending activity on close', async () => {
    h = await startProxy([runningRoute('alice-demo', apps.alice.port, 'alice/demo')], { activityFlushMs: 0 });
    await request(h.port, { host: 'alice-demo.localhost', path: '/hello' });
    expect(h.sink.batches).toEqual([]);
    // Through HAProxy the driver holds the activity (the Node proxy never saw the request).
    await (h.native ? h.native.driver.close() : h.proxy.close());
    expect(h.sink.batches).toEqual([[{ space: 'alice/demo', at: 1_000_000 }]]);
  });
});

describe('wake', () => {
  const sleepy = { subdomain: 'sleepy-app', space: 'o/sleepy', stage: 'STOPPED', target: { kind: 'sleeping' } } as const;

  it('100 concurrent requests to a sleeping Space: one wake call, all answered by the app once it runs', async () => {
    h = await startProxy([sleepy]);
    const replies = Promise.all(
      Array.from({ length: 100 }, (_, i) => request(h.port, { host: 'sleepy-app.localhost', path: `/hello?n=${i}` })),
    );
    await vi.waitFor(() => expect(h.proxy.stats().held).toBe(100), { timeout: 10_000 });
    expect(h.waker.calls).toEqual(['o/sleepy']);
    const status = await request(h.port, { host: 'sleepy-app.localhost', path: '/.spaceport/status' });
    expect(JSON.parse(status.body)).toEqual({ space: 'o/sleepy', stage: 'STOPPED', target: 'sleeping' });
    h.routes.set({ ...sleepy, stage: 'APP_STARTING', target: { kind: 'waking' } });
    h.routes.set(runningRoute('sleepy-app', apps.alice.port, 'o/sleepy'));
    const all = await replies;
    expect(all.map((r) => r.status)).toEqual(Array(100).fill(200));
    all.forEach((r, i) => expect(r.body).toBe(`hello from alice /hello?n=${i}`));
    expect(h.waker.calls).toEqual(['o/sleepy']);
    expect(h.proxy.stats().held).toBe(0);
  });

  it('a browser gets the waking page at once, and the next sleep wakes again', async () => {
    h = await startProxy([sleepy]);
    const r = await request(h.port, { host: 'sleepy-app.localhost', headers: { accept: 'text/html,*/*;q=0.8' } });
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('5');
    expect(r.body).toContain('Waking up this Space');
    expect(r.body).toContain('/.spaceport/status');
    await request(h.port, { host: 'sleepy-app.localhost', headers: { accept: 'text/html' } });
    expect(h.waker.calls).toEqual(['o/sleepy']);
    h.routes.set(runningRoute('sleepy-app', apps.alice.port, 'o/sleepy'));
    h.routes.set(sleepy);
    await request(h.port, { host: 'sleepy-app.localhost', headers: { accept: 'text/html' } });
    expect(h.waker.calls).toEqual(['o/sleepy', 'o/sleepy']);
  });

  it('held requests time out with 503 and Retry-After', async () => {
    h = await startProxy([sleepy], { wakeTimeoutMs: 200 });
    const r = await request(h.port, { host: 'sleepy-app.localhost', path: '/api/predict', method: 'POST', body: '{}' });
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('5');
    expect(JSON.parse(r.body).error).toMatch(/did not wake in time/);
    expect(h.proxy.stats().held).toBe(0);
  });

  it('a full queue answers 503 at once; a held client that leaves is dropped', async () => {
    h = await startProxy([sleepy], { wakeQueueMax: 2 });
    const a = http.get({ host: '127.0.0.1', port: h.port, path: '/', headers: { host: 'sleepy-app.localhost' }, agent: false });
    a.on('error', () => undefined);
    const b = http.get({ host: '127.0.0.1', port: h.port, path: '/', headers: { host: 'sleepy-app.localhost' }, agent: false });
    b.on('error', () => undefined);
    await vi.waitFor(() => expect(h.proxy.stats().held).toBe(2));
    const overflow = await request(h.port, { host: 'sleepy-app.localhost' });
    expect(overflow.status).toBe(503);
    expect(overflow.headers['retry-after']).toBe('5');
    a.destroy();
    b.destroy();
    await vi.waitFor(() => expect(h.proxy.stats().held).toBe(0));
  });

  it('no-wake paths and user agents get 503 without waking; paused never wakes', async () => {
    h = await startProxy([sleepy, { subdomain: 'paused', space: 'o/paused', stage: 'PAUSED', target: { kind: 'paused' } }], {
      noWakePaths: ['/healthz'],
      noWakeUserAgents: ['UptimeRobot'],
    });
    const health = await request(h.port, { host: 'sleepy-app.localhost', path: '/healthz' });
    expect(health.status).toBe(503);
    expect(health.headers['retry-after']).toBe('5');
    const monitor = await request(h.port, { host: 'sleepy-app.localhost', headers: { 'user-agent': 'Mozilla/5.0+(compatible; UptimeRobot/2.0)' } });
    expect(monitor.status).toBe(503);
    expect((await request(h.port, { host: 'paused.localhost' })).status).toBe(503);
    expect(h.waker.calls).toEqual([]);
  });

  it('a websocket handshake to a sleeping Space is held and then relayed', async () => {
    h = await startProxy([sleepy]);
    const ws = new WebSocket(`ws://127.0.0.1:${h.port}/ws`, { headers: { host: 'sleepy-app.localhost' } });
    const first = new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
    await vi.waitFor(() => expect(h.proxy.stats().held).toBe(1));
    expect(h.waker.calls).toEqual(['o/sleepy']);
    h.routes.set(runningRoute('sleepy-app', apps.bob.port, 'o/sleepy'));
    expect(await first).toBe('welcome from bob');
    ws.close();
    await vi.waitFor(() => expect(h.proxy.stats().tunnels).toBe(0));
  });
});
