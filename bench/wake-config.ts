/**
 * Gradio wake as gradio_client sees it: a sleeping Gradio Space, then `GET /config` (what
 * `gradio_client.Client(...)` asks first, with a 5 s timeout), timed from sending the request to the
 * whole JSON answered. The proxy holds a non-browser request while the Space wakes, so this is the
 * wake plus Gradio's own start. Beside it, the same request to the awake Space. No change is
 * measured here, only how long it takes (issue 19: "Waking and clients").
 *
 *   npx tsx bench/wake-config.ts          (RUNS=5, GRADIO_VERSION=5.50.0 by default)
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import Dockerode from 'dockerode';
import { git, makeWorkTree, pushUrl } from '../test/support/git-client.js';
import { ADMIN_TOKEN, type Harness } from '../test/support/spaceport-harness.js';
import { fmt, removeBenchDockerObjects, startDockerHarness, timedGet, writeResult } from './space-bench.js';
import { median, printTable } from './stats.js';

const RUNS = Number(process.env.RUNS ?? 5);
const GRADIO_VERSION = process.env.GRADIO_VERSION ?? '5.50.0';
const INSTANCE = `bench-wakecfg-${randomBytes(3).toString('hex')}`;
const CLIENT_TIMEOUT_MS = 5_000;

async function sleepSpace(h: Harness, space: string): Promise<void> {
  await h.api('POST', `/api/spaces/${space}/sleeptime`, { seconds: 1 });
  await h.waitStage(space, ['SLEEPING'], 60_000);
  await h.api('POST', `/api/spaces/${space}/sleeptime`, { seconds: 600 });
}

/** `GET /config` through the proxy: milliseconds to the whole answer. */
async function config(h: Harness, sub: string, marker: string): Promise<number> {
  const t0 = performance.now();
  const r = await timedGet({ port: h.port, host: `${sub}.localhost:${h.port}`, path: '/config', timeoutMs: 120_000 });
  const ms = performance.now() - t0;
  if (r.status !== 200 || !r.body.includes(marker)) throw new Error(`GET /config: ${r.status} ${r.body.slice(0, 200)}`);
  return ms;
}

async function main(): Promise<void> {
  const h = await startDockerHarness(INSTANCE);
  const docker = new Dockerode();
  const name = `wakecfg-${randomBytes(3).toString('hex')}`;
  const space = `admin/${name}`;
  const sub = `admin-${name}`;
  const marker = `cfg-${randomBytes(6).toString('hex')}`;
  let work: string | undefined;
  const wakes: number[] = [];
  const awake: number[] = [];
  try {
    const create = await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'gradio' });
    if (create.status !== 200) throw new Error(`create: ${create.status} ${create.body}`);
    work = await makeWorkTree({
      'README.md': `---\nsdk: gradio\nsdk_version: ${GRADIO_VERSION}\napp_file: app.py\n---\n`,
      'app.py': ['import gradio as gr', '', 'with gr.Blocks(title="bench") as demo:', `    gr.Markdown("${marker}")`, '', 'demo.launch()', ''].join('\n'),
    });
    const push = await git(['push', '--force', pushUrl(h.port, space, ADMIN_TOKEN), 'main'], work);
    if (push.code !== 0) throw new Error(push.stderr);
    const rt = await h.waitStage(space, ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR', 'CONFIG_ERROR'], 20 * 60_000);
    if (rt.stage !== 'RUNNING') throw new Error(`${space}: ${rt.stage} ${rt.errorMessage ?? ''}`);
    for (let i = 0; i < RUNS; i++) {
      await sleepSpace(h, space);
      wakes.push(await config(h, sub, marker));
      awake.push(await config(h, sub, marker));
      process.stderr.write(`run ${i}: wake → /config ${fmt(wakes.at(-1)!)} ms, awake /config ${fmt(awake.at(-1)!)} ms\n`);
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
    samples: { wakes, awake },
  };
  printTable(
    [`Gradio ${GRADIO_VERSION} (${RUNS} runs)`, 'median', 'min', 'max', `over ${CLIENT_TIMEOUT_MS / 1000} s (gradio_client's timeout)`],
    [
      ['sleeping → GET /config answered', fmt(median(wakes)), fmt(Math.min(...wakes)), fmt(Math.max(...wakes)), `${over}/${RUNS}`],
      ['awake → GET /config answered', fmt(median(awake)), fmt(Math.min(...awake)), fmt(Math.max(...awake)), ''],
    ],
  );
  writeResult('wake-config', result);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
