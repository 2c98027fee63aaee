// The real proxy in front of real upstream http, websocket and SSE servers on loopback.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { closeServer, listen, request, runningRoute, sleep, startProxy, type ProxyHarness } from './proxy-harness.js';

const MB = 1024 * 1024;

/** An app with the endpoints the tests need, and hooks to observe and drive it. */
class TestApp {
  readonly server: http.Server;
  readonly wss: WebSocketServer;
  port = 0;
  readonly closedRequests: string[] = [];
  lastHeaders: http.IncomingHttpHeaders = {};
  upgradeHeaders: http.IncomingHttpHeaders = {};
  sse: http.ServerResponse | undefined;
  releaseUpload: (() => void) | undefined;
  uploadHash: string | undefined;

  constructor(readonly name: string) {
    this.wss = new WebSocketServer({ noServer: true });
    this.wss.on('connection', (ws) => {
      ws.on('message', (data, binary) => ws.send(binary ? data : `echo:${data.toString()}`, { binary }));
      ws.send(`welcome from ${name}`);
    });
    this.server = http.createServer((req, res) => this.#handle(req, res));
    this.server.on('upgrade', (req, socket, head) => {
      this.upgradeHeaders = req.headers;
      if (req.url === '/no-ws') {
        socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 2\r\n\r\nno');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
    });
  }

  async start(): Promise<this> {
    this.port = await listen(this.server);
    return this;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    await closeServer(this.server);
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.lastHeaders = req.headers;
    const url = req.url ?? '/';
    if (url.startsWith('/hello')) {
      res.end(`hello from ${this.name} ${url}`);
    } else if (url === '/headers') {
      res.setHeader('content-type', 'application/json');
      res.setHeader('connection', 'keep-alive, x-private-hop');
      res.setHeader('x-private-hop', 'secret');
      res.end(JSON.stringify(req.headers));
    } else if (url === '/status/404' || url === '/status/500') {
      res.statusCode = Number(url.slice(-3));
      res.end('nope');
    } else if (url === '/upload') {
      // Read nothing until the test releases us: the client must stall, not the proxy buffer.
      const hash = createHash('sha256');
      let bytes = 0;
      this.releaseUpload = () => {
        req.on('data', (c: Buffer) => {
          bytes += c.length;
          hash.update(c);
        });
        req.on('end', () => {
          this.uploadHash = hash.digest('hex');
          res.end(String(bytes));
        });
      };
    } else if (url === '/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      this.sse = res;
    } else if (url === '/truncated') {
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(1000, 97));
      setTimeout(() => req.socket.destroy(), 20);
    } else if (url === '/echo-body') {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => res.end(Buffer.concat(parts)));
    } else if (url === '/hang') {
      req.on('close', () => this.closedRequests.push(url));
      res.on('close', () => this.closedRequests.push(`${url}:res`));
    } else {
      res.statusCode = 404;
      res.end();
    }
  }
}

let alice: TestApp;
let bob: TestApp;
let h: ProxyHarness;

beforeAll(async () => {
  alice = await new TestApp('alice').start();
  bob = await new TestApp('bob').start();
});
afterAll(async () => {
  await alice?.close();
  await bob?.close();
});
afterEach(async () => {
  await h?.close();
});

async function standard(): Promise<ProxyHarness> {
  h = await startProxy([runningRoute('alice-demo', alice.port, 'alice/demo'), runningRoute('bob-app', bob.port, 'bob/app')]);
  return h;
}

