/**
 * Build times of a Gradio Space through the whole product (git push, BuildKit, PyPI, Docker, proxy):
 *
 * - cold: a new Space whose gradio layer is not cached. The gradio template installs the SDK
 *   before requirements.txt (a requirements change must not reinstall gradio), so a unique
 *   comment in requirements.txt would only re-run the small requirements layer. A unique comment
 *   in `pre-requirements.txt` is copied before the SDK layer: pip then downloads and installs
 *   gradio again. The base image (spaceport/python) is kept. Measured: `git push` returned →
 *   first 200 with the app's output through its subdomain.
 * - code-only: a commit changing only app.py → first 200 with the new output.
 * - unchanged: an empty commit (same tree) → no build starts; the time `git push` takes.
 *
 *   npx tsx bench/builds.ts          (RUNS_COLD=1, RUNS_CODE=5, RUNS_UNCHANGED=3 by default)
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import Dockerode from 'dockerode';
import type { SpaceId } from '../core/index.js';
import { commitFiles, git, makeWorkTree, pushUrl } from '../test/support/git-client.js';
import { ADMIN_TOKEN, type Harness } from '../test/support/spaceport-harness.js';
import { ContainerEvents, within } from './container-events.js';
import { hostPortOf, pollUntil200 } from './direct-start.js';
import { fmt, msUntil200, removeBenchDockerObjects, startDockerHarness, writeResult } from './space-bench.js';
import { median, percentile, printTable } from './stats.js';

const RUNS_COLD = Number(process.env.RUNS_COLD ?? 1);
const RUNS_CODE = Number(process.env.RUNS_CODE ?? 5);
const RUNS_UNCHANGED = Number(process.env.RUNS_UNCHANGED ?? 3);
const GRADIO_VERSION = process.env.GRADIO_VERSION ?? '5.50.0';
const COLD_TIMEOUT_MS = 15 * 60_000;
const CODE_TIMEOUT_MS = 5 * 60_000;
/** Poll interval of the proxy while a code-only release starts (each poll renders the old app's page). */
const CODE_POLL_MS = 50;
const INSTANCE = `bench-builds-${randomBytes(3).toString('hex')}`;

const README = `---\ntitle: Bench\nsdk: gradio\nsdk_version: ${GRADIO_VERSION}\napp_file: app.py\n---\n`;

function appPy(marker: string): string {
  return ['import gradio as gr', '', 'with gr.Blocks(title="bench") as demo:', `    gr.Markdown("${marker}")`, '', 'demo.launch()', ''].join('\n');
}

interface PushTiming {
  pushMs: number;
}

async function push(h: Harness, space: string, work: string): Promise<PushTiming> {
  const t0 = performance.now();
  const r = await git(['push', '--force', pushUrl(h.port, space, ADMIN_TOKEN), 'main'], work);
  if (r.code !== 0) throw new Error(`git push ${space} failed: ${r.stderr}`);
  return { pushMs: performance.now() - t0 };
}

/** Milliseconds from queue to image of the Space's latest build (from the store's timestamps). */
function lastBuildMs(h: Harness, space: string): number {
  const rec = h.sp.store.getSpace(space as SpaceId);
  const build = rec ? h.sp.store.latestBuild(rec.uid) : undefined;
  if (!build?.finishedAt) return Number.NaN;
  return Date.parse(build.finishedAt) - Date.parse(build.createdAt);
}

/** The latest build log of a Space (SSE `data:` lines of the logs API). */
async function buildLog(h: Harness, space: string): Promise<string> {
  const r = await h.api('GET', `/api/spaces/${space}/logs/build`);
  return r.body
    .split('\n')
    .filter((l) => l.startsWith('data: {'))
    .map((l) => (JSON.parse(l.slice('data: '.length)) as { data: string }).data)
    .join('');
}

/** Epoch ms when the Space's latest build finished. */
function lastBuildFinishedAt(h: Harness, space: string): number {
  const rec = h.sp.store.getSpace(space as SpaceId);
  const build = rec ? h.sp.store.latestBuild(rec.uid) : undefined;
  return build?.finishedAt ? Date.parse(build.finishedAt) : Number.NaN;
}

function buildCount(h: Harness, space: string): number {
  const rec = h.sp.store.getSpace(space as SpaceId);
  return rec ? h.sp.store.listBuilds(rec.uid, 1000).length : 0;
}

interface ColdRun {
  name: string;
  pushMs: number;
  liveMs: number;
  buildMs: number;
}

