import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { requestIdFrom } from '../core/request-context.js';
import { ActivityTracker } from './activity-tracker.js';
import { AppGate } from './app-gate.js';
import { noProxyMetrics } from './proxy-metrics.js';
import { handleRequest } from './handle-request.js';
import { handleUpgrade } from './handle-upgrade.js';
import { HostMatcher } from './parse-host.js';
import type { ProxyContext } from './proxy-context.js';
import { resolveProxyOptions, type ProxyOptions } from './proxy-options.js';
import { endpointKey, RouteTable } from './route-table.js';
import { sendResponse } from './respond.js';
import { unavailableResponse } from './route-responses.js';
import { StaticFileServer } from './static-file-server.js';
import { UpstreamPools } from './upstream-pools.js';
import { WakeCoordinator } from './wake-coordinator.js';

const kStarted = Symbol('spaceport.started');
type TimedResponse = ServerResponse & { [kStarted]?: number };

export interface ProxyStats {
  routes: number;
  /** Open upstream pools (one per running endpoint that served a request). */
  pools: number;
  /** Open websocket/upgrade tunnels. */
  tunnels: number;
  /** Requests held while their Space wakes. */
  held: number;
}

export interface Proxy {
  /** Serve an HTTP request whose Host is a Space host. */
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  /** Serve an upgrade (websocket) request whose Host is a Space host. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** The Space subdomain of a Host header (`{subdomain}.{domain}[:port]`), or undefined for any other host. */
  isSpaceHost(host: string | undefined): string | undefined;
  stats(): ProxyStats;
  /** Answer held requests (503), flush activity, close tunnels and upstream pools. */
  close(): Promise<void>;
}

/** The Spaces reverse proxy: routes by Host, forwards to running apps, wakes sleeping ones. */
export function createProxy(options: ProxyOptions): Proxy {
  const opts = resolveProxyOptions(options);
  const logger = options.logger.child({ module: 'proxy' });
  const metrics = options.metrics ?? noProxyMetrics;
  const routes = new RouteTable(options.routes);
  const pools = new UpstreamPools({
    connectionsPerEndpoint: opts.connectionsPerEndpoint,
    connectTimeoutMs: opts.connectTimeoutMs,
  });
  const ctx: ProxyContext = {
    opts,
    logger,
    hosts: new HostMatcher(opts.domain),
    routes,
    pools,
    activity: new ActivityTracker({ sink: options.activity, clock: opts.clock, logger, flushMs: opts.activityFlushMs }),
    wake: new WakeCoordinator({
      routes,
      waker: options.waker,
      logger,
      timeoutMs: opts.wakeTimeoutMs,
      queueMax: opts.wakeQueueMax,
      metrics,
    }),
    gate: new AppGate(options.appAccess, opts.clock, logger),
    tunnels: new Set(),
    staticFiles: options.staticTrees
      ? new StaticFileServer({ trees: options.staticTrees, logger, cacheBytes: options.staticCacheBytes, frameAncestors: opts.frameAncestors })
      : undefined,
    closing: false,
  };
  // Close the pool of an endpoint once no route runs on it any more.
  routes.onChange((_sub, _route, previous) => {
    if (previous?.target.kind !== 'running') return;
    const key = endpointKey(previous.target.endpoint);
    if (!routes.hasEndpoint(key)) pools.drop(key);
  });
  let closed: Promise<void> | undefined;
  // Request metrics: one shared 'finish' listener (no closure per request), none at all without metrics.
  const timed = metrics !== noProxyMetrics;
  function onFinish(this: TimedResponse): void {
    metrics.request(this.statusCode, (performance.now() - (this[kStarted] ?? 0)) / 1000);
  }

  return {
    handleRequest(req, res) {
      if (ctx.closing) {
        sendResponse(res, unavailableResponse(ctx, undefined, 'The proxy is shutting down.'), req.method, ctx.opts.pageHeaders);
        return;
      }
      // A request id (the client's when sane) in the response, to the app, and in our log lines.
      const id = requestIdFrom(req.headers['x-request-id']);
      if (req.headers['x-request-id'] === undefined) req.rawHeaders.push('X-Request-Id', id);
      if (timed) {
        (res as TimedResponse)[kStarted] = performance.now();
        res.on('finish', onFinish); // once per response ('once' would wrap it per request)
      }
      try {
        handleRequest(ctx, req, res, id);
      } catch (err) {
        // A bug must cost one response, not the process.
        logger.error({ err, req: id, host: req.headers.host, url: req.url }, 'proxy request handler failed');
        if (res.headersSent) res.destroy();
        else {
          res.setHeader('x-request-id', id);
          sendResponse(res, unavailableResponse(ctx, undefined, 'The proxy failed on this request.'), undefined, ctx.opts.pageHeaders);
        }
      }
    },
    handleUpgrade(req, socket, head) {
      if (ctx.closing) {
        socket.destroy();
        return;
      }
      try {
        handleUpgrade(ctx, req, socket, head);
      } catch (err) {
        logger.error({ err, host: req.headers.host, url: req.url }, 'proxy upgrade handler failed');
        socket.destroy();
      }
    },
    isSpaceHost(host) {
      return ctx.hosts.match(host);
    },
    stats() {
      return { routes: routes.size, pools: pools.size, tunnels: ctx.tunnels.size, held: ctx.wake.heldCount() };
    },
    close() {
      closed ??= (async () => {
        ctx.closing = true;
        ctx.wake.close();
        routes.close();
        ctx.activity.close();
        for (const t of ctx.tunnels) {
          t.client.destroy();
          t.upstream.destroy();
        }
        ctx.tunnels.clear();
        await pools.close(opts.closeGraceMs);
      })();
      return closed;
    },
  };
}