describe('routing', () => {
  it('routes every request by its own Host header, also on one keep-alive connection', async () => {
    await standard();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 3; i++) {
        const a = await request(h.port, { host: 'alice-demo.localhost', path: `/hello?i=${i}`, agent });
        const b = await request(h.port, { host: 'bob-app.localhost:8080', path: '/hello', agent });
        expect(a).toMatchObject({ status: 200, body: `hello from alice /hello?i=${i}` });
        expect(b).toMatchObject({ status: 200, body: 'hello from bob /hello' });
      }
      expect((await request(h.port, { host: 'x.y.alice-demo.localhost', path: '/hello' })).body).toBe('hello from alice /hello');
    } finally {
      agent.destroy();
    }
  });

  it('answers 404 with a page for an unknown Space, and leaves other hosts to the API', async () => {
    await standard();
    const r = await request(h.port, { host: 'nobody-here.localhost', path: '/' });
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toContain('text/html');
    expect(r.body).toContain('Space not found');
    expect((await request(h.port, { host: 'localhost:8080', path: '/' })).body).toBe('api');
    expect(h.proxy.isSpaceHost('127.0.0.1:8080')).toBeUndefined();
  });

  it('follows route changes and closes pools of endpoints that left', async () => {
    await standard();
    expect((await request(h.port, { host: 'alice-demo.localhost', path: '/hello' })).body).toContain('alice');
    h.routes.set(runningRoute('alice-demo', bob.port, 'alice/demo'));
    expect((await request(h.port, { host: 'alice-demo.localhost', path: '/hello' })).body).toContain('bob');
    expect(h.proxy.stats().pools).toBe(1); // alice's old endpoint serves no route: its pool was closed
    h.routes.remove('alice-demo');
    expect((await request(h.port, { host: 'alice-demo.localhost', path: '/hello' })).status).toBe(404);
  });
});

