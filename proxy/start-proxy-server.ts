import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { deriveGrantKey } from './app-grant.js';
import { ControllerClient } from './controller-client.js';
import { HttpAccessChecker } from './http-access-checker.js';
import { createProxy, type Proxy } from './create-proxy.js';
import { HttpActivitySink, type HttpActivitySinkOptions } from './http-activity-sink.js';
import { HttpWaker } from './http-waker.js';
import { resolveProxyOptions, type ProxyOptions } from './proxy-options.js';
import { RemoteRouteSource, type RemoteRouteSourceOptions } from './remote-route-source.js';
import { RemoteStaticTrees } from './remote-static-trees.js';
import { startNativeDataPlane, type NativeDataPlane } from './data-plane/index.js';

/** Readiness: 200 once a route snapshot is held ("I have routes"), 503 before. */
export const HEALTH_PATH = '/healthz';
/** Liveness: 200 whenever the event loop answers ("this process works"), routes or not. */
export const LIVE_PATH = '/livez';

export interface ProxyServerOptions extends Omit<ProxyOptions, 'routes' | 'activity' | 'waker' | 'appAccess'> {
  /** `http(s)://host:port` of the controller's hub port. */
  controllerUrl: string;
  /** `SPACEPORT_INTERNAL_TOKEN`. */
  token: string;
  port: number;
  host: string;
  routeStream?: Pick<RemoteRouteSourceOptions, 'idleTimeoutMs' | 'backoff'>;
  activityRetry?: HttpActivitySinkOptions['retry'];
  /** Serves `/metrics` (or other operator endpoints) on non-Space hosts: true when it answered. */
  operatorEndpoint?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
  /** This replica's cache of static trees (fetched from the controller); absent: static routes answer 503. */
  staticCache?: { dir: string; maxBytes?: number };
  /**
   * The native data plane in front of this replica (docs/data-plane.md, "On Kubernetes"): HAProxy
   * takes `port`, serves the running public Spaces of this replica's own route stream itself and
   * hands everything else (probes, metrics, every other Space) to this server on loopback.
   * `fallBackToNode` (`SPACEPORT_DATA_PLANE=auto`): an HAProxy that does not start leaves this server
   * on `port` itself, with a warning naming the reason, as the controller does; otherwise it is an error.
   */
  native?: { dir: string; binary?: string; fallBackToNode?: boolean };
}

export interface RunningProxyServer {
  port: number;
  server: http.Server;
  proxy: Proxy;
  routes: RemoteRouteSource;
  activity: HttpActivitySink;
  /** HAProxy in front, when `native` was given. */
  native?: NativeDataPlane;
  /** Stop listening, close the route stream, answer held requests, flush activity. */
  close(): Promise<void>;
}

/**
 * A proxy-only process (`spaceport proxy`): Space hosts are proxied with routes streamed from the
 * controller, activity and wakes go back over HTTP. Any other host answers 404, except the probes:
 * `GET /healthz` (readiness: 200 once a route snapshot is held) and `GET /livez` (liveness: always 200,
 * so a proxy started while the controller is down waits unready instead of being restarted in a loop).
 */
export async function startProxyServer(opts: ProxyServerOptions): Promise<RunningProxyServer> {
  const { controllerUrl, token, port, host, routeStream, activityRetry, operatorEndpoint, staticCache, native: nativeOptions, ...proxyOptions } = opts;
  const logger = opts.logger;
  const client = new ControllerClient({ controllerUrl, token });
  const routes = new RemoteRouteSource({ controllerUrl, token, logger, ...routeStream });
  const activity = new HttpActivitySink({ client, logger, retry: activityRetry });
  const waker = new HttpWaker(client, { timeoutMs: opts.wakeTimeoutMs });
  // Private apps: grants and cookies are signed with a key derived from the shared internal token;
  // bearer tokens are checked by the controller (POST /internal/access).
  const appAccess = { key: deriveGrantKey(token), checker: new HttpAccessChecker(client) };
  const staticTrees =
    proxyOptions.staticTrees ?? (staticCache ? new RemoteStaticTrees({ controllerUrl, token, cacheDir: staticCache.dir, maxBytes: staticCache.maxBytes, logger }) : undefined);
  const options: ProxyOptions = { ...proxyOptions, routes, activity, waker, appAccess, staticTrees };
  const proxy = createProxy(options);

  const server = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
    if (proxy.isSpaceHost(req.headers.host) !== undefined) {
      // Without a first snapshot every Space would look unknown (404): say "not yet" instead.
      if (!routes.hasSnapshot) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5', 'cache-control': 'no-store' }).end('The proxy has not received its routes from the controller yet.\n');
        return;
      }
      return proxy.handleRequest(req, res);
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === LIVE_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : '{"status":"ok"}');
      return;
    }
    if (path === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      const stream = routes.stats();
      const ok = routes.hasSnapshot;
      const body = JSON.stringify({ status: ok ? 'ok' : 'waiting for the first route snapshot', stream: stream.status.kind, routes: stream.routes, rev: stream.rev });
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (operatorEndpoint?.(req, res)) return;
    const body = JSON.stringify({ error: 'Not found: this port serves Spaces only.' });
    res.writeHead(404, { 'content-type': 'application/json', 'x-error-code': 'NotFound', 'x-error-message': 'Not found: this port serves Spaces only.' }).end(body);
  });
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    if (proxy.isSpaceHost(req.headers.host) !== undefined) {
      if (!routes.hasSnapshot) return void socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 5\r\nContent-Length: 0\r\n\r\n');
      return proxy.handleUpgrade(req, socket, head);
    }
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const shutdown = async () => {
    await routes.close();
    await proxy.close();
    await activity.close();
    await client.close();
  };
  let native: NativeDataPlane | undefined;
  try {
    if (nativeOptions) {
      // HAProxy takes the public port; this server gets its default backend's connections on loopback.
      native = await startNativeDataPlane({
        server,
        routes,
        activity,
        logger,
        dir: nativeOptions.dir,
        binary: nativeOptions.binary,
        host,
        port,
        domain: opts.domain,
        // The Node proxy's own deadline (its default applied), so both paths cut a silent app alike.
        upstreamTimeoutMs: resolveProxyOptions(options).upstreamTimeoutMs,
        ...(opts.hubOrigins ? { hubOrigins: opts.hubOrigins } : {}),
        ...(opts.frameAncestors ? { frameAncestors: opts.frameAncestors } : {}),
      }).catch((err: unknown) => {
        if (!nativeOptions.fallBackToNode) throw err;
        logger.warn({ err: (err as Error).message }, 'HAProxy did not start: the Node proxy serves every request (SPACEPORT_DATA_PLANE=auto)');
        return undefined;
      });
    }
    if (!native) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    }
  } catch (err) {
    await shutdown();
    throw err;
  }
  const bound = native ? native.port : (server.address() as AddressInfo).port;
  logger.info({ port: bound, controller: controllerUrl, domain: opts.domain, dataPlane: native ? 'haproxy' : 'node' }, 'spaceport proxy up');

  let closing: Promise<void> | undefined;
  return {
    port: bound,
    server,
    proxy,
    routes,
    activity,
    ...(native ? { native } : {}),
    close: () =>
      (closing ??= (async () => {
        await native?.close();
        server.close();
        server.closeAllConnections();
        await shutdown();
        logger.info('spaceport proxy stopped');
      })()),
  };
}
