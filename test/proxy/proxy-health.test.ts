import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { startProxyServer, type RunningProxyServer } from '../../proxy/index.js';
import { request } from '../support/http.js';

/**
 * A proxy replica (`startProxyServer`, real sockets) whose controller is unreachable: a loopback port
 * that was bound and released, so every connection is refused. The chart points the liveness probe at
 * `/livez` and the readiness probe at `/healthz`: the process works (200) but has no routes (503), so
 * the kubelet keeps it out of the Service instead of killing it in a loop.
 */
describe('proxy replica probes with the controller down', () => {
  let proxy: RunningProxyServer;

  beforeAll(async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    proxy = await startProxyServer({
      controllerUrl: `http://127.0.0.1:${deadPort}`,
      token: 'proxy-health-internal-token-0123456789',
      port: 0,
      host: '127.0.0.1',
      domain: 'localhost',
      logger: silentLogger(),
      routeStream: { backoff: { initialMs: 20, maxMs: 100 } },
    });
  });

  afterAll(async () => {
    await proxy?.close();
  });

  it('answers liveness 200 and readiness 503 before the first route snapshot', async () => {
    const host = `127.0.0.1:${proxy.port}`;
    const live = await request({ port: proxy.port, path: '/livez', host });
    expect(live.status).toBe(200);
    const head = await request({ port: proxy.port, path: '/livez', host, method: 'HEAD' });
    expect(head.status).toBe(200);
    const ready = await request({ port: proxy.port, path: '/healthz', host });
    expect(ready.status).toBe(503);
    expect(proxy.routes.hasSnapshot).toBe(false);
  });
});