describe('forwarding', () => {
  it('sets X-Forwarded-*, keeps Host and strips hop-by-hop headers both ways', async () => {
    await standard();
    const r = await request(h.port, {
      host: 'alice-demo.localhost:8080',
      path: '/headers',
      headers: { connection: 'keep-alive, x-client-hop', 'x-client-hop': '1', 'x-forwarded-for': '203.0.113.9', 'x-custom': 'kept' },
    });
    const seen = JSON.parse(r.body) as Record<string, string>;
    expect(seen.host).toBe('alice-demo.localhost:8080');
    expect(seen['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-host']).toBe('alice-demo.localhost:8080');
    expect(seen['x-custom']).toBe('kept');
    expect(seen['x-client-hop']).toBeUndefined();
    expect(r.headers['x-private-hop']).toBeUndefined();
  });

  it('streams a 50 MB upload without buffering it', async () => {
    await standard();
    const total = 50 * MB;
    const chunk = Buffer.alloc(64 * 1024);
    let sent = 0;
    const sentHash = createHash('sha256');
    const body = new Readable({
      highWaterMark: 64 * 1024,
      read() {
        if (sent >= total) {
          this.push(null);
          return;
        }
        chunk.fill(sent / chunk.length);
        sentHash.update(chunk);
        sent += chunk.length;
        this.push(Buffer.from(chunk));
      },
    });
    const reply = request(h.port, {
      host: 'alice-demo.localhost',
      path: '/upload',
      method: 'POST',
      headers: { 'content-length': String(total), 'content-type': 'application/octet-stream' },
      body,
    });
    // While the app reads nothing, the client stalls after socket and stream buffers fill.
    await vi.waitFor(() => expect(alice.releaseUpload).toBeDefined());
    let last = -1;
    while (last !== sent) {
      last = sent;
      await sleep(200);
    }
    expect(sent).toBeLessThan(16 * MB);
    alice.releaseUpload!();
    const r = await reply;
    expect(r).toMatchObject({ status: 200, body: String(total) });
    expect(alice.uploadHash).toBe(sentHash.digest('hex'));
    alice.releaseUpload = undefined;
  });

  it('streams server-sent events chunk by chunk', async () => {
    await standard();
    alice.sse = undefined;
    const received: string[] = [];
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: h.port, path: '/sse', headers: { host: 'alice-demo.localhost', accept: 'text/event-stream' }, agent: false }, resolve)
        .on('error', reject);
    });
    // Headers arrive before any event.
    expect(res.headers['content-type']).toBe('text/event-stream');
    res.setEncoding('utf8');
    res.on('data', (c: string) => received.push(c));
    await vi.waitFor(() => expect(alice.sse).toBeDefined());
    alice.sse!.write('data: one\n\n');
    await vi.waitFor(() => expect(received.join('')).toBe('data: one\n\n'));
    // An open event stream counts as activity while it flows, not only when it opened.
    await vi.waitFor(() => expect(h.sink.spaces()).toContain('alice/demo'));
    await sleep(60);
    h.sink.clear();
    alice.sse!.write('data: two\n\n');
    await vi.waitFor(() => expect(received.join('')).toBe('data: one\n\ndata: two\n\n'));
    await vi.waitFor(() => expect(h.sink.spaces()).toEqual(['alice/demo']));
    const ended = new Promise((r) => res.on('end', r));
    alice.sse!.end();
    await ended;
  });

  it('aborts the upstream request when the client disconnects', async () => {
    await standard();
    alice.closedRequests.length = 0;
    const req = http.get({ host: '127.0.0.1', port: h.port, path: '/hang', headers: { host: 'alice-demo.localhost' }, agent: false });
    req.on('error', () => undefined);
    await vi.waitFor(() => expect(alice.lastHeaders['x-forwarded-host']).toBe('alice-demo.localhost'));
    await sleep(50);
    req.destroy();
    await vi.waitFor(() => expect(alice.closedRequests).toContain('/hang:res'));
  });

  it('handles Expect: 100-continue and HEAD', async () => {
    await standard();
    const reply = await new Promise<string>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: h.port,
        path: '/echo-body',
        method: 'POST',
        headers: { host: 'alice-demo.localhost', expect: '100-continue', 'content-length': '5' },
        agent: false,
      });
      req.on('continue', () => req.end('hello'));
      req.on('response', (res) => {
        let b = '';
        res.on('data', (c: Buffer) => (b += c.toString()));
        res.on('end', () => resolve(b));
      });
      req.on('error', reject);
    });
    expect(reply).toBe('hello');
    const head = await request(h.port, { host: 'alice-demo.localhost', path: '/hello', method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('cuts the client response when the app dies mid-body', async () => {
    await standard();
    const outcome = await new Promise<string>((resolve) => {
      http
        .get({ host: '127.0.0.1', port: h.port, path: '/truncated', headers: { host: 'alice-demo.localhost' }, agent: false }, (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () => resolve(`complete ${n}`));
          res.on('error', () => resolve(`cut after ${n}`));
          res.on('aborted', () => resolve(`cut after ${n}`));
        })
        .on('error', () => resolve('cut'));
    });
    expect(outcome).toMatch(/^cut/);
  });

  it('answers 502 when the app does not answer within the upstream timeout', async () => {
    h = await startProxy([runningRoute('alice-demo', alice.port, 'alice/demo')], { upstreamTimeoutMs: 200 });
    const r = await request(h.port, { host: 'alice-demo.localhost', path: '/hang' });
    expect(r.status).toBe(502);
  });

  it('answers 502 with a page when the app is down', async () => {
    const dead = http.createServer();
    const deadPort = await listen(dead);
    await closeServer(dead);
    h = await startProxy([runningRoute('gone-app', deadPort)]);
    const r = await request(h.port, { host: 'gone-app.localhost', path: '/' });
    expect(r.status).toBe(502);
    expect(r.body).toContain('The app did not answer');
    expect(h.sink.batches).toEqual([]);
  });
});

