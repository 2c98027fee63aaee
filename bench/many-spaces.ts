/**
 * 10,000 registered Spaces: does listing, lookup and proxy routing stay fast, and does the proxy's
 * memory stay flat? The same Spaceport (fake runtime and builder: no containers, the controller's
 * own cost) with 100 Spaces (the alternative) and with 10,000, each request timed end to end over
 * HTTP on loopback (median and p99 of REPS), the heap after a GC, and the heap growth over 20,000
 * proxied requests.
 *
 *   node --expose-gc --import tsx bench/many-spaces.ts      (SIZES=100,10000 REPS=200)
 */
import { toSpaceId } from '../core/index.js';
import { planFromBuilder } from '../controller/builds/index.js';
import { FakeRuntime } from '../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../test/support/fake-image-builder.js';
import { request } from '../test/support/http.js';
import { startHarness, type Harness } from '../test/support/spaceport-harness.js';
import { writeResult } from './space-bench.js';
import { percentile, printTable } from './stats.js';

const SIZES = (process.env.SIZES ?? '100,10000').split(',').map(Number).filter((n) => n > 0);
const REPS = Number(process.env.REPS ?? 200);
const OWNERS = 100;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with node --expose-gc --import tsx bench/many-spaces.ts');
  g();
  g();
}

interface Timing {
  p50: number;
  p99: number;
  status: number;
  bytes: number;
}

async function time(h: Harness, path: string, host?: string): Promise<Timing> {
  const ms: number[] = [];
  let status = 0;
  let bytes = 0;
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    const r = host ? await request({ port: h.port, path, host }) : await h.api('GET', path);
    ms.push(performance.now() - t);
    status = r.status;
    bytes = r.body.length;
  }
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), status, bytes };
}

async function measure(n: number): Promise<Record<string, unknown>> {
  const h = await startHarness((config) => ({ runtime: new FakeRuntime({}), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
  try {
    const { store, reconciler } = h.sp;
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) store.createSpace({ id: toSpaceId(`owner-${i % OWNERS}`, `space-${i}`), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
    const seedMs = performance.now() - t0;
    // Every Space gets a pass (a route in the table), as after a restart.
    const t1 = performance.now();
    await reconciler.resyncAll();
    const passMs = performance.now() - t1;
    gc();
    const heapWithSpaces = process.memoryUsage().heapUsed;
    const mid = n >> 1;
    const sub = store.getSpace(toSpaceId(`owner-${mid % OWNERS}`, `space-${mid}`))!.subdomain;
    const rows: Record<string, Timing> = {
      'GET /api/spaces?limit=20': await time(h, '/api/spaces?limit=20'),
      'GET /api/spaces?author=owner-7&limit=20': await time(h, '/api/spaces?author=owner-7&limit=20'),
      'GET /api/spaces?search=space-4242&limit=20': await time(h, '/api/spaces?search=space-4242&limit=20'),
      'GET /api/spaces/{id}': await time(h, `/api/spaces/owner-${mid % OWNERS}/space-${mid}`),
      'GET /api/spaces/by-subdomain/{sub}': await time(h, `/api/spaces/by-subdomain/${sub}`),
      'proxy: a Space host': await time(h, '/', `${sub}.localhost:${h.port}`),
      'proxy: an unknown host': await time(h, '/', `no-such-space.localhost:${h.port}`),
    };
    // Proxy memory: 20,000 requests to Space hosts (a different one each time) must not grow the heap.
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 20_000; i++) {
      const s = store.getSpace(toSpaceId(`owner-${i % n % OWNERS}`, `space-${i % n}`))!;
      await request({ port: h.port, path: '/', host: `${s.subdomain}.localhost:${h.port}` });
    }
    gc();
    const growth = process.memoryUsage().heapUsed - before;
    const result = { n, seedMs, firstPassMs: passMs, heapPerSpaceBytes: (heapWithSpaces - heap0) / n, proxyHeapGrowthBytes: growth, routes: h.sp.routes.snapshot().length, rows };
    log(`N=${n}: seeded in ${seedMs.toFixed(0)} ms, first pass over all ${passMs.toFixed(0)} ms, ${result.routes} routes, heap ${(result.heapPerSpaceBytes / 1024).toFixed(1)} KiB/Space, proxy heap growth over 20,000 requests ${(growth / 1024).toFixed(0)} KiB`);
    return result;
  } finally {
    await h.close();
  }
}

async function main(): Promise<void> {
  const results = [];
  for (const n of SIZES) results.push(await measure(n));
  const [small, big] = [results[0]!, results.at(-1)!] as { n: number; rows: Record<string, Timing> }[];
  const rows = Object.keys(small!.rows).map((k) => {
    const a = small!.rows[k]!;
    const b = big!.rows[k]!;
    return [k, `${a.p50.toFixed(2)} / ${a.p99.toFixed(2)}`, `${b.p50.toFixed(2)} / ${b.p99.toFixed(2)}`, (b.p50 / a.p50).toFixed(2), String(b.status)];
  });
  process.stdout.write(`\nRequests over HTTP on loopback, ${REPS} each, ms p50 / p99, fake runtime (the controller's own cost).\n\n`);
  printTable(['request', `${small!.n} Spaces`, `${big!.n} Spaces`, 'p50 ratio', 'status'], rows);
  const mem = results.map((r) => {
    const x = r as { n: number; heapPerSpaceBytes: number; proxyHeapGrowthBytes: number; firstPassMs: number };
    return [String(x.n), (x.heapPerSpaceBytes / 1024).toFixed(1), (x.proxyHeapGrowthBytes / 1024).toFixed(0), x.firstPassMs.toFixed(0)];
  });
  process.stdout.write('\n');
  printTable(['Spaces', 'heap per Space, KiB', 'heap growth over 20,000 proxied requests, KiB', 'one pass over every Space, ms'], mem);
  log(`wrote ${writeResult('many-spaces', results)}`);
}

await main();
