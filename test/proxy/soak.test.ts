// ~2 minutes of bounded mixed traffic through the real proxy (keep-alive HTTP, websockets, SSE, aborted
// requests, apps dying mid-response, held requests to a sleeping Space); afterwards open sockets and
// heap must be back near their baselines. Duration: SPACEPORT_SOAK_SECONDS (default 180: several minutes, as the issue asks).
import { readdirSync } from 'node:fs';
import http from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { closeServer, listen, request, runningRoute, sleep, startProxy, type ProxyHarness } from './harness.js';

const SECONDS = Math.max(5, Number(process.env.SPACEPORT_SOAK_SECONDS ?? 180));
const MAX_ITERATIONS = 2_000_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await sleep(50);
  }
  return process.memoryUsage().heapUsed;
}

function startApp(): { server: http.Server; wss: WebSocketServer } {
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (ws) => {
    ws.on('error', () => undefined);
    ws.on('message', (data) => {
      if (data.toString() === 'die') ws.terminate();
      else ws.send(data);
    });
  });
  const server = http.createServer((req, res) => {
    res.on('error', () => undefined);
    const url = req.url ?? '/';
    if (url.startsWith('/hello')) res.end('hello');
    else if (url === '/slow') {
      const t = setTimeout(() => res.end('slow'), 50);
      res.on('close', () => clearTimeout(t));
    } else if (url === '/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const t = setInterval(() => res.write('data: tick\n\n'), 20);
      res.on('close', () => clearInterval(t));
    } else if (url === '/die') {
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(1000));
      setTimeout(() => req.socket.destroy(), 5);
    } else if (url === '/upload') {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => res.end(String(n)));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
  return { server, wss };
}

