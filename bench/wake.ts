/**
 * Wake overhead: a request (non-browser, so the proxy holds it) to a sleeping Space, timed to the
 * first byte of the app's answer, beside the same container's own start-to-ready measured directly
 * (a twin of the Space container started by the bench, its published port polled until it answers
 * 200; see direct-start.ts). overhead = wake − direct. One static and one Gradio Space; runs are
 * interleaved (static, gradio, static, …; direct first on even runs, wake first on odd ones).
 *
 * Each wake is split with Docker's `start` event and a direct poll of the woken container:
 *   request → container start event (controller: list, rename, start)
 *   start event → app answers on its port (the app's own start)
 *   app answers → proxy's first byte (readiness noticed, route published, request forwarded)
 *
 *   npx tsx bench/wake.ts          (RUNS=5 by default)
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import Dockerode from 'dockerode';
import { git, makeWorkTree, pushUrl } from '../test/support/git-client.js';
import { ADMIN_TOKEN, type Harness } from '../test/support/spaceport-harness.js';
import { ContainerEvents, within } from './container-events.js';
import { createTwin, directStartToReady, pollUntil200 } from './direct-start.js';
import { fmt, removeBenchDockerObjects, startDockerHarness, timedGet, writeResult } from './space-bench.js';
import { median, printTable } from './stats.js';

const RUNS = Number(process.env.RUNS ?? 5);
const GRADIO_VERSION = process.env.GRADIO_VERSION ?? '5.50.0';
const INSTANCE = `bench-wake-${randomBytes(3).toString('hex')}`;
const BUILD_TIMEOUT_MS = 15 * 60_000;
const READY_TIMEOUT_MS = 120_000;

interface BenchSpace {
  sdk: 'static' | 'gradio';
  name: string;
  space: string;
  sub: string;
  marker: string;
  work?: string;
  twin?: Dockerode.Container;
}

interface WakeRun {
  wakeMs: number;
  /** Request sent → Docker's rename event received (the runtime renames a stopped container back, then starts it). */
  toRenameEventMs: number;
  /** Request sent → Docker's start event received. */
  toStartEventMs: number;
  /** Request sent → the woken container answered 200 on its own port (polled by the bench). */
  toAppReadyMs: number;
  directMs: number;
  directStartCallMs: number;
}

function filesFor(sdk: BenchSpace['sdk'], marker: string): Record<string, string> {
  if (sdk === 'static') return { 'README.md': '---\nsdk: static\n---\n', 'index.html': `<h1>${marker}</h1>\n` };
  return {
    'README.md': `---\nsdk: gradio\nsdk_version: ${GRADIO_VERSION}\napp_file: app.py\n---\n`,
    'app.py': ['import gradio as gr', '', 'with gr.Blocks(title="bench") as demo:', `    gr.Markdown("${marker}")`, '', 'demo.launch()', ''].join('\n'),
  };
}

async function sleepSpace(h: Harness, s: BenchSpace): Promise<void> {
  await h.api('POST', `/api/spaces/${s.space}/sleeptime`, { seconds: 1 });
  await h.waitStage(s.space, ['SLEEPING'], 60_000);
  // Long enough that the woken Space does not fall asleep again during the measurement.
  await h.api('POST', `/api/spaces/${s.space}/sleeptime`, { seconds: 600 });
  const { stage } = await h.stage(s.space);
  if (stage !== 'SLEEPING') throw new Error(`${s.space} is ${stage}, expected SLEEPING`);
}

