// Shared helpers for the proxy suites: fakes of the controller-side interfaces, the proxy mounted in a
// node:http server as the composition root does, and a loopback HTTP client that keeps the Host header.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { ManualClock, type Clock } from '../../core/clock.js';
import { silentLogger } from '../../core/logger.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startNativeDataPlane, type NativeDataPlane } from '../../proxy/data-plane/index.js';
import { createProxy, type Activity, type Proxy, type ProxyOptions, type Route, type RouteChange, type RouteSource, type Waker } from '../../proxy/index.js';

export class FakeRouteSource implements RouteSource {
  readonly routes = new Map<string, Route>();
  readonly listeners = new Set<(c: RouteChange) => void>();
  snapshot(): Route[] {
    return [...this.routes.values()];
  }
  subscribe(fn: (c: RouteChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  set(route: Route): void {
    this.routes.set(route.subdomain, route);
    for (const l of this.listeners) l({ kind: 'upsert', route });
  }
  remove(subdomain: string): void {
    this.routes.delete(subdomain);
    for (const l of this.listeners) l({ kind: 'remove', subdomain });
  }
}

export class RecordingSink {
  readonly batches: Activity[][] = [];
  report(batch: Activity[]): void {
    this.batches.push(batch);
  }
  spaces(): string[] {
    return this.batches.flat().map((a) => a.space);
  }
  clear(): void {
    this.batches.length = 0;
  }
}

export class CountingWaker implements Waker {
  readonly calls: string[] = [];
  async wake(space: string): Promise<void> {
    this.calls.push(space);
  }
}

export function runningRoute(subdomain: string, port: number, space = `owner/${subdomain}`): Route {
  return { subdomain, space, stage: 'RUNNING', target: { kind: 'running', endpoint: { host: '127.0.0.1', port } } };
}

export async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export interface ProxyHarness {
  proxy: Proxy;
  server: http.Server;
  port: number;
  routes: FakeRouteSource;
  sink: RecordingSink;
  waker: CountingWaker;
  clock: Clock;
  /** The native data plane in front (`DATA_PLANE === 'haproxy'`), else undefined. */
  native?: NativeDataPlane;
  close(): Promise<void>;
}

/** The proxy behind one node:http server, Space hosts to the proxy and anything else to a stub API. */
export async function startProxy(
  routes: Route[],
  overrides: Partial<ProxyOptions> = {},
): Promise<ProxyHarness> {
  const source = new FakeRouteSource();
  for (const r of routes) source.set(r);
  const sink = new RecordingSink();
  const waker = new CountingWaker();
  const clock = overrides.clock ?? new ManualClock(1_000_000);
  const proxy = createProxy({
    routes: source,
    activity: sink,
    waker,
    logger: silentLogger(),
    domain: 'localhost',
    clock,
    activityFlushMs: 20,
    ...overrides,
  });
  const server = http.createServer((req, res) => {
    if (proxy.isSpaceHost(req.headers.host) !== undefined) proxy.handleRequest(req, res);
    else res.end('api');
  });
  server.on('upgrade', (req, socket, head) => {
    if (proxy.isSpaceHost(req.headers.host) !== undefined) proxy.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  let native: NativeDataPlane | undefined;
  let dir: string | undefined;
  let port: number;
  if (DATA_PLANE === 'haproxy') {
    dir = mkdtempSync(path.join(tmpdir(), 'spaceport-haproxy-test-'));
    native = await startNativeDataPlane({
      server,
      routes: source,
      activity: sink,
      logger: silentLogger(),
      clock,
      dir,
      host: '127.0.0.1',
      port: 0,
      domain: 'localhost',
      upstreamTimeoutMs: overrides.upstreamTimeoutMs ?? 300_000,
      frameAncestors: overrides.frameAncestors,
      pollMs: overrides.activityFlushMs ?? 20,
    });
    port = native.port;
    await waitForMapped(native, routes);
  } else port = await listen(server);
  return {
    proxy,
    server,
    port,
    routes: source,
    sink,
    waker,
    clock,
    native,
    async close() {
      await native?.close();
      await proxy.close();
      await closeServer(server);
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Which path the proxy suites run through: `node` (the default) or `haproxy`
 * (`SPACEPORT_TEST_DATA_PLANE=haproxy`, `make test-data-plane`): HAProxy in front, driven from the
 * same route source, with Spaceport as its default backend, as `SPACEPORT_DATA_PLANE=haproxy` runs.
 */
export const DATA_PLANE = process.env.SPACEPORT_TEST_DATA_PLANE === 'haproxy' ? 'haproxy' : 'node';

/** Wait until HAProxy's map holds every running public route whose app answers (so requests take the native path). */
async function waitForMapped(native: NativeDataPlane, routes: Route[]): Promise<void> {
  const want = routes.filter((r) => r.target.kind === 'running' && r.access !== 'private').length;
  for (let i = 0; i < 100 && native.driver.mapped < want; i++) await sleep(20);
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  host: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Readable;
  agent?: http.Agent | false;
}

/** A request to 127.0.0.1 with an explicit Host header (fetch would drop it). */
export function request(port: number, opts: RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: opts.path ?? '/',
        method: opts.method ?? 'GET',
        headers: { ...opts.headers, host: opts.host },
        agent: opts.agent ?? false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (opts.body instanceof Readable) opts.body.pipe(req);
    else req.end(opts.body);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
