/**
 * Gradio wake as gradio_client sees it: a sleeping Gradio Space, then `GET /config` (what
 * `gradio_client.Client(...)` asks first, with a 5 s timeout), timed from sending the request to the
 * whole JSON answered. The proxy holds a non-browser request while the Space wakes, so this is the
 * wake plus Gradio's own start. Beside it, the same request to the awake Space (issue 19: "Waking
 * and clients").
 *
 * Each wake is split into steps, every one a wall-clock time after the request was sent, read from
 * the controller's and proxy's log lines (a pino logger of this bench's own), the engine (the
 * container's `StartedAt`, its log lines' timestamps) and two lines the bench's app prints
 * (`spaceport-bench python` first thing, `spaceport-bench imported` after `import gradio`):
 * proxy asks the wake → controller wakes → engine started the process → Python runs → gradio
 * imported → Gradio listens ("Running on local URL") → readiness noticed (stage RUNNING) → the held
 * request answered.
 *
 * Then the snapshot series (issue 21): the same Gradio Space's image, copied to a Docker engine of the
 * bench's own with the restoring runtime registered (test/support/snapshot-engine.ts), run there by a
 * Spaceport with snapshots on (a docker Space `FROM` that image, with the Gradio SDK's run env): each
 * sleep dumps the app, each wake restores it; the same `GET /config` timed the same way, and the
 * restores counted from `spaceport_snapshot_wakes_total` (a wake that was not a restore is reported).
 *
 *   npx tsx bench/wake-config.ts          (RUNS=5, GRADIO_VERSION=5.50.0, WAKE_TIMEOUT_S=300 by default; SNAPSHOTS=off skips the snapshot series)
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import Dockerode from 'dockerode';
import { createLogger } from '../core/index.js';
import { dockerAdapters } from '../controller/docker-adapters.js';
import { git, makeWorkTree, pushUrl } from '../test/support/git-client.js';
import { SnapshotEngine, snapshotWakes } from '../test/support/snapshot-engine.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../test/support/spaceport-harness.js';
import { fmt, removeBenchDockerObjects, sleepSpace, timedGet, writeResult } from './space-bench.js';
import { median, printTable } from './stats.js';

const RUNS = Number(process.env.RUNS ?? 5);
const GRADIO_VERSION = process.env.GRADIO_VERSION ?? '5.50.0';
const INSTANCE = `bench-wakecfg-${randomBytes(3).toString('hex')}`;
const CLIENT_TIMEOUT_MS = 5_000;
const SNAPSHOTS = process.env.SNAPSHOTS !== 'off';
// A cold wake on a loaded 2-core host can take minutes (the proxy holds the request meanwhile).
const WAKE_TIMEOUT_MS = Number(process.env.WAKE_TIMEOUT_S ?? 300) * 1000;

/** One line of the controller's and proxy's log: epoch ms, message, fields. */
interface LogLine {
  time: number;
  msg: string;
  stage?: string;
}
const logLines: LogLine[] = [];

/** The steps of one wake, in order: [name, where the time comes from]. */
const STEPS = [
  ['proxy asks the wake', "proxy 'waking space'"],
  ['controller wakes', "reconciler 'waking'"],
  ['process started', "engine's StartedAt"],
  ['start call returned', "runtime 'container started again'"],
  ['python runs', 'app: first line'],
  ['gradio imported', 'app: after import gradio'],
  ['gradio listens', "app: 'Running on local URL'"],
  ['ready noticed', "reconciler 'stage' RUNNING"],
  ['/config answered', 'the bench'],
] as const;
type StepName = (typeof STEPS)[number][0];

function startBenchHarness(): Promise<Harness> {
  const installer = process.env.SPACEPORT_PYTHON_INSTALLER;
  const logger = createLogger({
    level: 'info',
    destination: {
      write(line: string) {
        try {
          const o = JSON.parse(line) as LogLine;
          logLines.push({ time: o.time, msg: o.msg, stage: o.stage });
        } catch {
          // not JSON: not ours to read
        }
      },
    },
  });
  return startHarness((config) => dockerAdapters(config, logger), { SPACEPORT_INSTANCE_NAME: INSTANCE, SPACEPORT_WAKE_TIMEOUT_MS: String(WAKE_TIMEOUT_MS), ...(installer ? { SPACEPORT_PYTHON_INSTALLER: installer } : {}) }, { logger });
}

/** The first log line with this message at or after `since` (epoch ms). */
function logTime(since: number, msg: string, stage?: string): number | undefined {
  return logLines.find((l) => l.time >= since && l.msg === msg && (stage === undefined || l.stage === stage))?.time;
}