async function measureWake(h: Harness, docker: Dockerode, events: ContainerEvents, s: BenchSpace): Promise<Omit<WakeRun, 'directMs' | 'directStartCallMs'>> {
  const renameEvent = events.next('rename', s.space);
  const startEvent = events.next('start', s.space);
  let appPort: number | undefined;
  const stopPolling = new AbortController();
  const t0 = performance.now();
  const appReady = startEvent.then(async (e) => {
    const info = await docker.getContainer(e.id).inspect();
    appPort = Number(Object.values(info.NetworkSettings.Ports ?? {})[0]?.[0]?.HostPort) || undefined;
    return pollUntil200(() => appPort, { timeoutMs: READY_TIMEOUT_MS, everyMs: 10, signal: stopPolling.signal });
  });
  appReady.catch(() => {});
  const r = await timedGet({ port: h.port, host: `${s.sub}.localhost:${h.port}`, timeoutMs: READY_TIMEOUT_MS });
  if (r.status !== 200 || !r.body.includes(s.marker)) throw new Error(`wake of ${s.space}: ${r.status} ${r.body.slice(0, 200)}`);
  const renamed = await within(renameEvent, 5_000);
  const started = await within(startEvent, 5_000);
  // The proxy answered, so the app answers: the direct poll ends within one interval.
  const ready = await within(appReady.catch(() => undefined), 5_000);
  stopPolling.abort();
  return {
    wakeMs: r.firstByteMs,
    toRenameEventMs: renamed ? renamed.at - t0 : Number.NaN,
    toStartEventMs: started ? started.at - t0 : Number.NaN,
    toAppReadyMs: ready === undefined ? Number.NaN : ready - t0,
  };
}

