// The floor of the Node path, measured beside it (issue 22, item 4): the least a Node proxy built on
// the same parts as Spaceport's (node:http server, undici pool to the upstream) can cost per request,
// with no routing, headers, gates, metrics or activity. Spaceport's proxy CPU per request divided by
// this one's is what our own code adds. Usage: node-forwarder.ts <backendPort>; prints {"port":N}.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const backendPort = Number(process.argv[2]);
if (!Number.isInteger(backendPort) || backendPort <= 0) {
  process.stderr.write('usage: node-forwarder.ts <backendPort>\n');
  process.exit(2);
}
const pool = new Pool(`http://127.0.0.1:${backendPort}`, { connections: 64 });
const server = http.createServer((req, res) => {
  pool.request(
    { path: req.url ?? '/', method: req.method as 'GET', headers: req.headers, body: req.method === 'GET' || req.method === 'HEAD' ? null : req },
    (err, data) => {
      if (err) {
        res.statusCode = 502;
        res.end();
        return;
      }
      res.writeHead(data.statusCode, data.headers as http.OutgoingHttpHeaders);
      data.body.pipe(res);
    },
  );
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
