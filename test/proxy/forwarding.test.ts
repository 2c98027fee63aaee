// The real proxy in front of real upstream http and SSE servers on loopback: routing, forwarding, pages.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { closeServer, DATA_PLANE, listen, request, runningRoute, sleep, startProxy, type ProxyHarness } from './harness.js';
import { standardRoutes, useTestApps } from './test-app.js';

const MB = 1024 * 1024;

let h: ProxyHarness;
const apps = useTestApps(() => h);

async function standard(): Promise<ProxyHarness> {
  h = await startProxy(standardRoutes(apps));
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
    h.routes.set(runningRoute('alice-demo', apps.bob.port, 'alice/demo'));
    // Through HAProxy the old endpoint stays mapped until the new one answers the driver's probe,
    // then the map switches in one step (the Node path is synchronous).
    const native = h.native;
    if (native) await vi.waitFor(async () => expect((await native.api.routes()).get('alice-demo.localhost')).toBe(`127.0.0.1:${apps.bob.port}`));
    expect((await request(h.port, { host: 'alice-demo.localhost', path: '/hello' })).body).toContain('bob');
    // alice's old endpoint serves no route: its pool was closed. Through HAProxy, bob's pool exists
    // only if Spaceport carried a request for it.
    if (h.native) expect(h.proxy.stats().pools).toBeLessThanOrEqual(1);
    else expect(h.proxy.stats().pools).toBe(1);
    h.routes.remove('alice-demo');
    await h.native?.driver.settled();
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
    await vi.waitFor(() => expect(apps.alice.releaseUpload).toBeDefined());
    let last = -1;
    while (last !== sent) {
      last = sent;
      await sleep(200);
    }
    expect(sent).toBeLessThan(16 * MB);
    apps.alice.releaseUpload!();
    const r = await reply;
    expect(r).toMatchObject({ status: 200, body: String(total) });
    expect(apps.alice.uploadHash).toBe(sentHash.digest('hex'));
    apps.alice.releaseUpload = undefined;
  });

  it('streams server-sent events chunk by chunk', async () => {
    await standard();
    apps.alice.sse = undefined;
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
    await vi.waitFor(() => expect(apps.alice.sse).toBeDefined());
    apps.alice.sse!.write('data: one\n\n');
    await vi.waitFor(() => expect(received.join('')).toBe('data: one\n\n'));
    // An open event stream counts as activity while it flows, not only when it opened.
    await vi.waitFor(() => expect(h.sink.spaces()).toContain('alice/demo'));
    await sleep(60);
    h.sink.clear();
    apps.alice.sse!.write('data: two\n\n');
    await vi.waitFor(() => expect(received.join('')).toBe('data: one\n\ndata: two\n\n'));
    // The Node path sees the chunk; HAProxy sees the stream open (it reports it each poll while open).
    if (DATA_PLANE === 'node') await vi.waitFor(() => expect(h.sink.spaces()).toEqual(['alice/demo']));
    else await vi.waitFor(() => expect(new Set(h.sink.spaces())).toEqual(new Set(['alice/demo'])));
    const ended = new Promise((r) => res.on('end', r));
    apps.alice.sse!.end();
    await ended;
  });

  it('aborts the upstream request when the client disconnects', async () => {
    await standard();
    apps.alice.closedRequests.length = 0;
    const req = http.get({ host: '127.0.0.1', port: h.port, path: '/hang', headers: { host: 'alice-demo.localhost' }, agent: false });
    req.on('error', () => undefined);
    await vi.waitFor(() => expect(apps.alice.lastHeaders['x-forwarded-host']).toBe('alice-demo.localhost'));
    await sleep(50);
    req.destroy();
    await vi.waitFor(() => expect(apps.alice.closedRequests).toContain('/hang:res'));
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
    h = await startProxy([runningRoute('alice-demo', apps.alice.port, 'alice/demo')], { upstreamTimeoutMs: 200 });
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

describe('status endpoint', () => {
  it('answers JSON on every Space host and is never forwarded', async () => {
    await standard();
    apps.alice.lastHeaders = {};
    const r = await request(h.port, { host: 'alice-demo.localhost', path: '/.spaceport/status' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ space: 'alice/demo', stage: 'RUNNING', target: 'running' });
    expect(apps.alice.lastHeaders).toEqual({});
    const missing = await request(h.port, { host: 'nobody.localhost', path: '/.spaceport/status' });
    expect(missing.status).toBe(404);
  });
});

describe('address helpers', () => {
  it('test apps listen on loopback', () => {
    expect((apps.alice.server.address() as AddressInfo).address).toBe('127.0.0.1');
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