async function setUp(h: Harness, docker: Dockerode, s: BenchSpace): Promise<void> {
  const create = await h.api('POST', '/api/repos/create', { name: s.name, type: 'space', sdk: s.sdk });
  if (create.status !== 200) throw new Error(`create ${s.space}: ${create.status} ${create.body}`);
  s.work = await makeWorkTree(filesFor(s.sdk, s.marker));
  const push = await git(['push', '--force', pushUrl(h.port, s.space, ADMIN_TOKEN), 'main'], s.work);
  if (push.code !== 0) throw new Error(push.stderr);
  const rt = await h.waitStage(s.space, ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR', 'CONFIG_ERROR', 'NO_APP_FILE'], BUILD_TIMEOUT_MS);
  if (rt.stage !== 'RUNNING') throw new Error(`${s.space}: ${rt.stage} ${rt.errorMessage ?? ''}`);
  const [c] = await docker.listContainers({ all: true, filters: { label: [`spaceport.space=${s.space}`, `spaceport.instance=${INSTANCE}`] } });
  if (!c) throw new Error(`${s.space} has no container`);
  s.twin = await createTwin(docker, c.Id, `${INSTANCE}-twin-${s.sdk}`);
  // One start of the twin first (not measured): later starts are restarts, like a wake.
  await directStartToReady(s.twin, READY_TIMEOUT_MS);
}

async function main(): Promise<void> {
  const h = await startDockerHarness(INSTANCE);
  const docker = new Dockerode();
  const events = new ContainerEvents({ docker, instance: INSTANCE, actions: ['rename', 'start'] });
  const tag = randomBytes(3).toString('hex');
  const spaces: BenchSpace[] = (['static', 'gradio'] as const).map((sdk) => {
    const name = `wake-${sdk}-${tag}`;
    return { sdk, name, space: `admin/${name}`, sub: `admin-${name}`, marker: `${sdk}-${randomBytes(6).toString('hex')}` };
  });
  const runs = new Map<BenchSpace['sdk'], WakeRun[]>(spaces.map((s) => [s.sdk, []]));
  try {
    await events.open();
    for (const s of spaces) await setUp(h, docker, s);
    for (let i = 0; i < RUNS; i++) {
      for (const s of spaces) {
        await sleepSpace(h, s);
        let direct: { startCallMs: number; readyMs: number };
        let wake: Awaited<ReturnType<typeof measureWake>>;
        if (i % 2 === 0) {
          direct = await directStartToReady(s.twin!, READY_TIMEOUT_MS);
          wake = await measureWake(h, docker, events, s);
        } else {
          wake = await measureWake(h, docker, events, s);
          await sleepSpace(h, s);
          direct = await directStartToReady(s.twin!, READY_TIMEOUT_MS);
        }
        const run: WakeRun = { ...wake, directMs: direct.readyMs, directStartCallMs: direct.startCallMs };
        runs.get(s.sdk)!.push(run);
        process.stderr.write(
          `${s.sdk} ${i}: wake ${fmt(run.wakeMs)} ms (renamed ${fmt(run.toRenameEventMs)}, start event ${fmt(run.toStartEventMs)}, app answers ${fmt(run.toAppReadyMs)}), direct ${fmt(run.directMs)} ms (start call ${fmt(run.directStartCallMs)})\n`,
        );
      }
    }
  } finally {
    events.close();
    for (const s of spaces) await h.api('DELETE', '/api/repos/delete', { name: s.name, type: 'space' }).catch(() => undefined);
    await h.close();
    await removeBenchDockerObjects(docker, INSTANCE, spaces.map((s) => s.sub));
    for (const s of spaces) if (s.work) rmSync(s.work, { recursive: true, force: true });
  }

  const result: Record<string, unknown> = { runs: RUNS, gradio_version: GRADIO_VERSION, target_overhead_ms: 300 };
  const overheadRows: string[][] = [];
  const splitRows: string[][] = [];
  for (const s of spaces) {
    const rs = runs.get(s.sdk)!;
    const m = (f: (r: WakeRun) => number): number => median(rs.map(f));
    const summary = {
      wake_ms: m((r) => r.wakeMs),
      direct_start_to_ready_ms: m((r) => r.directMs),
      overhead_ms: m((r) => r.wakeMs) - m((r) => r.directMs),
      overhead_paired_median_ms: m((r) => r.wakeMs - r.directMs),
      direct_docker_start_call_ms: m((r) => r.directStartCallMs),
      split: {
        request_to_rename_ms: m((r) => r.toRenameEventMs),
        rename_to_start_event_ms: m((r) => r.toStartEventMs - r.toRenameEventMs),
        start_event_to_app_ready_ms: m((r) => r.toAppReadyMs - r.toStartEventMs),
        app_ready_to_first_byte_ms: m((r) => r.wakeMs - r.toAppReadyMs),
        /** Spaceport's own time: before the docker start, and after the app answers. */
        spaceport_ms: m((r) => r.toRenameEventMs + (r.wakeMs - r.toAppReadyMs)),
      },
      samples: rs,
    };
    result[s.sdk] = summary;
    overheadRows.push([
      s.sdk,
      fmt(summary.wake_ms),
      fmt(summary.direct_start_to_ready_ms),
      fmt(summary.direct_docker_start_call_ms),
      `**${fmt(summary.overhead_ms)}**`,
      fmt(summary.overhead_paired_median_ms),
    ]);
    splitRows.push([
      s.sdk,
      fmt(summary.split.request_to_rename_ms),
      fmt(summary.split.rename_to_start_event_ms),
      fmt(summary.split.start_event_to_app_ready_ms),
      fmt(summary.split.app_ready_to_first_byte_ms),
      `**${fmt(summary.split.spaceport_ms)}**`,
    ]);
  }
  printTable(
    [
      `SDK (median of ${RUNS})`,
      'wake: request → first byte',
      'direct: docker start → first 200',
      'direct: of which the docker start call',
      'overhead (wake − direct)',
      'paired median of wake − direct',
    ],
    overheadRows,
  );
  process.stdout.write('\nWhere a wake\'s time goes (medians, ms):\n\n');
  printTable(
    [
      'SDK',
      'request → container renamed (proxy, wake, reconcile pass)',
      'rename → start event (docker start)',
      'start event → app answers on its port',
      'app answers → first byte via proxy',
      'Spaceport\'s own (1st + 4th column)',
    ],
    splitRows,
  );
  writeResult('wake', result);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