async function coldRun(h: Harness, i: number): Promise<{ run: ColdRun; work: string }> {
  const name = `cold-${randomBytes(3).toString('hex')}-${i}`;
  const space = `admin/${name}`;
  const marker = `cold-${randomBytes(6).toString('hex')}`;
  const create = await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'gradio' });
  if (create.status !== 200) throw new Error(`create ${space}: ${create.status} ${create.body}`);
  const work = await makeWorkTree({
    'README.md': README,
    // Copied before the gradio layer: a unique line makes BuildKit miss the gradio install.
    'pre-requirements.txt': `# bench ${INSTANCE} run ${i} ${randomBytes(8).toString('hex')}\n`,
    'app.py': appPy(marker),
  });
  const { pushMs } = await push(h, space, work);
  const liveMs = await msUntil200({ port: h.port, host: `admin-${name}.localhost:${h.port}`, marker, timeoutMs: COLD_TIMEOUT_MS, everyMs: 100 }).catch(
    async (err: unknown) => {
      const rt = await h.stage(space).catch(() => undefined);
      throw new Error(`${String(err)}; stage ${rt?.stage} ${rt?.errorMessage ?? ''}`);
    },
  );
  // A cold build must have installed gradio (pip prints "Collecting" for what it downloads).
  const log = await buildLog(h, space);
  if (!log.includes(`Collecting gradio==${GRADIO_VERSION}`)) throw new Error(`the cold build of ${space} did not install gradio: its layer was cached`);
  return { run: { name, pushMs, liveMs, buildMs: lastBuildMs(h, space) }, work };
}