/** The app container's StartedAt and the times of its lines since `since` (epoch ms), from the engine. */
async function containerTimes(docker: Dockerode, sub: string, since: number): Promise<{ startedAt?: number; lines: { time: number; text: string }[] }> {
  const [info] = await docker.listContainers({ all: true, filters: { name: [`${INSTANCE}-${sub}`] } });
  if (!info) return { lines: [] };
  const c = docker.getContainer(info.Id);
  const startedAt = Date.parse((await c.inspect()).State.StartedAt);
  const raw = (await c.logs({ stdout: true, stderr: true, timestamps: true, since: Math.floor(since / 1000) - 1 })) as unknown as Buffer;
  const lines: { time: number; text: string }[] = [];
  // Multiplexed stream: 8-byte headers before each frame.
  let text = '';
  for (let i = 0; i + 8 <= raw.length; ) {
    const n = raw.readUInt32BE(i + 4);
    text += raw.subarray(i + 8, i + 8 + n).toString('utf8');
    i += 8 + n;
  }
  for (const line of text.split('\n')) {
    const m = /^(\S+) (.*)$/.exec(line);
    if (m) lines.push({ time: Date.parse(m[1]!), text: m[2]! });
  }
  return { startedAt, lines };
}

/** Each step's time after the request was sent (ms); undefined when its line was not found. */
async function wakeSteps(docker: Dockerode, sub: string, t0: number, total: number): Promise<Record<StepName, number | undefined>> {
  const { startedAt, lines } = await containerTimes(docker, sub, t0);
  const line = (prefix: string) => lines.find((l) => l.time >= t0 - 1000 && l.text.includes(prefix))?.time;
  const appTime = (prefix: string) => {
    const l = lines.find((x) => x.time >= t0 - 1000 && x.text.startsWith(prefix));
    return l ? Number(l.text.slice(prefix.length).trim()) * 1000 : undefined;
  };
  const rel = (t: number | undefined) => (t === undefined || Number.isNaN(t) ? undefined : t - t0);
  return {
    'proxy asks the wake': rel(logTime(t0, 'waking space')),
    'controller wakes': rel(logTime(t0, 'waking')),
    'process started': rel(startedAt),
    'start call returned': rel(logTime(t0, 'container started again')),
    'python runs': rel(appTime('spaceport-bench python')),
    'gradio imported': rel(appTime('spaceport-bench imported')),
    'gradio listens': rel(line('Running on local URL')),
    'ready noticed': rel(logTime(t0, 'stage', 'RUNNING')),
    '/config answered': total,
  };
}

/** `GET /config` through the proxy: milliseconds to the whole answer. */
async function config(h: Harness, sub: string, marker: string): Promise<number> {
  const t0 = performance.now();
  const r = await timedGet({ port: h.port, host: `${sub}.localhost:${h.port}`, path: '/config', timeoutMs: WAKE_TIMEOUT_MS });
  const ms = performance.now() - t0;
  if (r.status !== 200 || !r.body.includes(marker)) throw new Error(`GET /config: ${r.status} ${r.body.slice(0, 200)}`);
  return ms;
}

function stepMedian(steps: readonly Record<StepName, number | undefined>[], name: StepName): number {
  return median(steps.map((s) => s[name]).filter((x): x is number => x !== undefined));
}

interface SnapshotSeries {
  wakes: number[];
  awake: number[];
  /** Wakes that were restores, per `spaceport_snapshot_wakes_total`; and the cold ones by reason. */
  restored: number;
  cold: Record<string, number>;
  snapshotBytes: number[];
}

/**
 * The snapshot series: `image` (the Gradio Space built above) on an engine with the restoring
 * runtime, under a Spaceport with snapshots on; RUNS × (sleep with a dump → GET /config → awake GET /config).
 */
