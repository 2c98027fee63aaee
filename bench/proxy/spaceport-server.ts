// The Spaceport proxy as the composition root wires it: one node:http server, Space hosts go to the
// proxy, anything else to the API (here a 404). Usage: spaceport-server.ts <backendPort> <subdomain>.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../core/logger.js';
import { createProxy } from '../../proxy/index.js';

const backendPort = Number(process.argv[2]);
const subdomain = process.argv[3] ?? 'bench-app';
if (!Number.isInteger(backendPort) || backendPort <= 0) {
  process.stderr.write('usage: spaceport-server.ts <backendPort> [subdomain]\n');
  process.exit(2);
}

const proxy = createProxy({
  routes: {
    snapshot: () => [
      {
        subdomain,
        space: `bench/${subdomain}`,
        stage: 'RUNNING',
        target: { kind: 'running', endpoint: { host: '127.0.0.1', port: backendPort } },
      },
    ],
    subscribe: () => () => undefined,
  },
  activity: { report: () => undefined },
  waker: { wake: async () => undefined },
  logger: silentLogger(),
  domain: 'localhost',
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
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void proxy.close().then(() => process.exit(0));
});
