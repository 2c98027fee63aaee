// What a request to a running public Space pays (issue 22, item 4): its response goes out in one
// `writeHead` with the app's headers as they came (no `setHeader` first, which makes Node remove and
// re-append every app header), it runs outside the request-id AsyncLocalStorage (whose hooks then
// touch every async resource), and yet the response, the app and the log name the same request id.
import http from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.js';
import { requestContext } from '../../core/request-context.js';
import { createProxy, type Proxy, type ProxyMetrics } from '../../proxy/index.js';
import { closeServer, FakeRouteSource, listen, request, runningRoute } from './harness.js';

/** How the proxy wrote one response. */
interface Watched {
  setHeaderCalls: string[];
  storeAtWriteHead: unknown;
}

function watch(res: http.ServerResponse): Watched {
  const w: Watched = { setHeaderCalls: [], storeAtWriteHead: 'not written' };
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name, value) => {
    w.setHeaderCalls.push(name.toLowerCase());
    return setHeader(name, value);
  };
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => http.ServerResponse;
  res.writeHead = ((...args: unknown[]) => {
    w.storeAtWriteHead = requestContext.getStore();
    return writeHead(...args);
  }) as typeof res.writeHead;
  return w;
}

describe('the hot path to a running public Space', () => {
  let app: http.Server;
  let server: http.Server;
  let proxy: Proxy;
  let port: number;
  const routes = new FakeRouteSource();
  const seen: (string | undefined)[] = [];
  const responses: Watched[] = [];
  const metered: number[] = [];
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    app = http.createServer((req, res) => {
      seen.push(req.headers['x-request-id'] as string | undefined);
      const own = req.url === '/own-id' ? { 'x-request-id': 'from-the-app' } : {};
      res.writeHead(200, { 'content-type': 'text/plain', 'x-app': 'yes', ...own });
      res.end('ok');
    });
    const appPort = await listen(app);
    routes.set(runningRoute('demo', appPort));
    // A port nobody listens on: the upstream refuses.
    const closed = http.createServer();
    const closedPort = await listen(closed);
    await closeServer(closed);
    routes.set(runningRoute('gone', closedPort));
    const metrics: ProxyMetrics = { request: (status) => metered.push(status), wakeStarted: () => undefined, wakeEnded: () => undefined };
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    proxy = createProxy({
      routes,
      activity: { report: () => undefined },
      waker: { wake: async () => undefined },
      logger: createLogger({ level: 'debug', destination: sink }),
      domain: 'localhost',
      metrics,
    });
    server = http.createServer((req, res) => {
      responses.push(watch(res));
      proxy.handleRequest(req, res);
    });
    port = await listen(server);
  });
  afterAll(async () => {
    await proxy?.close();
    if (server) await closeServer(server);
    if (app) await closeServer(app);
  });

  it('writes the response in one writeHead, outside any request context, with one request id for client and app', async () => {
    responses.length = 0;
    seen.length = 0;
    const r = await request(port, { host: 'demo.localhost' });
    expect(r.status).toBe(200);
    expect(r.headers['x-app']).toBe('yes');
    expect(r.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen).toEqual([r.headers['x-request-id']]);
    const res = responses[0]!;
    expect(res.setHeaderCalls).toEqual([]);
    expect(res.storeAtWriteHead).toBeUndefined();
    const kept = await request(port, { host: 'demo.localhost', headers: { 'x-request-id': 'client-7' } });
    expect(kept.headers['x-request-id']).toBe('client-7');
    expect(seen[1]).toBe('client-7');
  });

  it("keeps the app's own X-Request-Id (one header, the app's), as before", async () => {
    const r = await request(port, { host: 'demo.localhost', path: '/own-id' });
    expect(r.status).toBe(200);
    expect(r.headers['x-request-id']).toBe('from-the-app');
  });

  it('counts every request once in the metrics, our pages included', async () => {
    metered.length = 0;
    await request(port, { host: 'demo.localhost' });
    await request(port, { host: 'nobody.localhost' });
    expect(metered).toEqual([200, 404]);
  });

  it("names the request's id in the log line of a failed upstream and on the error page", async () => {
    lines.length = 0;
    const r = await request(port, { host: 'gone.localhost', method: 'POST', body: 'x', headers: { 'x-request-id': 'fail-1' } });
    expect(r.status).toBe(502);
    expect(r.headers['x-request-id']).toBe('fail-1');
    const line = lines.find((l) => l.msg === 'upstream request failed');
    expect(line).toMatchObject({ req: 'fail-1', space: 'owner/gone' });
  });

  it('our own pages still carry the id and run in the request context', async () => {
    responses.length = 0;
    const r = await request(port, { host: 'nobody.localhost', headers: { 'x-request-id': 'page-1' } });
    expect(r.status).toBe(404);
    expect(r.headers['x-request-id']).toBe('page-1');
    expect(responses[0]!.storeAtWriteHead).toEqual({ id: 'page-1' });
  });
});