async function snapshotSeries(image: string, marker: string): Promise<SnapshotSeries> {
  const snap = await SnapshotEngine.start('wakecfg');
  let h: Harness | undefined;
  let work: string | undefined;
  const name = `wakecfg-snap-${randomBytes(3).toString('hex')}`;
  const space = `admin/${name}`;
  const sub = `admin-${name}`;
  const out: SnapshotSeries = { wakes: [], awake: [], restored: 0, cold: {}, snapshotBytes: [] };
  try {
    await snap.loadImage(image);
    h = await startHarness(snap.adapters(), { ...snap.env(), SPACEPORT_INSTANCE_NAME: `${INSTANCE}-snap`, SPACEPORT_WAKE_TIMEOUT_MS: String(WAKE_TIMEOUT_MS) });
    const create = await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'docker' });
    if (create.status !== 200) throw new Error(`create: ${create.status} ${create.body}`);
    work = await makeWorkTree({
      'README.md': '---\nsdk: docker\napp_port: 7860\n---\n',
      // The Gradio SDK's run env (templates/sdk-traits.ts), stated by the docker Space.
      Dockerfile: `FROM ${image}\nENV GRADIO_SERVER_NAME=0.0.0.0 GRADIO_SERVER_PORT=7860\n`,
    });
    const push = await git(['push', '--force', pushUrl(h.port, space, ADMIN_TOKEN), 'main'], work);
    if (push.code !== 0) throw new Error(push.stderr);
    const rt = await h.waitStage(space, ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR', 'CONFIG_ERROR'], 10 * 60_000);
    if (rt.stage !== 'RUNNING') throw new Error(`${space}: ${rt.stage} ${rt.errorMessage ?? ''}`);
    const before = await snapshotWakes(h.port);
    for (let i = 0; i < RUNS; i++) {
      await sleepSpace(h, space);
      // No snapshot (a failed dump): that wake is cold, and says so in `cold`.
      out.snapshotBytes.push((await snap.snapshotOf(space).catch(() => undefined))?.bytes ?? 0);
      out.wakes.push(await config(h, sub, marker));
      out.awake.push(await config(h, sub, marker));
      process.stderr.write(`snapshot run ${i}: wake → /config ${fmt(out.wakes.at(-1)!)} ms, awake /config ${fmt(out.awake.at(-1)!)} ms, snapshot ${((out.snapshotBytes.at(-1) ?? 0) / 1024 ** 2).toFixed(0)} MB\n`);
    }
    const after = await snapshotWakes(h.port);
    out.restored = after.restored - before.restored;
    out.cold = Object.fromEntries(Object.entries(after.cold).map(([k, v]) => [k, v - (before.cold[k] ?? 0)]).filter(([, v]) => (v as number) > 0));
  } finally {
    await h?.close();
    await snap.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  }
  return out;
}

/** The image the Space's container runs, by tag. */
async function imageOf(docker: Dockerode, sub: string): Promise<string> {
  const [info] = await docker.listContainers({ all: true, filters: { name: [`${INSTANCE}-${sub}`] } });
  const tag = info ? (await docker.getImage(info.Image).inspect()).RepoTags?.[0] : undefined;
  if (!tag) throw new Error(`no tagged image for ${sub}`);
  return tag;
}

