/**
 * A counting reverse proxy in front of the test cluster's API server: clients get a KubeConfig
 * whose server is this proxy (plain HTTP on loopback, no credentials); the proxy forwards every
 * request over TLS with the admin kubeconfig's client certificate. Every request is counted by
 * verb (list, watch, get, patch, post, put, delete), so an informer's own list and watch traffic
 * is seen as well as the calls a runtime makes.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';

export type Verb = 'list' | 'watch' | 'get' | 'post' | 'put' | 'patch' | 'delete' | 'other';
export type Counts = Record<Verb, number> & { total: number };

const VERBS: readonly Verb[] = ['list', 'watch', 'get', 'post', 'put', 'patch', 'delete', 'other'];

export function zeroCounts(): Counts {
  return Object.fromEntries([...VERBS.map((v) => [v, 0]), ['total', 0]]) as Counts;
}

/** `after - before`, verb by verb. */
export function diffCounts(after: Counts, before: Counts): Counts {
  const out = zeroCounts();
  for (const k of [...VERBS, 'total'] as const) out[k] = after[k] - before[k];
  return out;
}

/** `/api/v1/namespaces/ns/pods` (a collection) or `/apis/apps/v1/namespaces/ns/deployments/name` (one object). */
const RESOURCE_PATH = /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)(?:\/namespaces\/[^/]+)?\/([^/]+)(?:\/([^/]+))?/;

export function verbOf(method: string, url: string): Verb {
  const u = new URL(url, 'http://x');
  switch (method) {
    case 'GET': {
      if (u.searchParams.get('watch') === 'true' || u.searchParams.get('watch') === '1') return 'watch';
      const m = RESOURCE_PATH.exec(u.pathname);
      return m && m[2] === undefined ? 'list' : 'get';
    }
    case 'POST':
      return 'post';
    case 'PUT':
      return 'put';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return 'other';
  }
}

export class CountingProxy {
  readonly #server: http.Server;
  readonly #agent: https.Agent;
  readonly #upstream: URL;
  #counts = zeroCounts();
  readonly #watches = new Set<{ up: http.IncomingMessage; res: http.ServerResponse }>();

  private constructor(upstream: URL, agent: https.Agent) {
    this.#upstream = upstream;
    this.#agent = agent;
    this.#server = http.createServer((req, res) => this.#forward(req, res));
  }

  /** A proxy to the current cluster of `admin` (server URL, CA and client certificate from it). */
  static async start(admin: k8s.KubeConfig): Promise<CountingProxy> {
    const server = admin.getCurrentCluster()?.server;
    if (!server?.startsWith('https://')) throw new Error(`the kubeconfig's server must be https:// (got ${server ?? 'none'})`);
    const tls: https.RequestOptions = {};
    await admin.applyToHTTPSOptions(tls);
    // Keep-alive, so each forwarded request costs what a client's own pooled request would.
    const agent = new https.Agent({ keepAlive: true, maxSockets: 64, ca: tls.ca, cert: tls.cert, key: tls.key });
    const proxy = new CountingProxy(new URL(server), agent);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Every request forwarded so far, by verb. */
  counts(): Counts {
    return { ...this.#counts };
  }

  /** A KubeConfig whose every request goes through this proxy. */
  kubeConfig(): k8s.KubeConfig {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'counted', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'counted' }],
      contexts: [{ name: 'counted', cluster: 'counted', user: 'counted' }],
      currentContext: 'counted',
    });
    return kc;
  }

  #forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const verb = verbOf(req.method ?? 'GET', req.url ?? '/');
    this.#counts[verb] += 1;
    this.#counts.total += 1;
    const headers = { ...req.headers, host: this.#upstream.host };
    const up = https.request(
      { protocol: 'https:', hostname: this.#upstream.hostname, port: this.#upstream.port, method: req.method, path: req.url, headers, agent: this.#agent },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        // A watch's headers come long before its first event: pass them on now (Node holds them until the first write).
        res.flushHeaders();
        upRes.pipe(res);
        upRes.on('error', () => res.destroy());
        if (verb === 'watch') {
          const w = { up: upRes, res };
          this.#watches.add(w);
          res.on('close', () => this.#watches.delete(w));
        }
      },
    );
    up.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`counting proxy: ${err.message}`);
    });
    // A client that goes away (an informer stopping its watch) ends the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  }

  /**
   * Every open watch goes quiet, with its connection still open (no event, no end, no error): how
   * a watch through a broken middlebox fails. Watches opened later work.
   */
  freezeWatches(): void {
    for (const w of this.#watches) {
      w.up.unpipe(w.res);
      w.up.pause();
    }
    this.#watches.clear();
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#agent.destroy();
  }
}
