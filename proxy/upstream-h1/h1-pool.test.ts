import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { H1Pool } from './h1-pool.js';
import type { UpstreamHandler, UpstreamRequest } from './upstream-request.js';

interface Outcome {
  status?: number;
  headers?: string[];
  body: string;
  error?: Error & { code?: string };
}

function send(pool: H1Pool, req: Partial<UpstreamRequest>, opts: { onData?: (c: Buffer, resume: () => void) => boolean } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const out: Outcome = { body: '' };
    let resume: () => void = () => undefined;
    const handler: UpstreamHandler = {
      onConnect: () => undefined,
      onHeaders: (status, headers, r) => {
        out.status = status;
        out.headers = headers;
        resume = r;
        return true;
      },
      onData: (chunk) => {
        out.body += chunk.toString();
        return opts.onData ? opts.onData(chunk, resume) : true;
      },
      onComplete: () => resolve(out),
      onError: (error) => resolve({ ...out, error }),
    };
    pool.dispatch({ method: 'GET', path: '/', headers: ['host', 'app'], body: null, headersTimeout: 0, bodyTimeout: 0, ...req }, handler);
  });
}

let server: http.Server;
let pool: H1Pool;

async function start(handler: http.RequestListener, connections = 4): Promise<void> {
  server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  pool = new H1Pool({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, connections, connectTimeoutMs: 2000 });
}

afterEach(async () => {
  await pool?.destroy();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

describe('H1Pool', () => {
  it('carries sequential requests on one keep-alive connection', async () => {
    const ports = new Set<number>();
    await start((req, res) => {
      ports.add(req.socket.remotePort!);
      res.end(`hi ${req.url}`);
    });
    for (const p of ['/a', '/b', '/c']) expect((await send(pool, { path: p })).body).toBe(`hi ${p}`);
    expect(ports.size).toBe(1);
    expect(pool.connections).toBe(1);
  });

  it('sends a body without a length chunked, and one with a length as it is', async () => {
    await start((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => res.end(`${req.headers['transfer-encoding'] ?? 'length ' + req.headers['content-length']}:${body}`));
    });
    const chunked = await send(pool, { method: 'POST', body: Readable.from([Buffer.from('one '), Buffer.from('two')]) });
    expect(chunked.body).toBe('chunked:one two');
    const sized = await send(pool, { method: 'POST', headers: ['host', 'app', 'content-length', '5'], body: Readable.from([Buffer.from('hello')]) });
    expect(sized.body).toBe('length 5:hello');
  });

  it('queues requests beyond its connection limit', async () => {
    let open = 0;
    let most = 0;
    await start((_req, res) => {
      open += 1;
      most = Math.max(most, open);
      setTimeout(() => {
        open -= 1;
        res.end('ok');
      }, 20);
    }, 2);
    const all = await Promise.all(Array.from({ length: 6 }, () => send(pool, {})));
    expect(all.every((o) => o.body === 'ok')).toBe(true);
    expect(most).toBe(2);
  });

  it('pauses reading the app while the handler asks, and resumes', async () => {
    const big = 'x'.repeat(4 * 1024 * 1024);
    await start((_req, res) => res.end(big));
    let paused = 0;
    const out = await send(pool, {}, {
      onData: (_c, resume) => {
        paused += 1;
        setTimeout(resume, 1);
        return false;
      },
    });
    expect(out.body.length).toBe(big.length);
    expect(paused).toBeGreaterThan(1);
  });

  it('fails with the error codes the proxy reads: refused, headers timeout, a cut body', async () => {
    await start((req, res) => {
      if (req.url === '/slow') return; // never answers
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    expect((await send(pool, { path: '/slow', headersTimeout: 100 })).error?.code).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect((await send(pool, { path: '/cut' })).error?.code).toBe('UND_ERR_SOCKET');
    const refused = new H1Pool({ host: '127.0.0.1', port: 1, connections: 1, connectTimeoutMs: 1000 });
    expect((await send(refused, {})).error?.code).toBe('ECONNREFUSED');
    await refused.close();
  });

  it('a stalled body fails with the body timeout; on a reused connection each request gets its whole timeout again', async () => {
    await start((req, res) => {
      if (req.url === '/stall') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial'); // then nothing
        return;
      }
      // Head and body each come 120 ms late: within a 200 ms timeout only if every wait starts afresh.
      setTimeout(() => {
        res.writeHead(200, { 'content-length': '2' });
        res.write('o');
        setTimeout(() => res.end('k'), 120);
      }, 120);
    });
    const opts = { headersTimeout: 200, bodyTimeout: 200 };
    for (let i = 0; i < 3; i++) expect(await send(pool, { path: '/late', ...opts })).toMatchObject({ status: 200, body: 'ok' });
    expect((await send(pool, { path: '/stall', ...opts })).error?.code).toBe('UND_ERR_BODY_TIMEOUT');
  });

  it("opens a new connection after the app closed an idle one, and keeps idle ones no longer than the app's Keep-Alive hint", async () => {
    await start((_req, res) => {
      res.setHeader('keep-alive', 'timeout=1');
      res.end('ok');
    });
    expect((await send(pool, {})).body).toBe('ok');
    expect(pool.connections).toBe(1);
    // timeout=1 leaves no idle time at all (a second of margin): the connection is closed at once.
    await new Promise((r) => setTimeout(r, 50));
    expect(pool.connections).toBe(0);
    server.closeAllConnections();
    expect((await send(pool, {})).body).toBe('ok');
  });

  it('answers requests after close with an error, and close waits for in-flight ones', async () => {
    await start((_req, res) => setTimeout(() => res.end('late'), 50));
    const inflight = send(pool, {});
    await new Promise((r) => setTimeout(r, 10));
    const closed = pool.close();
    expect((await send(pool, {})).error?.code).toBe('UND_ERR_CLOSED');
    expect((await inflight).body).toBe('late');
    await closed;
    expect(pool.connections).toBe(0);
  });
});
