import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeServer, request, runningRoute, startProxy, type ProxyHarness } from './harness.js';

/**
 * An app whose listen backlog overflows under a burst (the requests held while it woke up) resets
 * some connections. Idempotent requests without a body are sent again (nginx's
 * `proxy_next_upstream error`); others get the 502 page, since the app may have seen them. Both
 * paths (`SPACEPORT_TEST_DATA_PLANE`): on the native one, HAProxy's `retry-on` (docs/data-plane.md).
 */
describe('retrying a failed upstream connection', () => {
  let h: ProxyHarness | undefined;
  let app: net.Server | undefined;
  afterEach(async () => {
    await h?.close();
    if (app) await new Promise<void>((r) => app!.close(() => r()));
    h = undefined;
    app = undefined;
  });

  /**
   * An HTTP app that serves until `failNext(n, when)`, then resets its next `n` connections: `accept`
   * at once (nothing read), or `request` once the request's first bytes arrived (the app read it,
   * then died). Armed only after the route is ready: the native data plane probes a new endpoint
   * (one TCP connect) before routing to it, and that probe is not a request the proxy forwards.
   */
  async function flakyApp(): Promise<{ port: number; seen: () => number; delivered: () => number; failNext: (n: number, when: 'accept' | 'request') => void }> {
    const inner = http.createServer((req, res) => res.end(`ok ${req.method}`));
    let failing = 0;
    let mode: 'accept' | 'request' = 'accept';
    let served = 0;
    let delivered = 0;
    inner.on('request', () => served++);
    app = net.createServer((socket) => {
      if (failing === 0) return void inner.emit('connection', socket);
      failing--;
      if (mode === 'accept') return void socket.resetAndDestroy();
      socket.once('data', () => {
        delivered++;
        socket.resetAndDestroy();
      });
    });
    await new Promise<void>((r) => app!.listen(0, '127.0.0.1', r));
    app.on('close', () => void closeServer(inner));
    return {
      port: (app.address() as net.AddressInfo).port,
      seen: () => served,
      delivered: () => delivered,
      failNext: (n, when) => {
        failing = n;
        mode = when;
      },
    };
  }

  it('a GET whose connection is reset is sent again and answered', async () => {
    const a = await flakyApp();
    h = await startProxy([runningRoute('flaky-app', a.port)]);
    a.failNext(2, 'accept');
    const r = await request(h.port, { host: 'flaky-app.localhost', path: '/' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('ok GET');
    expect(a.seen()).toBe(1);
  });

  it('a GET the app read before its connection was reset is sent again (idempotent)', async () => {
    const a = await flakyApp();
    h = await startProxy([runningRoute('flaky-app', a.port)]);
    a.failNext(1, 'request');
    const r = await request(h.port, { host: 'flaky-app.localhost', path: '/' });
    expect(r.status).toBe(200);
    expect(a.delivered()).toBe(1);
    expect(a.seen()).toBe(1);
  });

  it('a POST is never sent twice: the 502 page', async () => {
    const a = await flakyApp();
    h = await startProxy([runningRoute('flaky-app', a.port)]);
    a.failNext(1, 'request');
    const r = await request(h.port, { host: 'flaky-app.localhost', path: '/', method: 'POST', body: 'x', headers: { 'content-length': '1' } });
    expect(r.status).toBe(502);
    expect(a.delivered()).toBe(1);
    expect(a.seen()).toBe(0);
  });

  it('a POST without a body is not sent again either', async () => {
    const a = await flakyApp();
    h = await startProxy([runningRoute('flaky-app', a.port)]);
    a.failNext(1, 'request');
    const r = await request(h.port, { host: 'flaky-app.localhost', path: '/', method: 'POST' });
    expect(r.status).toBe(502);
    expect(a.delivered()).toBe(1);
    expect(a.seen()).toBe(0);
  });

  it('a GET with a body is not sent again either', async () => {
    const a = await flakyApp();
    h = await startProxy([runningRoute('flaky-app', a.port)]);
    a.failNext(1, 'request');
    const r = await request(h.port, { host: 'flaky-app.localhost', path: '/', body: 'x', headers: { 'content-length': '1' } });
    expect(r.status).toBe(502);
    expect(a.delivered()).toBe(1);
    expect(a.seen()).toBe(0);
  });

  it('gives up after three tries with the 502 page', async () => {
    const a = await flakyApp();
    h = await startProxy([runningRoute('flaky-app', a.port)]);
    a.failNext(10, 'accept');
    const r = await request(h.port, { host: 'flaky-app.localhost', path: '/' });
    expect(r.status).toBe(502);
    expect(a.seen()).toBe(0);
  });
});