async function main(): Promise<void> {
  process.stdout.write(`load average at the start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
  const h = await startBenchHarness();
  const docker = new Dockerode();
  const name = `wakecfg-${randomBytes(3).toString('hex')}`;
  const space = `admin/${name}`;
  const sub = `admin-${name}`;
  const marker = `cfg-${randomBytes(6).toString('hex')}`;
  let work: string | undefined;
  const wakes: number[] = [];
  const awake: number[] = [];
  const steps: Record<StepName, number | undefined>[] = [];
  let snapshot: SnapshotSeries | undefined;
  try {
    const create = await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'gradio' });
    if (create.status !== 200) throw new Error(`create: ${create.status} ${create.body}`);
    work = await makeWorkTree({
      'README.md': `---\nsdk: gradio\nsdk_version: ${GRADIO_VERSION}\napp_file: app.py\n---\n`,
      'app.py': [
        'import time',
        'print("spaceport-bench python", time.time(), flush=True)',
        'import gradio as gr',
        'print("spaceport-bench imported", time.time(), flush=True)',
        '',
        'with gr.Blocks(title="bench") as demo:',
        `    gr.Markdown("${marker}")`,
        '',
        'demo.launch()',
        '',
      ].join('\n'),
    });
    const push = await git(['push', '--force', pushUrl(h.port, space, ADMIN_TOKEN), 'main'], work);
    if (push.code !== 0) throw new Error(push.stderr);
    const rt = await h.waitStage(space, ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR', 'CONFIG_ERROR'], 20 * 60_000);
    if (rt.stage !== 'RUNNING') throw new Error(`${space}: ${rt.stage} ${rt.errorMessage ?? ''}`);
    for (let i = 0; i < RUNS; i++) {
      await sleepSpace(h, space);
      const t0 = Date.now();
      wakes.push(await config(h, sub, marker));
      awake.push(await config(h, sub, marker));
      steps.push(await wakeSteps(docker, sub, t0, wakes.at(-1)!));
      const parts = STEPS.map(([n]) => `${n} ${steps.at(-1)![n] === undefined ? '?' : fmt(steps.at(-1)![n]!)}`).join(', ');
      process.stderr.write(`run ${i}: wake → /config ${fmt(wakes.at(-1)!)} ms, awake /config ${fmt(awake.at(-1)!)} ms; ${parts}\n`);
    }
    if (SNAPSHOTS) {
      // The cold series' Space sleeps meanwhile (no process of it competes with the restores).
      await sleepSpace(h, space);
      snapshot = await snapshotSeries(await imageOf(docker, sub), marker);
    }
  } finally {
    await h.api('DELETE', '/api/repos/delete', { name, type: 'space' }).catch(() => undefined);
    await h.close();
    await removeBenchDockerObjects(docker, INSTANCE, [sub]);
    if (work) rmSync(work, { recursive: true, force: true });
  }
  const over = wakes.filter((ms) => ms > CLIENT_TIMEOUT_MS).length;
  const result = {
    runs: RUNS,
    gradio_version: GRADIO_VERSION,
    wake_to_config_ms: { median: median(wakes), min: Math.min(...wakes), max: Math.max(...wakes) },
    awake_config_ms: { median: median(awake) },
    over_gradio_client_timeout: `${over}/${RUNS}`,
    steps_median_ms: Object.fromEntries(STEPS.map(([n]) => [n, stepMedian(steps, n)])),
    snapshot: snapshot && {
      wake_to_config_ms: { median: median(snapshot.wakes), min: Math.min(...snapshot.wakes), max: Math.max(...snapshot.wakes) },
      awake_config_ms: { median: median(snapshot.awake) },
      over_gradio_client_timeout: `${snapshot.wakes.filter((ms) => ms > CLIENT_TIMEOUT_MS).length}/${RUNS}`,
      restored: `${snapshot.restored}/${RUNS}`,
      cold_by_reason: snapshot.cold,
      snapshot_bytes_median: median(snapshot.snapshotBytes),
      ratio_to_cold: median(snapshot.wakes) / median(wakes),
      samples: { wakes: snapshot.wakes, awake: snapshot.awake, snapshotBytes: snapshot.snapshotBytes },
    },
    load_average: loadavg(),
    samples: { wakes, awake, steps },
  };
  printTable(
    [`Gradio ${GRADIO_VERSION} (${RUNS} runs)`, 'median', 'min', 'max', `over ${CLIENT_TIMEOUT_MS / 1000} s (gradio_client's timeout)`],
    [
      ['sleeping → GET /config answered', fmt(median(wakes)), fmt(Math.min(...wakes)), fmt(Math.max(...wakes)), `${over}/${RUNS}`],
      ['awake → GET /config answered', fmt(median(awake)), fmt(Math.min(...awake)), fmt(Math.max(...awake)), ''],
      ...(snapshot
        ? [
            [`sleeping, snapshots on (${snapshot.restored}/${RUNS} restored) → GET /config answered`, fmt(median(snapshot.wakes)), fmt(Math.min(...snapshot.wakes)), fmt(Math.max(...snapshot.wakes)), `${snapshot.wakes.filter((ms) => ms > CLIENT_TIMEOUT_MS).length}/${RUNS}`],
            ['awake, snapshots on → GET /config answered', fmt(median(snapshot.awake)), fmt(Math.min(...snapshot.awake)), fmt(Math.max(...snapshot.awake)), ''],
          ]
        : []),
    ],
  );
  if (snapshot) {
    const cold = Object.entries(snapshot.cold).map(([k, v]) => `${v} ${k}`).join(', ') || 'none';
    process.stdout.write(`snapshot wake / cold wake (medians): ${(median(snapshot.wakes) / median(wakes)).toFixed(2)}×; snapshot ${(median(snapshot.snapshotBytes) / 1024 ** 2).toFixed(0)} MB; cold wakes in the snapshot series: ${cold}\n`);
  }
  printTable(
    ['step of a wake (median of the runs)', 'ms after the request', 'ms since the step before', 'read from'],
    STEPS.map(([n, from], i) => {
      const at = stepMedian(steps, n);
      const before = i === 0 ? 0 : stepMedian(steps, STEPS[i - 1]![0]);
      return [n, fmt(at), fmt(at - before), from];
    }),
  );
  process.stdout.write(`load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
  writeResult('wake-config', result);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