async function main(): Promise<void> {
  const h = await startDockerHarness(INSTANCE);
  const docker = new Dockerode();
  const names: string[] = [];
  const works: string[] = [];
  const cold: ColdRun[] = [];
  const code: { pushMs: number; liveMs: number; buildMs: number; toImageMs: number; toStartEventMs: number; toAppReadyMs: number }[] = [];
  const events = new ContainerEvents({ docker, instance: INSTANCE, actions: ['start'] });
  const unchanged: { pushMs: number; buildStarted: boolean; stage: string }[] = [];
  try {
    await events.open();
    for (let i = 0; i < RUNS_COLD; i++) {
      const { run, work } = await coldRun(h, i);
      names.push(run.name);
      works.push(work);
      cold.push(run);
      process.stderr.write(`cold ${i}: push ${fmt(run.pushMs)} ms, live ${fmt(run.liveMs)} ms (build ${fmt(run.buildMs)} ms)\n`);
    }
    // Code-only and unchanged pushes go to the last cold Space (its layers are cached now).
    const name = cold.at(-1)!.name;
    const space = `admin/${name}`;
    const host = `admin-${name}.localhost:${h.port}`;
    const work = works.at(-1)!;
    for (let i = 0; i < RUNS_CODE; i++) {
      await h.waitStage(space, ['RUNNING'], CODE_TIMEOUT_MS);
      const marker = `code-${i}-${randomBytes(6).toString('hex')}`;
      await commitFiles(work, { 'app.py': appPy(marker) }, marker);
      const started = events.next('start', space);
      const { pushMs } = await push(h, space, work);
      const t0 = performance.now();
      // Split: the new container's start event, and when it answers on its own port (polled directly).
      const stopPolling = new AbortController();
      const appReady = started.then(async (e) => {
        const port = await hostPortOf(docker.getContainer(e.id));
        return pollUntil200(() => port, { timeoutMs: CODE_TIMEOUT_MS, everyMs: 10, signal: stopPolling.signal });
      });
      appReady.catch(() => {});
      const liveMs = await msUntil200({ port: h.port, host, marker, timeoutMs: CODE_TIMEOUT_MS, everyMs: CODE_POLL_MS });
      const startEv = await within(started, 5_000);
      const ready = await within(appReady.catch(() => undefined), 5_000);
      stopPolling.abort();
      const finished = lastBuildFinishedAt(h, space);
      const run = {
        pushMs,
        liveMs,
        buildMs: lastBuildMs(h, space),
        toImageMs: finished - (performance.timeOrigin + t0),
        toStartEventMs: startEv ? startEv.at - t0 : Number.NaN,
        toAppReadyMs: ready === undefined ? Number.NaN : ready - t0,
      };
      code.push(run);
      process.stderr.write(
        `code-only ${i}: push ${fmt(pushMs)} ms, live ${fmt(liveMs)} ms (image ${fmt(run.toImageMs)}, started ${fmt(run.toStartEventMs)}, app answers ${fmt(run.toAppReadyMs)})\n`,
      );
    }
    for (let i = 0; i < RUNS_UNCHANGED; i++) {
      await h.waitStage(space, ['RUNNING'], CODE_TIMEOUT_MS);
      const before = buildCount(h, space);
      await commitFiles(work, {}, `empty ${i}`);
      const { pushMs } = await push(h, space, work);
      // onPush runs before the push response ends: a build would be queued by now. Look again a bit later.
      await new Promise((r) => setTimeout(r, 1_000));
      const buildStarted = buildCount(h, space) !== before;
      const { stage } = await h.stage(space);
      unchanged.push({ pushMs, buildStarted, stage });
      process.stderr.write(`unchanged ${i}: push ${fmt(pushMs)} ms, build started: ${buildStarted}, stage ${stage}\n`);
      if (buildStarted) throw new Error(`an unchanged tree started a build of ${space}`);
    }
  } finally {
    events.close();
    for (const name of names) await h.api('DELETE', '/api/repos/delete', { name, type: 'space' }).catch(() => undefined);
    await h.close();
    await removeBenchDockerObjects(docker, INSTANCE, names.map((n) => `admin-${n}`));
    for (const w of works) rmSync(w, { recursive: true, force: true });
  }

  const coldLive = cold.map((r) => r.liveMs);
  const codeLive = code.map((r) => r.liveMs);
  const unchangedPush = unchanged.map((r) => r.pushMs);
  const ratio = median(codeLive) / median(coldLive);
  const m = (f: (r: (typeof code)[number]) => number): number => median(code.map(f));
  const codeSplit = {
    push_to_image: m((r) => r.toImageMs),
    image_to_container_start: m((r) => r.toStartEventMs - r.toImageMs),
    start_to_app_answers: m((r) => r.toAppReadyMs - r.toStartEventMs),
    app_answers_to_first_200_via_proxy: m((r) => r.liveMs - r.toAppReadyMs),
  };
  const stats = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), p90: percentile(xs, 90), runs: xs });
  const result = {
    gradio_version: GRADIO_VERSION,
    runs: { cold: RUNS_COLD, code_only: RUNS_CODE, unchanged: RUNS_UNCHANGED },
    cold_ms: median(coldLive),
    cold: { live_ms: stats(coldLive), build_ms: stats(cold.map((r) => r.buildMs)), git_push_ms: stats(cold.map((r) => r.pushMs)) },
    code_only_ms: stats(codeLive),
    code_only: {
      build_ms: stats(code.map((r) => r.buildMs)),
      git_push_ms: stats(code.map((r) => r.pushMs)),
      split_ms: codeSplit,
      samples: code,
    },
    unchanged_push_ms: median(unchangedPush),
    unchanged: { git_push_ms: stats(unchangedPush), build_started: unchanged.some((r) => r.buildStarted), stages: unchanged.map((r) => r.stage) },
    ratio,
  };
  const row = (label: string, xs: number[]): string[] => [label, String(xs.length), fmt(median(xs)), fmt(Math.min(...xs)), fmt(Math.max(...xs))];
  printTable(['measure', 'runs', 'median ms', 'min ms', 'max ms'], [
    row('cold: push returned → first 200 (gradio installed from PyPI)', coldLive),
    row('cold: of which build (queued → image)', cold.map((r) => r.buildMs)),
    row('code-only: push returned → first 200 with the new output', codeLive),
    row('code-only: of which build (queued → image)', code.map((r) => r.buildMs)),
    row('code-only: git push', code.map((r) => r.pushMs)),
    row(`unchanged tree: git push (builds started: ${unchanged.filter((r) => r.buildStarted).length})`, unchangedPush),
  ]);
  process.stdout.write(`\ncode-only / cold = ${(ratio * 100).toFixed(1)} % (target < 10 %)\n\nWhere a code-only push's time goes (medians, ms):\n\n`);
  printTable(
    ['push returned → image built', 'image → new container started', 'started → app answers on its port', `app answers → first 200 via proxy (polled every ${CODE_POLL_MS} ms)`],
    [[codeSplit.push_to_image, codeSplit.image_to_container_start, codeSplit.start_to_app_answers, codeSplit.app_answers_to_first_200_via_proxy].map(fmt)],
  );
  writeResult('builds', result);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
