// A process holding the native data plane on a data dir, as `spaceport up` does: for the test that
// kills it with SIGKILL and starts another on the same dir (test/proxy/native-data-plane.test.ts).
// Usage: native-data-plane-child.ts <dir>; prints {"port":N,"haproxyPid":N} once HAProxy serves.
import http from 'node:http';
import { silentLogger } from '../../core/logger.js';
import { startNativeDataPlane } from '../../proxy/data-plane/index.js';

const dir = process.argv[2]!;
const server = http.createServer((_req, res) => res.end('spaceport'));
const routes = { snapshot: () => [], subscribe: () => () => undefined };
const plane = await startNativeDataPlane({ server, routes, activity: { report: () => undefined }, logger: silentLogger(), dir, host: '127.0.0.1', port: 0, domain: 'localhost', upstreamTimeoutMs: 10_000 });
process.stdout.write(`${JSON.stringify({ port: plane.port, haproxyPid: plane.process.pid })}\n`);