describe('websockets', () => {
  function connect(port: number, host: string, path = '/ws'): WebSocket {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: { host } });
    ws.on('error', () => undefined); // terminate() during a refused handshake emits one
    return ws;
  }

  it('relays messages both ways with X-Forwarded-* on the handshake', async () => {
    await standard();
    const ws = connect(h.port, 'alice-demo.localhost');
    const messages: string[] = [];
    ws.on('message', (d) => messages.push(d.toString()));
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    ws.send('hi');
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await vi.waitFor(() => expect(messages).toEqual(['welcome from alice', 'echo:hi', '\u0001\u0002\u0003']));
    expect(alice.upgradeHeaders['x-forwarded-for']).toBe('127.0.0.1');
    expect(alice.upgradeHeaders['x-forwarded-host']).toBe('alice-demo.localhost');
    expect(h.proxy.stats().tunnels).toBe(1);
    ws.close();
    await vi.waitFor(() => expect(h.proxy.stats().tunnels).toBe(0));
  });

  it('relays a refused upgrade and closes; unknown Spaces get 404', async () => {
    await standard();
    const refused = connect(h.port, 'alice-demo.localhost', '/no-ws');
    const status = await new Promise<number>((resolve) => refused.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(403);
    refused.terminate();
    const unknown = connect(h.port, 'nobody.localhost');
    const status404 = await new Promise<number>((resolve) => unknown.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status404).toBe(404);
    unknown.terminate();
    await vi.waitFor(() => expect(h.proxy.stats().tunnels).toBe(0));
  });

  it('answers 502 to a handshake when the app is down', async () => {
    const dead = http.createServer();
    const deadPort = await listen(dead);
    await closeServer(dead);
    h = await startProxy([runningRoute('gone-app', deadPort)]);
    const ws = connect(h.port, 'gone-app.localhost');
    expect(await new Promise<number>((r) => ws.on('unexpected-response', (_q, res) => r(res.statusCode ?? 0)))).toBe(502);
    ws.terminate();
    await vi.waitFor(() => expect(h.proxy.stats().tunnels).toBe(0));
  });

  it('closes the client when the app goes away', async () => {
    await standard();
    const ws = connect(h.port, 'bob-app.localhost');
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const closed = new Promise((r) => ws.once('close', r));
    for (const c of bob.wss.clients) c.terminate();
    await closed;
    await vi.waitFor(() => expect(h.proxy.stats().tunnels).toBe(0));
  });

  it('counts data frames as activity, never pings or pongs', async () => {
    await standard();
    const ws = connect(h.port, 'alice-demo.localhost');
    const welcome = new Promise((r) => ws.once('message', r)); // a data frame from the app
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    await welcome;
    await vi.waitFor(() => expect(h.sink.spaces()).toContain('alice/demo'));
    await sleep(60);
    h.sink.clear();
    // Client pings (the app's ws answers pongs) and app pings (the client answers pongs).
    let pongs = 0;
    ws.on('pong', () => pongs++);
    for (let i = 0; i < 5; i++) {
      ws.ping();
      for (const c of alice.wss.clients) c.ping();
    }
    await vi.waitFor(() => expect(pongs).toBe(5));
    await sleep(100); // several flush intervals
    expect(h.sink.spaces()).toEqual([]);
    ws.send('real data');
    await vi.waitFor(() => expect(h.sink.spaces()).toEqual(['alice/demo']));
    ws.close();
  });
});

describe('activity', () => {
  it('reports app responses in coalesced batches, not our pages or app errors', async () => {
    h = await startProxy([
      runningRoute('alice-demo', alice.port, 'alice/demo'),
      { subdomain: 'paused-one', space: 'o/paused', stage: 'PAUSED', target: { kind: 'paused' } },
    ]);
    h.sink.clear();
    await Promise.all(Array.from({ length: 30 }, () => request(h.port, { host: 'alice-demo.localhost', path: '/hello' })));
    await request(h.port, { host: 'paused-one.localhost', path: '/' });
    await vi.waitFor(() => expect(h.sink.spaces()).toContain('alice/demo'));
    await sleep(60);
    expect(h.sink.batches.length).toBeLessThan(30);
    expect(h.sink.spaces().filter((s) => s === 'alice/demo').length).toBe(h.sink.batches.length);
    expect(h.sink.spaces()).not.toContain('o/paused');
    for (const b of h.sink.batches) expect(new Set(b.map((a) => a.space)).size).toBe(b.length);
    h.sink.clear();
    await request(h.port, { host: 'alice-demo.localhost', path: '/status/404' });
    await request(h.port, { host: 'alice-demo.localhost', path: '/status/500' });
    await sleep(60);
    expect(h.sink.spaces()).toEqual([]);
  });

  it('flushes pending activity on close', async () => {
    h = await startProxy([runningRoute('alice-demo', alice.port, 'alice/demo')], { activityFlushMs: 0 });
    await request(h.port, { host: 'alice-demo.localhost', path: '/hello' });
    expect(h.sink.batches).toEqual([]);
    await h.proxy.close();
    expect(h.sink.batches).toEqual([[{ space: 'alice/demo', at: 1_000_000 }]]);
  });
});

