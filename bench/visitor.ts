/**
 * What a visitor sees, through each path (issue 22, item 5): one Spaceport on the Node path
 * (`SPACEPORT_DATA_PLANE=node`) and one with the native data plane (`haproxy`, HAProxy in front),
 * each a `spaceport up` process of its own on the real Docker engine, each with the same tiny public
 * Gradio Space; "direct" is the app container's own port. Paths are interleaved in each run (the order flips every run):
 *
 *   GET / (the Gradio page's HTML) on a fresh connection, and on a kept-alive one: first byte, whole body
 *   headless Chromium, a fresh context each time (cold cache): navigation → first byte, → `load`,
 *     → the app's marker text on screen
 *   the Space asleep, then one GET / (held by Spaceport on both paths: a sleeping Space is never in
 *     HAProxy's map) → first byte and whole page; on the native path, when the host entered HAProxy's
 *     map, and whether the next GET / was carried by HAProxy (its stick table's per-Host count)
 *
 *   nice -n 19 npx tsx bench/visitor.ts          (RUNS=5, GRADIO_VERSION=5.50.0 by default)
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import type { Browser } from 'playwright-core';
import { launchChromium, spaceUrl } from '../test/support/chromium.js';
import { sleepSpace, timedGet, writeResult, type FirstByte } from './space-bench.js';
import { median, printTable } from './stats.js';
import { logTime, startGradioWorld, type ProxiedSpace } from './visitor/gradio-spaces.js';
import { MapWatch, appConnectionsOf, isMapped, servedByHaproxy } from './visitor/haproxy-watch.js';
import { loadPage, type PageLoad } from './visitor/page-load.js';
import { addSample, emptySamples, ms, summaries, visitorTable, type Samples, type VisitorPath } from './visitor/visitor-table.js';

const RUNS = Number(process.env.RUNS ?? 5);
const GRADIO_VERSION = process.env.GRADIO_VERSION ?? '5.50.0';
const INSTANCE = `bench-visitor-${randomBytes(3).toString('hex')}`;
const WAKE_TIMEOUT_MS = 300_000;
/** GET / requests timed per run and path: on fresh connections, and on one kept-alive connection after the request that opened it. */
const GETS = 3;

/** Where a visitor's request goes for one path. */
interface Target {
  path: VisitorPath;
  port: number;
  address?: string;
  host: string;
  url: string;
}

/** Direct: the app container HAProxy's map points to (the native path's Space; both Spaces run the same image). */
async function targets(spaces: readonly ProxiedSpace[]): Promise<Target[]> {
  const native = spaces.find((s) => s.path === 'native')!;
  const app = (await native.haproxy!.routes()).get(native.mapHost);
  if (!app) throw new Error(`${native.mapHost} is not in HAProxy's map`);
  const [address, port] = app.split(':');
  return [
    { path: 'direct', port: Number(port), address, host: native.host, url: `http://${app}/` },
    ...spaces.map((s) => ({ path: s.path, port: s.port, host: s.host, url: spaceUrl(s.sub, s.port) })),
  ];
}

function page(r: FirstByte, marker: string, what: string): FirstByte {
  if (r.status !== 200 || !r.body.includes(marker)) throw new Error(`${what}: ${r.status} ${r.body.slice(0, 200)}`);
  return r;
}

async function timeGets(t: Target, marker: string, samples: Samples): Promise<void> {
  const at = { port: t.port, address: t.address, host: t.host };
  for (let i = 0; i < GETS; i++) {
    const r = page(await timedGet(at), marker, `${t.path} GET /`);
    addSample(samples, 'getFreshFirstByte', t.path, r.firstByteMs);
    addSample(samples, 'getFreshWhole', t.path, r.totalMs);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    page(await timedGet({ ...at, agent }), marker, `${t.path} GET / (opening)`);
    for (let i = 0; i < GETS; i++) {
      const r = page(await timedGet({ ...at, agent }), marker, `${t.path} GET / kept-alive`);
      addSample(samples, 'getKeptFirstByte', t.path, r.firstByteMs);
      addSample(samples, 'getKeptWhole', t.path, r.totalMs);
    }
  } finally {
    agent.destroy();
  }
}

/**
 * One page load; a load whose requests Chromium aborted with ERR_NETWORK_CHANGED (the engine
 * changing the host's interfaces as any container on it starts or stops) is loaded again, at most 3
 * tries. Other failed requests are noted once each (this machine is offline: Gradio's fonts and
 * scripts from other origins fail at once, on every path alike).
 */
