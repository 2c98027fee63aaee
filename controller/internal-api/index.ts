export { createInternalApi, INTERNAL_PREFIX, type InternalApi, type InternalApiOptions } from './internal-api.js';
export { bearerMatches } from './internal-auth.js';
export { RouteLog, type Frame } from './route-log.js';
export { RouteStreamServer, resumePointOf, type RouteStreamServerOptions } from './route-stream-server.js';
