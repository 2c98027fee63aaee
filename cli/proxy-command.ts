import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../core/index.js';
import { countByStage, createMetricsEndpoint, SpaceportMetrics } from '../controller/metrics/index.js';
import { startProxyServer, type RunningProxyServer } from '../proxy/index.js';
import { chooseDataPlane, dataPlaneState } from '../proxy/data-plane/index.js';
import { flagsToEnv } from './flags.js';
import { parseProxyConfig } from './proxy-config.js';

export const PROXY_USAGE = `  spaceport proxy [--port 8080] [--host 0.0.0.0] [--domain localhost] [--log-level info]
                             a proxy replica: SPACEPORT_CONTROLLER_URL and SPACEPORT_INTERNAL_TOKEN required`;

/**
 * `spaceport proxy`: serve Space hosts with routes streamed from the controller (any number of
 * replicas), `GET /healthz` (readiness) and `GET /livez` (liveness) for probes. Exits 1 with a
 * message naming the setting on bad config or a port in use.
 */
export async function runProxy(args: string[], fail: (text: string) => never): Promise<void> {
  const flags = flagsToEnv(args);
  if (!flags.ok) fail(`${flags.problem}\n\nUsage:\n${PROXY_USAGE}`);
  const parsed = parseProxyConfig({ ...process.env, ...flags.env });
  if (!parsed.ok) fail(`spaceport proxy: invalid settings:\n${parsed.problems.map((p) => `  - ${p}`).join('\n')}`);
  const config = parsed.config;
  const logger = createLogger({ level: config.SPACEPORT_LOG_LEVEL });
  let running: RunningProxyServer | undefined;
  // Prometheus metrics of this replica at /metrics on its port (same access rules as the controller's).
  const metrics = new SpaceportMetrics({
    heldRequests: () => running?.proxy.stats().held ?? 0,
    spacesByStage: () => countByStage(running?.routes.snapshot() ?? []),
    dataPlane: () => dataPlaneState(running?.native),
  });
  // HAProxy in front of this replica (SPACEPORT_DATA_PLANE=haproxy, or auto with the binary here).
  const dataPlane = chooseDataPlane(config.SPACEPORT_DATA_PLANE, true, config.SPACEPORT_HAPROXY);
  try {
    running = await startProxyServer({
      metrics,
      operatorEndpoint: createMetricsEndpoint({ metrics, access: config.SPACEPORT_METRICS, token: config.SPACEPORT_METRICS_TOKEN, logger }),
      controllerUrl: config.SPACEPORT_CONTROLLER_URL,
      token: config.SPACEPORT_INTERNAL_TOKEN,
      port: config.SPACEPORT_PORT,
      host: config.SPACEPORT_HOST,
      domain: config.SPACEPORT_DOMAIN,
      logger,
      wakeTimeoutMs: config.SPACEPORT_WAKE_TIMEOUT_MS,
      wakeQueueMax: config.SPACEPORT_WAKE_QUEUE_MAX,
      noWakePaths: config.SPACEPORT_NO_WAKE_PATHS,
      noWakeUserAgents: config.SPACEPORT_NO_WAKE_USER_AGENTS,
      upstreamTimeoutMs: config.SPACEPORT_UPSTREAM_TIMEOUT_MS,
      // Static Spaces' trees, fetched from the controller; one directory per replica port (emptied at start).
      staticCache: { dir: path.join(tmpdir(), 'spaceport-proxy-trees', String(config.SPACEPORT_PORT || process.pid)), maxBytes: config.SPACEPORT_PROXY_TREE_CACHE },
      ...(dataPlane === 'haproxy' ? { native: { dir: path.join(tmpdir(), 'spaceport-haproxy', String(config.SPACEPORT_PORT || process.pid)), binary: config.SPACEPORT_HAPROXY, fallBackToNode: config.SPACEPORT_DATA_PLANE === 'auto' } } : {}),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      fail(`spaceport proxy: port ${config.SPACEPORT_PORT} on ${config.SPACEPORT_HOST} is already in use (SPACEPORT_PORT / --port): stop what listens there or choose another port.`);
    }
    if (code === 'EADDRNOTAVAIL' || code === 'EACCES') {
      fail(`spaceport proxy: cannot listen on ${config.SPACEPORT_HOST}:${config.SPACEPORT_PORT} (${code}; SPACEPORT_HOST / SPACEPORT_PORT).`);
    }
    throw err;
  }
  const server = running;
  process.stdout.write(`\nSpaceport proxy is up: Spaces at http://{owner}-{name}.${config.SPACEPORT_DOMAIN}:${server.port}, routes from ${config.SPACEPORT_CONTROLLER_URL}, data plane ${server.native ? 'haproxy' : 'node'}\n`);
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