async function timePage(browser: Browser, t: Target, marker: string, samples: Samples, notes: Set<string>): Promise<PageLoad> {
  let load: PageLoad | undefined;
  for (let i = 1; i <= 3 && !load; i++) {
    const l = await loadPage(browser, t.url, marker).catch((err: unknown) => ({ error: String(err) }));
    if ('error' in l) {
      if (i === 3) throw new Error(`${t.path}: ${l.error}`);
      notes.add(`${t.path} page load failed, loaded again: ${l.error.split('\n')[0]}`);
      continue;
    }
    for (const f of l.failed) notes.add(`failed request (${new URL(t.url).origin === new URL(f.split(' ')[1]!).origin ? 'the Space\'s own' : 'another origin'}): ${f}`);
    if (i === 3 || !l.failed.some((f) => f.includes('ERR_NETWORK_CHANGED'))) load = l;
  }
  addSample(samples, 'browserFirstByte', t.path, load!.firstByteMs);
  addSample(samples, 'browserLoad', t.path, load!.loadMs);
  addSample(samples, 'browserRendered', t.path, load!.renderedMs);
  return load!;
}

/** What one wake on the native path showed about HAProxy. */
interface NativeWake {
  /** Map entry after the held request's first byte (ms; negative: before it). */
  mappedAfterFirstByteMs?: number;
  /** Map entry after the reconciler logged the Space RUNNING (ms; the log's clock is in whole ms, the map is polled every 5 ms). */
  mappedAfterRunningMs?: number;
  /** Answers HAProxy counted for the host during the held request (0: Spaceport held and answered it). */
  heldCountedByHaproxy: number;
  /** The GET / after the wake was carried by HAProxy. */
  nextServedByHaproxy: boolean;
}

async function wake(s: ProxiedSpace, marker: string, samples: Samples): Promise<NativeWake | undefined> {
  if (s.haproxy && (await isMapped(s.haproxy, s.mapHost))) throw new Error(`${s.mapHost} is still in HAProxy's map while its Space sleeps`);
  const before = s.haproxy ? await servedByHaproxy(s.haproxy, s.mapHost) : 0;
  const watch = s.haproxy ? new MapWatch(s.haproxy, s.mapHost) : undefined;
  const epoch0 = Date.now();
  const t0 = performance.now();
  try {
    const r = page(await timedGet({ port: s.port, host: s.host, timeoutMs: WAKE_TIMEOUT_MS }), marker, `${s.path} wake GET /`);
    addSample(samples, 'wakeFirstByte', s.path, r.firstByteMs);
    addSample(samples, 'wakeWhole', s.path, r.totalMs);
    // The reconciler's `stage` line (RUNNING): when the route turned running (the log's clock: ms).
    const running = logTime(s, epoch0, 'stage', 'RUNNING');
    if (running !== undefined) addSample(samples, 'wakeRouteRunning', s.path, running - epoch0);
    if (!s.haproxy || !watch) return undefined;
    const heldCountedByHaproxy = (await servedByHaproxy(s.haproxy, s.mapHost)) - before;
    const mappedAt = await watch.until(10_000);
    if (mappedAt !== undefined) addSample(samples, 'wakeMapped', s.path, mappedAt - t0);
    const counted = await servedByHaproxy(s.haproxy, s.mapHost);
    page(await timedGet({ port: s.port, host: s.host }), marker, `${s.path} GET / after the wake`);
    const nextServedByHaproxy = (await servedByHaproxy(s.haproxy, s.mapHost)) - counted === 1;
    return {
      mappedAfterFirstByteMs: mappedAt === undefined ? undefined : mappedAt - (t0 + r.firstByteMs),
      mappedAfterRunningMs: mappedAt === undefined || running === undefined ? undefined : mappedAt - t0 - (running - epoch0),
      heldCountedByHaproxy,
      nextServedByHaproxy,
    };
  } finally {
    await watch?.stop();
  }
}

