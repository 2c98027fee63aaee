/**
 * Steady-state cost of running Spaces on one host: N running Spaces (tiny busybox httpd containers
 * on a Docker engine of the bench's own, so the shared one is untouched), nothing changing, and the
 * CPU the controller (reconciler + DockerRuntime, in this process) and the engine (dockerd + its
 * containerd) use per second, read from /proc. Two runtimes over the same containers, in one run:
 *
 *   polling: every look lists, inspects each container and probes each running app (the runtime
 *            before the event cache: `listFromEvents: false`)
 *   events:  the engine's event stream keeps a cache; a resync is one list (the default)
 *
 * The reconciler is the production one: a tick every 5 s; with the event cache a tick is one list and
 * a pass over every Space comes every 60 s, while polling passes over every Space on every tick. N grows 50 → 100 → 200 (SPACES to
 * change, e.g. SPACES=50,100,200,500); each runtime gets a warm-up and then WINDOW_S seconds.
 *
 *   npx tsx bench/idle-spaces.ts          (as root: it starts its own dockerd)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger, systemClock, toSpaceId } from '../core/index.js';
import { InProcessRouteTable, Reconciler } from '../controller/lifecycle/index.js';
import { DockerRuntime } from '../controller/runtime/index.js';
import { SecretBox, SqliteStore } from '../controller/store/index.js';
import { childPids, processCpuMicros } from './proxy/process-cpu.js';
import { writeResult } from './space-bench.js';
import { printTable } from './stats.js';
import { OwnDockerEngine } from '../test/support/own-docker-engine.js';
import { TEST_IMAGE_PORT, ensureTestImage } from '../test/support/test-image.js';

const SPACES = (process.env.SPACES ?? '50,100,200').split(',').map(Number).filter((n) => n > 0).sort((a, b) => a - b);
const WINDOW_S = Number(process.env.WINDOW_S ?? 30);
const WARMUP_S = Number(process.env.WARMUP_S ?? 10);
const PREFIX = `bench-idle-${process.pid}`;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

interface Sample {
  mode: 'polling' | 'events';
  spaces: number;
  /** Percent of one core. */
  controller: number;
  engine: number;
  /** Spaces RUNNING at the end of the window (a slow look makes a running app count as starting). */
  running: number;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/idle-spaces.ts starts a Docker engine of its own: run it as root');
  const engine = new OwnDockerEngine('idle');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'spaceport-bench-idle-'));
  const store = new SqliteStore({ file: path.join(dataDir, 'spaceport.db'), secrets: SecretBox.ephemeral() });
  const samples: Sample[] = [];
  const stop = async (): Promise<void> => {
    store.close();
    await engine.destroy().catch((err: unknown) => log(`engine cleanup: ${String(err)}`));
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    await engine.start();
    const image = await ensureTestImage(engine.docker);
    const enginePids = (): number[] => {
      const pid = Number(readPid(path.join(engine.dir, 'docker.pid')));
      return [pid, ...childPids(pid).filter((c) => !isShim(c))];
    };
    let created = 0;
    for (const n of SPACES) {
      for (; created < n; created++) addSpace(store, created, image);
      // Start them (with the default runtime) and wait until every one answers.
      const starter = reconcilerFor(store, new DockerRuntime({ docker: engine.docker, logger: silentLogger(), namePrefix: PREFIX }));
      const t0 = Date.now();
      await starter.r.start();
      await waitAllRunning(starter.r, store, n);
      await starter.close();
      log(`${n} Spaces running (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      for (const mode of ['polling', 'events'] as const) {
        const rt = new DockerRuntime({ docker: engine.docker, logger: silentLogger(), namePrefix: PREFIX, listFromEvents: mode === 'events' });
        // Before the cache every tick was a pass over every Space; the polling runtime keeps that.
        const rec = reconcilerFor(store, rt, mode === 'polling' ? 5_000 : undefined);
        await rec.r.start();
        await sleep(WARMUP_S * 1000);
        const self0 = process.cpuUsage();
        const eng0 = enginePids().reduce((s, p) => s + processCpuMicros(p), 0);
        const w0 = performance.now();
        await sleep(WINDOW_S * 1000);
        const wallUs = (performance.now() - w0) * 1000;
        const self = process.cpuUsage(self0);
        const eng = enginePids().reduce((s, p) => s + processCpuMicros(p), 0) - eng0;
        const running = [...store.listSpaces()].filter((s) => rec.r.stageOf(s.uid)?.stage === 'RUNNING').length;
        await rec.close();
        const sample: Sample = { mode, spaces: n, controller: ((self.user + self.system) / wallUs) * 100, engine: (eng / wallUs) * 100, running };
        samples.push(sample);
        log(`N=${n} ${mode}: controller ${sample.controller.toFixed(2)} % of a core, engine ${sample.engine.toFixed(2)} % (${running}/${n} RUNNING)`);
      }
    }
  } finally {
    await stop();
  }
  const rows = SPACES.map((n) => {
    const p = samples.find((s) => s.spaces === n && s.mode === 'polling')!;
    const e = samples.find((s) => s.spaces === n && s.mode === 'events')!;
    return [String(n), p.controller.toFixed(2), e.controller.toFixed(2), p.engine.toFixed(2), e.engine.toFixed(2), `${p.running} / ${e.running}`];
  });
  process.stdout.write(`\nIdle running Spaces, steady state: CPU in % of one core over ${WINDOW_S} s (after ${WARMUP_S} s warm-up); reconciler resync every 5 s.\n\n`);
  printTable(['Spaces', 'controller, polling', 'controller, events', 'dockerd+containerd, polling', 'dockerd+containerd, events', 'RUNNING at the end, polling / events'], rows);
  const file = writeResult('idle-spaces', { windowSeconds: WINDOW_S, samples });
  log(`wrote ${file}`);
}

function readPid(file: string): string {
  return readFileSync(file, 'utf8').trim();
}

/** containerd-shim processes belong to the containers (idle apps), not to the engine's own work. */
function isShim(pid: number): boolean {
  try {
    return readPid(`/proc/${pid}/comm`).startsWith('containerd-shim');
  } catch {
    return false;
  }
}

function addSpace(store: SqliteStore, i: number, image: string): void {
  const space = store.createSpace({ id: toSpaceId('bench', `idle-${i}`), sdk: 'docker', visibility: 'public', hardware: 'cpu-basic' });
  const b = store.addBuild({ spaceUid: space.uid, commit: `c${i}`, tree: `t${i}`, noCache: false });
  store.setBuildState(b.id, { status: 'running' });
  store.setBuildState(b.id, { status: 'succeeded', image });
  const rel = store.addRelease({ spaceUid: space.uid, buildId: b.id, commit: b.commit, image, port: TEST_IMAGE_PORT, config: { sdk: 'docker' } });
  store.updateStatus(space.uid, space.version, { targetRelease: rel.id });
}

function reconcilerFor(store: SqliteStore, runtime: DockerRuntime, fullResyncMs?: number): { r: Reconciler; close(): Promise<void> } {
  const r = new Reconciler({
    ...(fullResyncMs === undefined ? {} : { fullResyncMs }),
    store,
    runtime,
    routes: new InProcessRouteTable(),
    logger: silentLogger(),
    clock: systemClock,
    domain: 'localhost',
    flavorFor: () => ({ name: 'cpu-basic', cpus: 1, memoryBytes: 64 * 1024 ** 2 }),
    sleepSecondsFor: () => -1,
    lastActivity: () => undefined,
  });
  return {
    r,
    close: async () => {
      await r.close();
      await runtime.close();
    },
  };
}

async function waitAllRunning(r: Reconciler, store: SqliteStore, n: number): Promise<void> {
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    const running = store.listSpaces().filter((s) => r.stageOf(s.uid)?.stage === 'RUNNING').length;
    if (running >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${running} of ${n} Spaces running`);
    await sleep(1000);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

await main();