describe('proxy soak', () => {
  let app: ReturnType<typeof startApp>;
  let h: ProxyHarness;
  let appPort = 0;

  beforeAll(async () => {
    app = startApp();
    appPort = await listen(app.server);
    h = await startProxy(
      [
        runningRoute('soak-app', appPort, 'soak/app'),
        { subdomain: 'soak-sleepy', space: 'soak/sleepy', stage: 'STOPPED', target: { kind: 'sleeping' } },
      ],
      { wakeTimeoutMs: 100, activityFlushMs: 1000 },
    );
  });

  afterAll(async () => {
    await h?.close();
    for (const c of app?.wss.clients ?? []) c.terminate();
    app?.wss.close();
    if (app) await closeServer(app.server);
  });

  it(`runs ${SECONDS}s of mixed traffic and returns to baseline`, { timeout: (SECONDS + 120) * 1000 }, async () => {
    const host = 'soak-app.localhost';
    const fdBaseline = openFds();
    const counts = { http: 0, httpBad: 0, ws: 0, wsKilled: 0, sse: 0, aborted: 0, died: 0, held: 0, uploads: 0 };

    async function loop(deadline: number, body: () => Promise<void>): Promise<void> {
      for (let i = 0; i < MAX_ITERATIONS && Date.now() < deadline; i++) await body().catch(() => undefined);
    }

    async function traffic(seconds: number): Promise<void> {
      const deadline = Date.now() + seconds * 1000;
      const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
      const httpWorker = (): Promise<void> =>
        loop(deadline, async () => {
          const r = await request(h.port, { host, path: `/hello?i=${counts.http}`, agent });
          counts.http++;
          if (r.status !== 200 || r.body !== 'hello') counts.httpBad++;
        });
      const wsWorker = (): Promise<void> =>
        loop(deadline, async () => {
          const ws = new WebSocket(`ws://127.0.0.1:${h.port}/ws`, { headers: { host } });
          ws.on('error', () => undefined);
          try {
            await new Promise((r, j) => ws.once('open', r).once('error', j).once('close', j));
            let echoed: (() => void) | undefined;
            let closed = false;
            ws.on('message', () => echoed?.());
            ws.once('close', () => {
              closed = true;
              echoed?.();
            });
            for (let m = 0; m < 10 && !closed; m++) {
              const echo = new Promise<void>((r) => (echoed = r));
              ws.send(`m${m}`);
              await echo;
              if (m % 3 === 0 && !closed) ws.ping();
            }
            if (closed) throw new Error('websocket closed early');
            const n = counts.ws++;
            if (n % 5 === 0) {
              counts.wsKilled++;
              ws.send('die'); // the app drops the connection
              await new Promise((r) => ws.once('close', r));
            } else if (n % 5 === 1) ws.terminate(); // the client drops it
            else {
              ws.close();
              await new Promise((r) => ws.once('close', r));
            }
          } finally {
            ws.terminate();
          }
        });
      const sseWorker = (): Promise<void> =>
        loop(deadline, async () => {
          await new Promise<void>((resolve) => {
            const req = http.get({ host: '127.0.0.1', port: h.port, path: '/sse', headers: { host }, agent: false }, (res) => {
              let events = 0;
              res.on('data', () => {
                if (++events === 5) req.destroy();
              });
            });
            req.on('error', () => undefined);
            req.on('close', () => resolve());
          });
          counts.sse++;
        });
      const abortWorker = (): Promise<void> =>
        loop(deadline, async () => {
          await new Promise<void>((resolve) => {
            const req = http.get({ host: '127.0.0.1', port: h.port, path: '/slow', headers: { host }, agent: false });
            req.on('error', () => undefined);
            req.on('close', () => resolve());
            setTimeout(() => req.destroy(), 10);
          });
          counts.aborted++;
        });
      const dyingWorker = (): Promise<void> =>
        loop(deadline, async () => {
          await request(h.port, { host, path: '/die' }).catch(() => undefined);
          counts.died++;
          await sleep(20);
        });
      const sleepyWorker = (): Promise<void> =>
        loop(deadline, async () => {
          // Held until the wake timeout (100 ms) or dropped by the client half way.
          if (counts.held % 2 === 0) await request(h.port, { host: 'soak-sleepy.localhost', path: '/' });
          else
            await new Promise<void>((resolve) => {
              const req = http.get({ host: '127.0.0.1', port: h.port, path: '/', headers: { host: 'soak-sleepy.localhost' }, agent: false });
              req.on('error', () => undefined);
              req.on('close', () => resolve());
              setTimeout(() => req.destroy(), 30);
            });
          counts.held++;
        });
      const uploadWorker = (): Promise<void> =>
        loop(deadline, async () => {
          const r = await request(h.port, { host, path: '/upload', method: 'POST', body: 'x'.repeat(256 * 1024), agent });
          if (r.body !== String(256 * 1024)) counts.httpBad++;
          counts.uploads++;
        });
      await Promise.all([
        httpWorker(), httpWorker(), httpWorker(), httpWorker(),
        wsWorker(), wsWorker(),
        sseWorker(), sseWorker(),
        abortWorker(), dyingWorker(), sleepyWorker(), uploadWorker(),
      ]);
      agent.destroy();
    }

    async function quiet(): Promise<void> {
      // Client sockets closed, tunnels and held requests gone, idle upstream keep-alive sockets expired.
      await vi.waitFor(
        async () => {
          const conns = await new Promise<number>((r, j) => h.server.getConnections((e, n) => (e ? j(e) : r(n))));
          expect(conns).toBe(0);
          expect(h.proxy.stats().tunnels).toBe(0);
          expect(h.proxy.stats().held).toBe(0);
          expect(openFds()).toBeLessThanOrEqual(fdBaseline + 4);
        },
        { timeout: 30_000, interval: 250 },
      );
    }

    // Warm up (JIT, pools, lazily created objects), then take the heap baseline.
    await traffic(Math.min(5, SECONDS / 4));
    await quiet();
    const heapBaseline = await settledHeap();

    await traffic(SECONDS);
    await quiet();
    const heapAfter = await settledHeap();

    expect(counts.httpBad).toBe(0);
    expect(counts.http).toBeGreaterThan(1000);
    expect(counts.ws).toBeGreaterThan(50);
    expect(counts.wsKilled).toBeGreaterThan(5);
    expect(counts.sse).toBeGreaterThan(20);
    expect(counts.aborted).toBeGreaterThan(20);
    expect(counts.held).toBeGreaterThan(20);
    // Near baseline: a leak of even a few hundred bytes per request would exceed this over the run.
    expect(heapAfter).toBeLessThan(heapBaseline * 1.25 + 8 * 1024 * 1024);
    process.stderr.write(
      `soak ${SECONDS}s: ${JSON.stringify(counts)} heap ${(heapBaseline / 1e6).toFixed(1)} → ${(heapAfter / 1e6).toFixed(1)} MB, fds ${fdBaseline} → ${openFds()}\n`,
    );
  });
});
