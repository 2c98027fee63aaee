import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { ActivityTracker } from './activity-tracker.js';
import type { AppGate } from './app-gate.js';
import type { HostMatcher } from './parse-host.js';
import type { ResolvedProxyOptions } from './proxy-options.js';
import type { RouteTable } from './route-table.js';
import type { StaticFileServer } from './static-file-server.js';
import type { UpstreamPools } from './upstream-pools.js';
import type { WakeCoordinator } from './wake-coordinator.js';

/** An open websocket (or other upgraded) connection: both sockets, destroyed together. */
export interface Tunnel {
  client: Duplex;
  upstream: Duplex;
}

/** What the request and upgrade handlers share; built once by `createProxy`. */
export interface ProxyContext {
  readonly opts: Readonly<ResolvedProxyOptions>;
  readonly logger: Logger;
  readonly hosts: HostMatcher;
  readonly routes: RouteTable;
  readonly pools: UpstreamPools;
  readonly activity: ActivityTracker;
  readonly wake: WakeCoordinator;
  /** Who may use private apps. */
  readonly gate: AppGate;
  readonly tunnels: Set<Tunnel>;
  /** Static Spaces' files, served here (absent without `staticTrees`). */
  readonly staticFiles?: StaticFileServer;
  closing: boolean;
}
