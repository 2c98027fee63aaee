/**
 * Build times of a Gradio Space through the whole product (git push, BuildKit, PyPI, Docker, proxy),
 * with the installer of SPACEPORT_PYTHON_INSTALLER (uv by default):
 *
 * - bare pip (the named alternative, same run): `pip install gradio==X` into a fresh venv in a
 *   container of spaceport/python:3.11, no cache.
 * - first of the install (`cold`): a new Space of a new owner in a new install (this run's harness
 *   has a new build-cache key: the owner's package cache is empty, and so are the install's SDK layer
 *   cache and its scope, `ARG SPACEPORT_SDK_LAYER_SCOPE`: the SDK layer is never a BuildKit hit).
 *   The base image and the layers every Space shares (uv, the venv) are kept. Measured: `git push`
 *   returned → first 200 with the app's output through its subdomain.
 * - new owner: then the first Space of another owner (an organization made for it): its package
 *   cache is empty and its cache scope new, but the SDK layer is the install's (s30: nothing of the
 *   Space comes before it; CACHED, checked), so only the owner's own steps run: what a new user of an
 *   install whose Spaces have used this SDK pin before waits for.
 * - warm: a second new Space of the same owner, with a requirements.txt of one small package: its
 *   SDK layer is the first Space's (CACHED; checked), its requirements step installs from the
 *   owner's warm uv cache. (Until s27 both Spaces carried a unique `pre-requirements.txt`, copied
 *   before the SDK layer, so the warm Space rebuilt the SDK layer: 19.6 s.)
 * - code-only: a commit changing only app.py → first 200 with the new output.
 * - requirements-only: a commit adding one small package to requirements.txt (the app shows
 *   requirements.txt, so the new page is told apart) → first 200.
 * - unchanged: an empty commit (same tree) → no build starts; the time `git push` takes.
 * Where the time of a cold and a code-only deploy goes: the build's steps from its BuildKit log
 * (context upload, base layers, uv and venv, install, code copy, export), then image → container
 * started → app answers on its port → first 200 through the proxy (route switch), and `import
 * gradio` in a fresh container of the image.
 *
 *   npx tsx bench/builds.ts     (RUNS_COLD=1, RUNS_WARM=1, RUNS_CODE=3, RUNS_REQS=2, RUNS_UNCHANGED=3)
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import Dockerode from 'dockerode';
import type { SpaceId } from '../core/index.js';
import { commitFiles, git, makeWorkTree, pushUrl } from '../test/support/git-client.js';
import { ADMIN_TOKEN, type Harness } from '../test/support/spaceport-harness.js';
import { barePipInstallMs, buildSteps, importGradioSeconds, uvTimings, type BuildStep } from './build-steps.js';
import { ContainerEvents, within } from './container-events.js';
import { hostPortOf, pollUntil200 } from './direct-start.js';
import { fmt, msUntil200, removeBenchDockerObjects, startDockerHarness, writeResult } from './space-bench.js';
import { median, percentile, printTable } from './stats.js';

const RUNS_WARM = Number(process.env.RUNS_WARM ?? 1);
const RUNS_NEW_OWNER = Number(process.env.RUNS_NEW_OWNER ?? 1);
const RUNS_CODE = Number(process.env.RUNS_CODE ?? 3);
const RUNS_REQS = Number(process.env.RUNS_REQS ?? 2);
/** One small package per requirements-only push (pure Python, no dependencies). */
const SMALL_PACKAGES = ['humanize', 'tabulate', 'python-slugify', 'toolz', 'more-itertools'];
const RUNS_UNCHANGED = Number(process.env.RUNS_UNCHANGED ?? 3);
const GRADIO_VERSION = process.env.GRADIO_VERSION ?? '5.50.0';
const COLD_TIMEOUT_MS = 15 * 60_000;
const CODE_TIMEOUT_MS = 5 * 60_000;
/** Poll interval of the proxy while a code-only release starts (each poll renders the old app's page). */
const CODE_POLL_MS = 50;
const INSTANCE = `bench-builds-${randomBytes(3).toString('hex')}`;

