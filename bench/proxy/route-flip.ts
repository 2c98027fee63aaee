// Route flips under full load (issue 22: "a route flip under 30k req/s loses no request"). One Space,
// its route flipped between two backends every SPACEPORT_BENCH_FLIP_MS (default 100) while wrk drives
// it as hard as this host allows; the same load without flips is the comparison, through the native
// data plane (HAProxy in front, its map driven through the runtime API as Spaceport drives it) and
// through the Node path. Each backend's CPU share shows that both served. Writes
// bench/results/route-flip.json.
//   npx tsx bench/proxy/route-flip.ts   (make bench-route-flip; SPACEPORT_BENCH_SECONDS, SPACEPORT_BENCH_REPS)
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../core/logger.js';
import { startNativeDataPlane } from '../../proxy/data-plane/index.js';
import { createProxy, type Route, type RouteChange, type RouteSource } from '../../proxy/index.js';
import { median, printTable } from '../stats.js';
import { processCpuMicros } from './process-cpu.js';
import { stopAll } from './processes.js';
import { BENCH_HOST, startBackend } from './targets.js';
import { HAPROXY, WRK, requireTools } from './tools.js';
import { wrk } from './wrk.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SECONDS = Math.max(1, Math.min(60, Number(process.env.SPACEPORT_BENCH_SECONDS ?? 10)));
const REPS = Math.max(1, Math.min(9, Number(process.env.SPACEPORT_BENCH_REPS ?? 3)));
const FLIP_MS = Math.max(1, Number(process.env.SPACEPORT_BENCH_FLIP_MS ?? 100));
const SUBDOMAIN = BENCH_HOST.slice(0, BENCH_HOST.indexOf('.'));