async function main(): Promise<void> {
  const loadStart = loadavg();
  process.stdout.write(`load average at the start: ${loadStart.map((x) => x.toFixed(2)).join(' ')}\n`);
  const world = await startGradioWorld({ instance: INSTANCE, gradioVersion: GRADIO_VERSION, wakeTimeoutMs: WAKE_TIMEOUT_MS, buildTimeoutMs: 20 * 60_000 });
  const samples = emptySamples();
  const notes = new Set<string>();
  const nativeWakes: NativeWake[] = [];
  // HAProxy's connections to the app during the GET series (fresh and kept-alive) of the native path.
  const appConnections = { requests: 0, connect: 0, reuse: 0 };
  // Requests of each timed page load, by its load event and the app on screen.
  const pageRequests: PageLoad['requests'][] = [];
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const { marker, spaces } = world;
    // Warm-up (not counted): each path's first GET and first page load.
    for (const t of await targets(spaces)) {
      page(await timedGet({ port: t.port, address: t.address, host: t.host }), marker, `${t.path} warm-up`);
      await timePage(browser, t, marker, emptySamples(), notes);
    }
    for (let run = 0; run < RUNS; run++) {
      const flip = run % 2 === 1;
      // Both asleep, then each woken in turn (Node path first on even runs).
      await Promise.all(spaces.map((s) => sleepSpace(s.client, s.space)));
      for (const s of flip ? [...spaces].reverse() : spaces) {
        const n = await wake(s, marker, samples);
        if (n) nativeWakes.push(n);
      }
      const order = flip ? (await targets(spaces)).reverse() : await targets(spaces);
      for (const t of order) {
        const native = t.path === 'native' ? spaces.find((s) => s.path === 'native')!.haproxy : undefined;
        const before = native ? await appConnectionsOf(native) : undefined;
        await timeGets(t, marker, samples);
        if (native && before) {
          const after = await appConnectionsOf(native);
          appConnections.connect += after.connect - before.connect;
          appConnections.reuse += after.reuse - before.reuse;
          appConnections.requests += 2 * GETS + 1;
        }
      }
      for (const t of order) pageRequests.push((await timePage(browser, t, marker, samples, notes)).requests);
      const sum = summaries(samples);
      process.stderr.write(`run ${run}: ${order.map((t) => `${t.path} GET ${ms(sum.getFreshFirstByte[t.path]!.median)} / page ${ms(sum.browserRendered[t.path]!.median)}`).join(', ')}; wake ${spaces.map((s) => `${s.path} ${ms(samples.wakeFirstByte[s.path]!.at(-1)!)}`).join(', ')} ms\n`);
    }
  } finally {
    await browser?.close();
    await world.close();
  }
  const table = visitorTable(samples);
  printTable(table.header, table.rows);
  const served = nativeWakes.filter((w) => w.nextServedByHaproxy).length;
  const held = nativeWakes.filter((w) => w.heldCountedByHaproxy === 0).length;
  const lags = nativeWakes.map((w) => w.mappedAfterFirstByteMs).filter((x): x is number => x !== undefined);
  const afterRunning = nativeWakes.map((w) => w.mappedAfterRunningMs).filter((x): x is number => x !== undefined);
  process.stdout.write(
    `native path, ${nativeWakes.length} wakes: the held GET answered by Spaceport (HAProxy counted none) ${held}/${nativeWakes.length}; ` +
      `the next GET / carried by HAProxy ${served}/${nativeWakes.length}; host in HAProxy's map ${lags.map(ms).join(', ')} ms after the held GET's first byte, ${afterRunning.map(ms).join(', ')} ms after the Space's RUNNING log line\n`,
  );
  process.stdout.write(`native path, GET series: ${appConnections.requests} requests, HAProxy opened ${appConnections.connect} connections to the app and reused one ${appConnections.reuse} times (show stat)\n`);
  process.stdout.write(`a page load (by load and the app on screen): ${median(pageRequests.map((r) => r.own))} requests to the Space (median), ${median(pageRequests.map((r) => r.other))} to other origins (they fail at once: this machine is offline)\n`);
  for (const n of notes) process.stdout.write(`note: ${n}\n`);
  const loadEnd = loadavg();
  process.stdout.write(`load average at the end: ${loadEnd.map((x) => x.toFixed(2)).join(' ')}\n`);
  writeResult('visitor', { runs: RUNS, gets_per_run: GETS, gradio_version: GRADIO_VERSION, load_average: { start: loadStart, end: loadEnd }, summaries: summaries(samples), native_wakes: nativeWakes, notes: [...notes], haproxy_to_app: appConnections, page_requests: pageRequests, samples });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