describe('status endpoint', () => {
  it('answers JSON on every Space host and is never forwarded', async () => {
    await standard();
    alice.lastHeaders = {};
    const r = await request(h.port, { host: 'alice-demo.localhost', path: '/.spaceport/status' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ space: 'alice/demo', stage: 'RUNNING', target: 'running' });
    expect(alice.lastHeaders).toEqual({});
    const missing = await request(h.port, { host: 'nobody.localhost', path: '/.spaceport/status' });
    expect(missing.status).toBe(404);
  });
});

describe('address helpers', () => {
  it('test apps listen on loopback', () => {
    expect((alice.server.address() as AddressInfo).address).toBe('127.0.0.1');
  });
});

describe('pages', () => {
  it('pending, failed and paused Spaces get 503 pages naming the stage; nothing wakes', async () => {
    h = await startProxy([
      { subdomain: 'building', space: 'o/building', stage: 'BUILDING', target: { kind: 'pending', stage: 'BUILDING', message: 'Step 3/7' } },
      { subdomain: 'broken', space: 'o/broken', stage: 'BUILD_ERROR', target: { kind: 'failed', stage: 'BUILD_ERROR', message: 'pip: No matching distribution found for torch==0.0.1' } },
      { subdomain: 'paused', space: 'o/paused', stage: 'PAUSED', target: { kind: 'paused' } },
    ]);
    const pending = await request(h.port, { host: 'building.localhost', headers: { accept: 'text/html' } });
    expect(pending.status).toBe(503);
    expect(pending.headers['retry-after']).toBe('5');
    expect(pending.body).toContain('BUILDING');
    expect(pending.body).toContain('Step 3/7');
    expect(pending.body).toContain('http-equiv="refresh"');
    const failed = await request(h.port, { host: 'broken.localhost' });
    expect(failed.status).toBe(503);
    expect(failed.headers['x-spaceport-stage']).toBe('BUILD_ERROR');
    expect(failed.body).toContain('BUILD_ERROR');
    expect(failed.body).toContain('No matching distribution found for torch==0.0.1');
    const paused = await request(h.port, { host: 'paused.localhost', headers: { accept: 'text/html' } });
    expect(paused.status).toBe(503);
    expect(paused.body).toContain('This Space has been paused by its owner');
    const ws = new WebSocket(`ws://127.0.0.1:${h.port}/ws`, { headers: { host: 'paused.localhost' } });
    ws.on('error', () => undefined);
    expect(await new Promise<number>((r) => ws.on('unexpected-response', (_q, res) => r(res.statusCode ?? 0)))).toBe(503);
    ws.terminate();
    expect(h.waker.calls).toEqual([]);
  });
});