const README = `---\ntitle: Bench\nsdk: gradio\nsdk_version: ${GRADIO_VERSION}\napp_file: app.py\n---\n`;

/** The app shows its marker and requirements.txt (so a requirements-only push changes the page). */
function appPy(marker: string): string {
  return [
    'import os',
    'import gradio as gr',
    '',
    'reqs = open("requirements.txt").read() if os.path.exists("requirements.txt") else ""',
    'with gr.Blocks(title="bench") as demo:',
    `    gr.Markdown("${marker} " + reqs)`,
    '',
    'demo.launch()',
    '',
  ].join('\n');
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
  steps: Record<BuildStep, number>;
  /** uv's own timing lines of the build (see `uvTimings`). */
  uv: string[];
  image: string;
}

/** The image of the Space's latest build. */
function lastImage(h: Harness, space: string): string {
  const rec = h.sp.store.getSpace(space as SpaceId);
  const build = rec ? h.sp.store.latestBuild(rec.uid) : undefined;
  return build?.status === 'succeeded' ? build.image : '';
}

/** The SDK layer's step in a build log: its number and whether BuildKit took it from its cache. */
function sdkStep(log: string): { cached: boolean } | undefined {
  const m = /^#(\d+) \[[^\]]*\] RUN [^\n]*\{ uv pip install --python /m.exec(log);
  return m ? { cached: new RegExp(`^#${m[1]} CACHED$`, 'm').test(log) } : undefined;
}

type ColdKind = 'cold' | 'warm' | 'new-owner';

async function coldRun(h: Harness, i: number, kind: ColdKind, owner = 'admin'): Promise<{ run: ColdRun; work: string }> {
  const name = `${kind}-${randomBytes(3).toString('hex')}-${i}`;
  const space = `${owner}/${name}`;
  const marker = `cold-${randomBytes(6).toString('hex')}`;
  const create = await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'gradio', ...(owner === 'admin' ? {} : { organization: owner }) });
  if (create.status !== 200) throw new Error(`create ${space}: ${create.status} ${create.body}`);
  const work = await makeWorkTree({
    'README.md': README,
    ...(kind === 'warm' ? { 'requirements.txt': `${SMALL_PACKAGES[(i + 3) % SMALL_PACKAGES.length]}\n` } : {}),
    'app.py': appPy(marker),
  });
  const { pushMs } = await push(h, space, work);
  const liveMs = await msUntil200({ port: h.port, host: `${owner}-${name}.localhost:${h.port}`, marker, timeoutMs: COLD_TIMEOUT_MS, everyMs: 100 }).catch(
    async (err: unknown) => {
      const rt = await h.stage(space).catch(() => undefined);
      throw new Error(`${String(err)}; stage ${rt?.stage} ${rt?.errorMessage ?? ''}`);
    },
  );
  // A cold build must have installed gradio (uv lists what it installs, pip says "Collecting");
  // a warm one and a new owner's (uv) must have taken the first Space's SDK layer.
  const log = await buildLog(h, space);
  if (kind === 'cold' && !log.includes(`+ gradio==${GRADIO_VERSION}`) && !log.includes(`Collecting gradio==${GRADIO_VERSION}`)) {
    throw new Error(`the cold build of ${space} did not install gradio: its layer was cached`);
  }
  if (kind !== 'cold' && sdkStep(log) && !sdkStep(log)!.cached) throw new Error(`the ${kind} build of ${space} rebuilt the SDK layer`);
  return { run: { name: space, pushMs, liveMs, buildMs: lastBuildMs(h, space), steps: buildSteps(log), uv: uvTimings(log), image: lastImage(h, space) }, work };
}

interface LivePush {
  pushMs: number;
  liveMs: number;
  buildMs: number;
  toImageMs: number;
  toStartEventMs: number;
  toAppReadyMs: number;
  steps: Record<BuildStep, number>;
  /** uv's own timing lines of the build (see `uvTimings`). */
  uv: string[];
}

