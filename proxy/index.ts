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
 * `ActivitySink` in batches, wakes go through a `Waker`.
 */
export type { Activity, ActivitySink, Endpoint, Route, RouteChange, RouteSource, RouteTarget, Waker } from './route.js';
export { createProxy, type Proxy, type ProxyStats } from './create-proxy.js';
export type { ProxyOptions } from './proxy-options.js';
export { subdomainOfHost } from './parse-host.js';
export { STATUS_PATH } from './route-responses.js';
export { WsFrameCounter } from './ws-frame-counter.js';