/** The bench Space's route, moved between two backends on `flip()`, as the controller's table would move it. */
class FlippingRoutes implements RouteSource {
  #at = 0;
  readonly #listeners = new Set<(c: RouteChange) => void>();
  flips = 0;
  constructor(private readonly ports: readonly [number, number]) {}
  #route(): Route {
    return { subdomain: SUBDOMAIN, space: `bench/${SUBDOMAIN}`, stage: 'RUNNING', target: { kind: 'running', endpoint: { host: '127.0.0.1', port: this.ports[this.#at]! } } };
  }
  snapshot(): Route[] {
    return [this.#route()];
  }
  subscribe(onChange: (c: RouteChange) => void): () => void {
    this.#listeners.add(onChange);
    return () => this.#listeners.delete(onChange);
  }
  flip(): void {
    this.#at = 1 - this.#at;
    this.flips++;
    const change: RouteChange = { kind: 'upsert', route: this.#route() };
    for (const l of this.#listeners) l(change);
  }
}

type PathName = 'native' | 'node';

/** Spaceport's server for the Space, with HAProxy in front (`native`) or alone (`node`); `port` takes the load. */
async function startPath(name: PathName, routes: FlippingRoutes): Promise<{ port: number; close(): Promise<void> }> {
  const proxy = createProxy({ routes, activity: { report: () => undefined }, waker: { wake: async () => undefined }, logger: silentLogger(), domain: 'localhost' });
  const server = http.createServer((req, res) => {
    if (proxy.isSpaceHost(req.headers.host) !== undefined) proxy.handleRequest(req, res);
    else res.writeHead(404).end();
  });
  if (name === 'node') {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      port: (server.address() as AddressInfo).port,
      close: async () => {
        server.closeAllConnections();
        server.close();
        await proxy.close();
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-bench-flip-'));
  const plane = await startNativeDataPlane({ server, routes, activity: { report: () => undefined }, logger: silentLogger(), dir, host: '127.0.0.1', port: 0, domain: 'localhost', upstreamTimeoutMs: 300_000 });
  while (plane.driver.mapped < 1) await new Promise((r) => setTimeout(r, 10));
  return {
    port: plane.port,
    close: async () => {
      await plane.close();
      server.closeAllConnections();
      server.close();
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Sample {
  rps: number;
  requests: number;
  errors: number;
  flips: number;
  /** The second backend's share of the two backends' CPU time during the run (0 when never routed there). */
  secondShare: number;
}

async function measure(port: number, routes: FlippingRoutes, pids: readonly [number, number], flipping: boolean): Promise<Sample> {
  const cpu0 = pids.map(processCpuMicros);
  const flips0 = routes.flips;
  const timer = flipping ? setInterval(() => routes.flip(), FLIP_MS) : undefined;
  try {
    const r = await wrk(port, ['-t2', '-c50'], SECONDS, { allowErrors: true });
    const [a, b] = pids.map((p, i) => processCpuMicros(p) - cpu0[i]!) as [number, number];
    return { rps: r.rps, requests: r.requests, errors: r.errors, flips: routes.flips - flips0, secondShare: a + b > 0 ? b / (a + b) : 0 };
  } finally {
    if (timer) clearInterval(timer);
  }
}

async function main(): Promise<void> {
  requireTools([HAPROXY, WRK], (l) => process.stderr.write(`${l}\n`));
  const a = await startBackend();
  const b = await startBackend();
  const pids = [a.child.proc.pid!, b.child.proc.pid!] as const;
  const samples = new Map<string, Sample[]>();
  for (let rep = 0; rep < REPS; rep++) {
    const order: PathName[] = rep % 2 === 0 ? ['native', 'node'] : ['node', 'native'];
    for (const name of order) {
      const routes = new FlippingRoutes([a.port, b.port]);
      const p = await startPath(name, routes);
      try {
        await wrk(p.port, ['-t2', '-c50'], 2, { allowErrors: true }); // warm-up
        for (const flipping of [false, true]) {
          const key = `${name} ${flipping ? 'flipping' : 'steady'}`;
          const s = await measure(p.port, routes, pids, flipping);
          process.stderr.write(`rep ${rep + 1} ${key}: ${Math.round(s.rps)} req/s, ${s.errors} errors, ${s.flips} flips, second backend ${(s.secondShare * 100).toFixed(0)}%\n`);
          samples.set(key, [...(samples.get(key) ?? []), s]);
        }
      } finally {
        await p.close();
      }
    }
  }
  await a.child.stop();
  await b.child.stop();
  const rows: string[][] = [];
  const results: Record<string, unknown> = {};
  for (const [key, ss] of samples) {
    results[key] = ss;
    rows.push([
      key,
      ss.map((s) => Math.round(s.rps)).join(', '),
      String(Math.round(median(ss.map((s) => s.rps)))),
      ss.map((s) => s.requests).reduce((x, y) => x + y, 0).toLocaleString('en'),
      ss.map((s) => s.errors).join(', '),
      ss.map((s) => s.flips).join(', '),
      ss.map((s) => `${(s.secondShare * 100).toFixed(0)}%`).join(', '),
    ]);
  }
  process.stdout.write(`\nRoute flips under load: wrk -t2 -c50 -d${SECONDS}s, the route flipped every ${FLIP_MS} ms ("flipping") or not ("steady"), ${REPS} reps interleaved.\n\n`);
  printTable(['path', 'req/s per rep', 'median req/s', 'requests (all reps)', 'failed (non-2xx + socket errors) per rep', 'flips per rep', 'second backend CPU share per rep'], rows);
  await mkdir(path.join(here, '../results'), { recursive: true });
  await writeFile(path.join(here, '../results/route-flip.json'), `${JSON.stringify({ seconds: SECONDS, flipMs: FLIP_MS, results }, null, 2)}\n`);
}

let ending = false;
async function end(code: number, err?: unknown): Promise<never> {
  if (!ending) {
    ending = true;
    if (err !== undefined) process.stderr.write(`bench-route-flip failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll().catch(() => undefined);
  }
  process.exit(code);
}
process.on('SIGINT', () => void end(130));
process.on('SIGTERM', () => void end(143));
try {
  await main();
  await end(0);
} catch (err) {
  await end(1, err);
}
