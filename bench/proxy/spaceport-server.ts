// The Spaceport proxy as the composition root wires it: one node:http server, Space hosts go to the
// proxy, anything else to the API (here a 404). Usage: spaceport-server.ts <backendPort> <subdomain> [native].
// With `native`, HAProxy is in front as SPACEPORT_DATA_PLANE=haproxy runs it (the Space in its map,
// Spaceport on loopback as the default backend); the line printed names HAProxy's port and pid.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../core/logger.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startNativeDataPlane, type NativeDataPlane } from '../../proxy/data-plane/index.js';
import { createProxy, type Route } from '../../proxy/index.js';
import { SpaceportMetrics } from '../../controller/metrics/index.js';

const backendPort = Number(process.argv[2]);
const subdomain = process.argv[3] ?? 'bench-app';
if (!Number.isInteger(backendPort) || backendPort <= 0) {
  process.stderr.write('usage: spaceport-server.ts <backendPort> [subdomain]\n');
  process.exit(2);
}

const native = process.argv[4] === 'native';
const route: Route = { subdomain, space: `bench/${subdomain}`, stage: 'RUNNING', target: { kind: 'running', endpoint: { host: '127.0.0.1', port: backendPort } } };
const routes = { snapshot: () => [route], subscribe: () => () => undefined };
// Request metrics as the composition root counts them (controller/main.ts passes its SpaceportMetrics);
// SPACEPORT_BENCH_METRICS=off leaves them out (what the proxy costs without them).
const metrics = process.env.SPACEPORT_BENCH_METRICS === 'off' ? undefined : new SpaceportMetrics({ heldRequests: () => 0, spacesByStage: () => ({}) }, { processMetrics: false });
const proxy = createProxy({
  routes,
  activity: { report: () => undefined },
  waker: { wake: async () => undefined },
  logger: silentLogger(),
  domain: 'localhost',
  ...(metrics ? { metrics } : {}),
});

const server = http.createServer((req, res) => {
  if (proxy.isSpaceHost(req.headers.host) !== undefined) proxy.handleRequest(req, res);
  else {
    res.statusCode = 404;
    res.end();
  }
});
server.on('upgrade', (req, socket, head) => {
  if (proxy.isSpaceHost(req.headers.host) !== undefined) proxy.handleUpgrade(req, socket, head);
  else socket.destroy();
});
let plane: NativeDataPlane | undefined;
const dir = native ? mkdtempSync(path.join(tmpdir(), 'spaceport-bench-native-')) : undefined;
if (dir) {
  void startNativeDataPlane({
    server,
    routes,
    activity: { report: () => undefined },
    logger: silentLogger(),
    dir,
    host: '127.0.0.1',
    port: 0,
    domain: 'localhost',
    upstreamTimeoutMs: 300_000,
  }).then(async (p) => {
    plane = p;
    while (p.driver.mapped < 1) await new Promise((r) => setTimeout(r, 10));
    process.stdout.write(`${JSON.stringify({ port: p.port, haproxyPid: p.process.pid })}\n`);
  });
} else {
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  });
}
process.on('SIGTERM', () => {
  void (async () => {
    await plane?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    server.closeAllConnections();
    server.close();
    await proxy.close();
    process.exit(0);
  })();
});