/** Commit `files` (whose page shows `marker`), push, and time push returned → image → container start → app answers → first 200 via the proxy. */
async function livePush(h: Harness, docker: Dockerode, events: ContainerEvents, space: string, work: string, files: Record<string, string>, marker: string): Promise<LivePush> {
  const host = `${space.replace('/', '-')}.localhost:${h.port}`;
  await h.waitStage(space, ['RUNNING'], CODE_TIMEOUT_MS);
  await commitFiles(work, files, marker);
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
  return {
    pushMs,
    liveMs,
    buildMs: lastBuildMs(h, space),
    toImageMs: finished - (performance.timeOrigin + t0),
    toStartEventMs: startEv ? startEv.at - t0 : Number.NaN,
    toAppReadyMs: ready === undefined ? Number.NaN : ready - t0,
    ...(await buildLog(h, space).then((log) => ({ steps: buildSteps(log), uv: uvTimings(log) }))),
  };
}

async function main(): Promise<void> {
  const h = await startDockerHarness(INSTANCE);
  const docker = new Dockerode();
  const names: string[] = [];
  const works: string[] = [];
  const cold: ColdRun[] = [];
  const warm: ColdRun[] = [];
  const newOwner: ColdRun[] = [];
  const code: LivePush[] = [];
  const reqs: LivePush[] = [];
  const events = new ContainerEvents({ docker, instance: INSTANCE, actions: ['start'] });
  const unchanged: { pushMs: number; buildStarted: boolean; stage: string }[] = [];
  let barePipMs = Number.NaN;
  let importGradio = Number.NaN;
  let importGradioNoPyc = Number.NaN;
  try {
    await events.open();
    // The named alternative, in this run: a bare pip install of the same gradio.
    barePipMs = await barePipInstallMs(docker, 'spaceport/python:3.11', GRADIO_VERSION);
    process.stderr.write(`bare pip install gradio==${GRADIO_VERSION}: ${fmt(barePipMs)} ms\n`);
    // The first Space of this run's owner: its package cache is empty.
    // A new owner: an organization of this run, whose package cache is empty.
    const org = `bench-org-${randomBytes(3).toString('hex')}`;
    const made = await h.api('POST', '/api/organizations/new', { name: org, fullname: 'Bench' });
    if (made.status !== 201) throw new Error(`create organization ${org}: ${made.status} ${made.body}`);
    for (const [kind, runs, out, owner] of [['cold', 1, cold, 'admin'], ['warm', RUNS_WARM, warm, 'admin'], ['new-owner', RUNS_NEW_OWNER, newOwner, org]] as const) {
      for (let i = 0; i < runs; i++) {
        const { run, work } = await coldRun(h, i, kind, owner);
        names.push(run.name);
        works.push(work);
        out.push(run);
        process.stderr.write(`${kind} ${i}: push ${fmt(run.pushMs)} ms, live ${fmt(run.liveMs)} ms (build ${fmt(run.buildMs)} ms) ${JSON.stringify(run.steps)} uv: ${run.uv.join('; ')}\n`);
      }
    }
    importGradio = await importGradioSeconds(docker, cold[0]!.image);
    importGradioNoPyc = await importGradioSeconds(docker, cold[0]!.image, true);
    process.stderr.write(`import gradio in a fresh container: ${importGradio.toFixed(2)} s (without the image's .pyc files: ${importGradioNoPyc.toFixed(2)} s)\n`);
    // Code-only, requirements-only and unchanged pushes go to the first Space (its layers are cached now).
    const space = cold[0]!.name;
    const work = works[0]!;
    let requirements = '';
    for (let i = 0; i < Math.max(RUNS_CODE, RUNS_REQS); i++) {
      if (i < RUNS_CODE) {
        const marker = `code-${i}-${randomBytes(6).toString('hex')}`;
        const run = await livePush(h, docker, events, space, work, { 'app.py': appPy(marker) }, marker);
        code.push(run);
        process.stderr.write(`code-only ${i}: push ${fmt(run.pushMs)} ms, live ${fmt(run.liveMs)} ms (image ${fmt(run.toImageMs)}, started ${fmt(run.toStartEventMs)}, app answers ${fmt(run.toAppReadyMs)}) ${JSON.stringify(run.steps)} uv: ${run.uv.join('; ')}\n`);
      }
      if (i < RUNS_REQS) {
        const marker = `reqs-${i}-${randomBytes(6).toString('hex')}`;
        requirements += `${SMALL_PACKAGES[i % SMALL_PACKAGES.length]}\n`;
        const run = await livePush(h, docker, events, space, work, { 'requirements.txt': `# ${marker}\n${requirements}` }, marker);
        reqs.push(run);
        process.stderr.write(`requirements-only ${i}: push ${fmt(run.pushMs)} ms, live ${fmt(run.liveMs)} ms (image ${fmt(run.toImageMs)}, started ${fmt(run.toStartEventMs)}, app answers ${fmt(run.toAppReadyMs)}) ${JSON.stringify(run.steps)} uv: ${run.uv.join('; ')}\n`);
      }
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
    for (const space of names) {
      const [owner, name] = space.split('/');
      await h.api('DELETE', '/api/repos/delete', { name, type: 'space', ...(owner === 'admin' ? {} : { organization: owner }) }).catch(() => undefined);
    }
    await h.close();
    await removeBenchDockerObjects(docker, INSTANCE, names.map((n) => n.replace('/', '-')));
    for (const w of works) rmSync(w, { recursive: true, force: true });
  }

  const coldLive = cold.map((r) => r.liveMs);
  const warmLive = warm.map((r) => r.liveMs);
  const newOwnerLive = newOwner.map((r) => r.liveMs);
  const codeLive = code.map((r) => r.liveMs);
  const reqsLive = reqs.map((r) => r.liveMs);
  const unchangedPush = unchanged.map((r) => r.pushMs);
  const ratio = median(codeLive) / median(coldLive);
  const split = (xs: LivePush[]) => {
    const m = (f: (r: LivePush) => number): number => median(xs.map(f));
    return {
      push_to_image: m((r) => r.toImageMs),
      image_to_container_start: m((r) => r.toStartEventMs - r.toImageMs),
      start_to_app_answers: m((r) => r.toAppReadyMs - r.toStartEventMs),
      app_answers_to_first_200_via_proxy: m((r) => r.liveMs - r.toAppReadyMs),
    };
  };
  const medianSteps = (xs: { steps: Record<BuildStep, number> }[]) =>
    Object.fromEntries((Object.keys(xs[0]?.steps ?? {}) as BuildStep[]).map((k) => [k, median(xs.map((x) => x.steps[k]))])) as Record<BuildStep, number>;
  const stats = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), p90: percentile(xs, 90), runs: xs });
  const targets = {
    // Done means: "a new Gradio Space (empty package cache for its owner)".
    new_owner_under_half_of_bare_pip: median(newOwnerLive) < barePipMs / 2,
    first_of_install_under_half_of_bare_pip: median(coldLive) < barePipMs / 2,
    warm_at_most_15_s: median(warmLive) <= 15_000,
    requirements_at_most_2_5x_code_plus_5_s: median(reqsLive) <= 2.5 * median(codeLive) + 5_000,
  };
  const result = {
    gradio_version: GRADIO_VERSION,
    installer: process.env.SPACEPORT_PYTHON_INSTALLER ?? 'uv',
    runs: { cold: 1, warm: RUNS_WARM, new_owner: RUNS_NEW_OWNER, code_only: RUNS_CODE, requirements_only: RUNS_REQS, unchanged: RUNS_UNCHANGED },
    bare_pip_install_ms: barePipMs,
    import_gradio_s: importGradio,
    import_gradio_without_pyc_s: importGradioNoPyc,
    cold_ms: median(coldLive),
    cold: { live_ms: stats(coldLive), build_ms: stats(cold.map((r) => r.buildMs)), git_push_ms: stats(cold.map((r) => r.pushMs)), build_steps_s: medianSteps(cold) },
    warm: { live_ms: stats(warmLive), build_ms: stats(warm.map((r) => r.buildMs)), build_steps_s: medianSteps(warm) },
    new_owner: { live_ms: stats(newOwnerLive), build_ms: stats(newOwner.map((r) => r.buildMs)), build_steps_s: medianSteps(newOwner) },
    code_only_ms: stats(codeLive),
    code_only: { build_ms: stats(code.map((r) => r.buildMs)), git_push_ms: stats(code.map((r) => r.pushMs)), split_ms: split(code), build_steps_s: medianSteps(code), samples: code },
    requirements_only: { live_ms: stats(reqsLive), build_ms: stats(reqs.map((r) => r.buildMs)), split_ms: split(reqs), build_steps_s: medianSteps(reqs), samples: reqs },
    unchanged_push_ms: median(unchangedPush),
    unchanged: { git_push_ms: stats(unchangedPush), build_started: unchanged.some((r) => r.buildStarted), stages: unchanged.map((r) => r.stage) },
    ratio,
    targets,
  };
  const row = (label: string, xs: number[]): string[] => [label, String(xs.length), fmt(median(xs)), fmt(Math.min(...xs)), fmt(Math.max(...xs))];
  printTable(['measure', 'runs', 'median ms', 'min ms', 'max ms'], [
    row(`bare pip install gradio==${GRADIO_VERSION} into a fresh venv (the alternative)`, [barePipMs]),
    row('cold (first Space of a new install: empty caches, new SDK layer): push returned → first 200', coldLive),
    row('cold: of which build (queued → image)', cold.map((r) => r.buildMs)),
    row('new owner (empty package cache; the install has this SDK layer): push → first 200', newOwnerLive),
    row('new owner: of which build (queued → image)', newOwner.map((r) => r.buildMs)),
    row('warm (second Space, same owner): push returned → first 200', warmLive),
    row('code-only: push returned → first 200 with the new output', codeLive),
    row('code-only: of which build (queued → image)', code.map((r) => r.buildMs)),
    row('requirements-only (one small package more): push → first 200', reqsLive),
    row('requirements-only: of which build (queued → image)', reqs.map((r) => r.buildMs)),
    row(`unchanged tree: git push (builds started: ${unchanged.filter((r) => r.buildStarted).length})`, unchangedPush),
  ]);
  process.stdout.write(`\ntargets: ${JSON.stringify(targets)}; import gradio in a fresh container ${importGradio.toFixed(2)} s (without .pyc files ${importGradioNoPyc.toFixed(2)} s)\n\nBuild steps (seconds, from the BuildKit log; medians):\n\n`);
  const stepRows = (label: string, st: Record<BuildStep, number>) => [label, ...(Object.values(st) as number[]).map((x) => x.toFixed(1))];
  printTable(['deploy', ...Object.keys(cold[0]?.steps ?? {})], [
    stepRows('cold', result.cold.build_steps_s),
    stepRows('warm', result.warm.build_steps_s),
    stepRows('new owner', result.new_owner.build_steps_s),
    stepRows('code-only', result.code_only.build_steps_s),
    stepRows('requirements-only', result.requirements_only.build_steps_s),
  ]);
  process.stdout.write(`\nAfter the push (medians, ms):\n\n`);
  const splitRow = (label: string, sp: ReturnType<typeof split>) => [label, ...[sp.push_to_image, sp.image_to_container_start, sp.start_to_app_answers, sp.app_answers_to_first_200_via_proxy].map(fmt)];
  printTable(
    ['deploy', 'push returned → image built', 'image → new container started', 'started → app answers on its port', `app answers → first 200 via proxy (polled every ${CODE_POLL_MS} ms)`],
    [splitRow('code-only', result.code_only.split_ms), splitRow('requirements-only', result.requirements_only.split_ms)],
  );
  writeResult('builds', result);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
