/**
 * The Spaces reverse proxy. The composition root owns the node:http server and hands Space hosts over:
 *
 *   const proxy = createProxy({ routes, activity, waker, logger, domain: config.SPACEPORT_DOMAIN, ... });
 *   server.on('request', (req, res) => proxy.isSpaceHost(req.headers.host) !== undefined
 *     ? proxy.handleRequest(req, res) : api(req, res));
 *   server.on('upgrade', (req, socket, head) => proxy.isSpaceHost(req.headers.host) !== undefined
 *     ? proxy.handleUpgrade(req, socket, head) : socket.destroy());
 *   // shutdown: server.close(); await proxy.close();
 *
 * It never imports controller code: routes come from a `RouteSource`, activity goes to an
 * `ActivitySink` in batches, wakes go through a `Waker`. In-process those are the controller's own
 * objects; in a proxy-only process (`startProxyServer`) they are network clients of the controller's
 * internal API: `RemoteRouteSource` (websocket route stream, docs/route-stream.md), `HttpActivitySink`,
 * `HttpWaker`.
 */
export type { AccessChecker, Activity, ActivitySink, AppAccess, Endpoint, Route, RouteChange, RouteSource, RouteTarget, Waker } from './route.js';
export { appScopeOf } from './route.js';
export type { AppAccessOptions } from './app-gate.js';
export {
  APP_COOKIE,
  APP_COOKIE_TTL_SECONDS,
  deriveGrantKey,
  GRANT_PATH,
  GRANT_TTL_SECONDS,
  safeAppPath,
  signGrant,
} from './app-grant.js';
export { HttpAccessChecker } from './http-access-checker.js';
export { createProxy, type Proxy, type ProxyStats } from './create-proxy.js';
export type { ProxyOptions } from './proxy-options.js';
export { noProxyMetrics, type ProxyMetrics } from './proxy-metrics.js';
export { hostHeaderCount, subdomainOfHost } from './parse-host.js';
export { STATUS_PATH } from './route-responses.js';
export { WsFrameCounter } from './ws-frame-counter.js';
export { ControllerClient, ControllerRequestError, type ControllerClientOptions } from './controller-client.js';
export { RemoteRouteSource, type RemoteRouteSourceOptions, type RouteStreamStats, type RouteStreamStatus } from './remote-route-source.js';
export { RouteStreamState, type ApplyResult } from './route-stream-state.js';
export { HttpActivitySink, type ActivitySinkStats, type HttpActivitySinkOptions } from './http-activity-sink.js';
export { HttpWaker } from './http-waker.js';
export { HEALTH_PATH, LIVE_PATH, startProxyServer, type ProxyServerOptions, type RunningProxyServer } from './start-proxy-server.js';
export {
  ACCESS_PATH,
  accessBodySchema,
  ACTIVITY_PATH,
  activityBatchSchema,
  parseStreamMessage,
  ROUTE_STREAM_PATH,
  TREES_PATH,
  routeSchema,
  snapshotMessage,
  streamMessageSchema,
  WAKE_PATH,
  wakeBodySchema,
  type ResumePoint,
  type StreamMessage,
} from './route-stream-protocol.js';
export { LocalStaticTrees, TREE_HASH, type StaticTrees } from './static-trees.js';
export { RemoteStaticTrees, type RemoteStaticTreesOptions } from './remote-static-trees.js';
