export type { Activity, ActivitySink, Endpoint, Route, RouteChange, RouteSource, RouteTarget, Waker } from './route.js';
export { createProxy, type Proxy, type ProxyStats } from './create-proxy.js';
export type { ProxyOptions } from './proxy-options.js';
export { subdomainOfHost } from './parse-host.js';
export { STATUS_PATH } from './route-responses.js';
export { WsFrameCounter } from './ws-frame-counter.js';
