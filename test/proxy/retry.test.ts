import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeServer, request, runningRoute, startProxy, type ProxyHarness } from './harness.js';

/**
 * An app whose listen backlog overflows under a burst (the requests held while it woke up) resets
 * some connections. Idempotent requests without a body are sent again (nginx's
 * `proxy_next_upstream error`); others get the 502 page, since the app may have seen them.
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

  /** An HTTP app that resets its first `resets` connections. */
  async function flakyApp(resets: number): Promise<{ port: number; seen: () => number }> {
    const inner = http.createServer((req, res) => res.end(`ok ${req.method}`));
    let n = 0;
    let served = 0;
    inner.on('request', () => served++);
    app = net.createServer((socket) => {
      if (n++ < resets) socket.resetAndDestroy();
      else inner.emit('connection', socket);
    });
    await new Promise<void>((r) => app!.listen(0, '127.0.0.1', r));
    app.on('close', () => void closeServer(inner));
    return { port: (app.address() as net.AddressInfo).port, seen: () => served };
  }

  it('a GET whose connection is reset is sent again and answered', async () => {
    const a = await flakyApp(2);
    h = await startProxy([runningRoute('flaky-app', a.port)]);
    const r = await request(h.port, { host: 'flaky-app.localhost', path: '/' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('ok GET');
    expect(a.seen()).toBe(1);
  });

  it('a POST is never sent twice: the 502 page', async () => {
    const a = await flakyApp(1);
    h = await startProxy([runningRoute('flaky-app', a.port)]);
    const r = await request(h.port, { host: 'flaky-app.localhost', path: '/', method: 'POST', body: 'x', headers: { 'content-length': '1' } });
    expect(r.status).toBe(502);
    expect(a.seen()).toBe(0);
  });

  it('gives up after three tries with the 502 page', async () => {
    const a = await flakyApp(10);
    h = await startProxy([runningRoute('flaky-app', a.port)]);
    const r = await request(h.port, { host: 'flaky-app.localhost', path: '/' });
    expect(r.status).toBe(502);
    expect(a.seen()).toBe(0);
  });
});