describe('wake', () => {
  const sleepy = { subdomain: 'sleepy-app', space: 'o/sleepy', stage: 'STOPPED', target: { kind: 'sleeping' } } as const;

  it('100 concurrent requests to a sleeping Space: one wake call, all answered by the app once it runs', async () => {
    h = await startProxy([sleepy]);
    const replies = Promise.all(
      Array.from({ length: 100 }, (_, i) => request(h.port, { host: 'sleepy-app.localhost', path: `/hello?n=${i}` })),
    );
    await vi.waitFor(() => expect(h.proxy.stats().held).toBe(100), { timeout: 10_000 });
    expect(h.waker.calls).toEqual(['o/sleepy']);
    const status = await request(h.port, { host: 'sleepy-app.localhost', path: '/.spaceport/status' });
    expect(JSON.parse(status.body)).toEqual({ space: 'o/sleepy', stage: 'STOPPED', target: 'sleeping' });
    h.routes.set({ ...sleepy, stage: 'APP_STARTING', target: { kind: 'waking' } });
    h.routes.set(runningRoute('sleepy-app', alice.port, 'o/sleepy'));
    const all = await replies;
    expect(all.map((r) => r.status)).toEqual(Array(100).fill(200));
    all.forEach((r, i) => expect(r.body).toBe(`hello from alice /hello?n=${i}`));
    expect(h.waker.calls).toEqual(['o/sleepy']);
    expect(h.proxy.stats().held).toBe(0);
  });

  it('a browser gets the waking page at once, and the next sleep wakes again', async () => {
    h = await startProxy([sleepy]);
    const r = await request(h.port, { host: 'sleepy-app.localhost', headers: { accept: 'text/html,*/*;q=0.8' } });
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('5');
    expect(r.body).toContain('Waking up this Space');
    expect(r.body).toContain('/.spaceport/status');
    await request(h.port, { host: 'sleepy-app.localhost', headers: { accept: 'text/html' } });
    expect(h.waker.calls).toEqual(['o/sleepy']);
    h.routes.set(runningRoute('sleepy-app', alice.port, 'o/sleepy'));
    h.routes.set(sleepy);
    await request(h.port, { host: 'sleepy-app.localhost', headers: { accept: 'text/html' } });
    expect(h.waker.calls).toEqual(['o/sleepy', 'o/sleepy']);
  });

  it('held requests time out with 503 and Retry-After', async () => {
    h = await startProxy([sleepy], { wakeTimeoutMs: 200 });
    const r = await request(h.port, { host: 'sleepy-app.localhost', path: '/api/predict', method: 'POST', body: '{}' });
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('5');
    expect(JSON.parse(r.body).error).toMatch(/did not wake in time/);
    expect(h.proxy.stats().held).toBe(0);
  });

  it('a full queue answers 503 at once; a held client that leaves is dropped', async () => {
    h = await startProxy([sleepy], { wakeQueueMax: 2 });
    const a = http.get({ host: '127.0.0.1', port: h.port, path: '/', headers: { host: 'sleepy-app.localhost' }, agent: false });
    a.on('error', () => undefined);
    const b = http.get({ host: '127.0.0.1', port: h.port, path: '/', headers: { host: 'sleepy-app.localhost' }, agent: false });
    b.on('error', () => undefined);
    await vi.waitFor(() => expect(h.proxy.stats().held).toBe(2));
    const overflow = await request(h.port, { host: 'sleepy-app.localhost' });
    expect(overflow.status).toBe(503);
    expect(overflow.headers['retry-after']).toBe('5');
    a.destroy();
    b.destroy();
    await vi.waitFor(() => expect(h.proxy.stats().held).toBe(0));
  });

  it('no-wake paths and user agents get 503 without waking; paused never wakes', async () => {
    h = await startProxy([sleepy, { subdomain: 'paused', space: 'o/paused', stage: 'PAUSED', target: { kind: 'paused' } }], {
      noWakePaths: ['/healthz'],
      noWakeUserAgents: ['UptimeRobot'],
    });
    const health = await request(h.port, { host: 'sleepy-app.localhost', path: '/healthz' });
    expect(health.status).toBe(503);
    expect(health.headers['retry-after']).toBe('5');
    const monitor = await request(h.port, { host: 'sleepy-app.localhost', headers: { 'user-agent': 'Mozilla/5.0+(compatible; UptimeRobot/2.0)' } });
    expect(monitor.status).toBe(503);
    expect((await request(h.port, { host: 'paused.localhost' })).status).toBe(503);
    expect(h.waker.calls).toEqual([]);
  });

  it('a websocket handshake to a sleeping Space is held and then relayed', async () => {
    h = await startProxy([sleepy]);
    const ws = new WebSocket(`ws://127.0.0.1:${h.port}/ws`, { headers: { host: 'sleepy-app.localhost' } });
    const first = new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
    await vi.waitFor(() => expect(h.proxy.stats().held).toBe(1));
    expect(h.waker.calls).toEqual(['o/sleepy']);
    h.routes.set(runningRoute('sleepy-app', bob.port, 'o/sleepy'));
    expect(await first).toBe('welcome from bob');
    ws.close();
    await vi.waitFor(() => expect(h.proxy.stats().tunnels).toBe(0));
  });
});
