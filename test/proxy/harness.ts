// Shared helpers for the proxy suites: fakes of the controller-side interfaces, the proxy mounted in a
// node:http server as the composition root does, and a loopback HTTP client that keeps the Host header.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { ManualClock, type Clock } from '../../core/clock.js';
import { silentLogger } from '../../core/logger.js';
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
  const port = await listen(server);
  return {
    proxy,
    server,
    port,
    routes: source,
    sink,
    waker,
    clock,
    async close() {
      await proxy.close();
      await closeServer(server);
    },
  };
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
