import { spawnSync } from 'node:child_process';
import type http from 'node:http';
import net from 'node:net';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { ActivitySink, RouteSource } from '../route.js';
import { DataPlaneDriver } from './data-plane-driver.js';
import { HaproxyProcess } from './haproxy-process.js';
import { HaproxyRuntimeApi } from './haproxy-runtime-api.js';
import { proxyProtocolListener } from './proxy-protocol-listener.js';
import { haproxyFiles, renderAppErrorFile, renderHaproxyConfig } from './render-haproxy-config.js';
import { proxyPageSecurityHeaders } from '../page-security-headers.js';

export interface NativeDataPlaneOptions {
  /** Spaceport's server (hub, API, git, Node proxy): it gets HAProxy's default-backend traffic on loopback. */
  server: http.Server;
  routes: RouteSource;
  activity: ActivitySink;
  logger: Logger;
  clock?: Clock;
  /** HAProxy's own directory (config, socket 0600, map): `<data dir>/haproxy`. */
  dir: string;
  binary?: string;
  /** The public listener; port 0 picks a free one. */
  host: string;
  port: number;
  domain: string;
  hubHosts?: ReadonlySet<string>;
  /** The hub's origins (the page security headers name them, as the Node proxy's `hubOrigins`). */
  hubOrigins?: readonly string[];
  upstreamTimeoutMs: number;
  /** Origins that may frame apps (the Node proxy's `frameAncestors`). */
  frameAncestors?: readonly string[];
  /** Activity read period (default 1 s). */
  pollMs?: number;
  threads?: number;
}

export interface NativeDataPlane {
  /** The public port HAProxy listens on. */
  port: number;
  /** Spaceport's loopback port (HAProxy's default backend). */
  nodePort: number;
  driver: DataPlaneDriver;
  process: HaproxyProcess;
  api: HaproxyRuntimeApi;
  close(): Promise<void>;
}

/** The data plane in use, as `/metrics` reports it: the Node proxy for everything, or HAProxy in front with this many Spaces in its map. */
export type DataPlaneState = { plane: 'node' } | { plane: 'haproxy'; mappedSpaces: number; restarts: number };

/** What `/metrics` reports of a process's data plane (`native` undefined: the Node path). */
export function dataPlaneState(native: NativeDataPlane | undefined): DataPlaneState {
  if (native === undefined) return { plane: 'node' };
  return { plane: 'haproxy', mappedSpaces: native.driver.mapped, restarts: Math.max(0, native.process.starts - 1) };
}

/** Is there an haproxy binary that runs? (`auto` picks the native data plane only then.) */
export function haproxyAvailable(binary = 'haproxy'): boolean {
  const r = spawnSync(binary, ['-v'], { stdio: 'ignore', timeout: 5_000 });
  return r.status === 0;
}

async function listenOn(server: net.Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as net.AddressInfo).port;
}

/** A port free now on `host` (HAProxy binds it right after; port 0 cannot be asked of it and read back). */
async function freePort(host: string): Promise<number> {
  const probe = net.createServer();
  const port = await listenOn(probe, 0, host);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * The native data plane on one host: Spaceport's server moves to a loopback port behind a PROXY
 * protocol listener, HAProxy takes the public port (config rendered into `dir`), and a driver keeps
 * its Host map equal to the running public Spaces of the route stream, pushed whole at every
 * (re)start. `close()` stops HAProxy and the loopback listener.
 */
export async function startNativeDataPlane(o: NativeDataPlaneOptions): Promise<NativeDataPlane> {
  const loopback = proxyProtocolListener(o.server);
  const nodePort = await listenOn(loopback, 0, '127.0.0.1');
  const files = haproxyFiles(o.dir);
  const api = new HaproxyRuntimeApi({ socket: files.socket, map: files.map });
  const driver = new DataPlaneDriver({
    routes: o.routes,
    api,
    activity: o.activity,
    clock: o.clock ?? { now: () => Date.now() },
    logger: o.logger.child({ module: 'data-plane' }),
    domain: o.domain,
    hubHosts: o.hubHosts,
    pollMs: o.pollMs,
  });
  const port = o.port === 0 ? await freePort(o.host) : o.port;
  const proc = new HaproxyProcess({
    binary: o.binary,
    files,
    config: renderHaproxyConfig({
      files,
      bind: { host: o.host, port },
      nodePort,
      upstreamTimeoutMs: o.upstreamTimeoutMs,
      frameAncestors: o.frameAncestors?.length ? o.frameAncestors.join(' ') : undefined,
      threads: o.threads,
    }),
    appError: renderAppErrorFile(proxyPageSecurityHeaders(o.domain, false, o.hubOrigins ?? [])),
    logger: o.logger.child({ module: 'haproxy' }),
    onStarted: () => driver.resync(),
  });
  driver.start();
  try {
    await proc.start();
  } catch (err) {
    await driver.close();
    await new Promise<void>((resolve) => loopback.close(() => resolve()));
    throw err;
  }
  return {
    port,
    nodePort,
    driver,
    process: proc,
    api,
    close: async () => {
      await driver.close();
      await proc.close();
      await new Promise<void>((resolve) => loopback.close(() => resolve()));
    },
  };
}

/**
 * The data plane `SPACEPORT_DATA_PLANE` means here: `auto` is HAProxy where this process takes the
 * Spaces' public traffic (the controller on Docker; a proxy replica) and the binary runs.
 */
export function chooseDataPlane(setting: 'node' | 'haproxy' | 'auto', servesSpaces: boolean, binary = 'haproxy'): 'node' | 'haproxy' {
  if (setting !== 'auto') return setting;
  return servesSpaces && haproxyAvailable(binary) ? 'haproxy' : 'node';
}
