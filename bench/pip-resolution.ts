/**
 * Image build times of a Gradio Space with requirements, before and after the single dependency
 * resolution, in the same run on the same engine:
 *
 * - before: the SDK in one pip run, then requirements.txt plus the SDK again in a second, pip's
 *   cache off (PIP_NO_CACHE_DIR=1), no cache mount (the templates until this change).
 * - after: SDK and requirements.txt in one pip run with pip's cache in a BuildKit cache mount
 *   (per Space), pip 26 (the current templates, without a resolution cutoff so both resolve the same).
 *
 * For each: cold (a unique pre-requirements.txt comment invalidates the SDK layers and a fresh cache
 * id empties pip's cache; the base image and the venv layer are kept), requirements-only (one more
 * package in requirements.txt), code-only (app.py changed). Time: DockerImageBuilder.build, from the
 * call to the image. The two variants alternate per round so machine load hits both alike.
 *
 *   npx tsx bench/pip-resolution.ts      (ROUNDS=1; make bench-pip)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { DockerImageBuilder, ensureBaseImages, parseSpaceConfig, planBuild, pythonImagesWith, CA_BUNDLE_FILE_NAME } from '../builder/index.js';
import { silentLogger, type SpaceId } from '../core/index.js';
import { fmt, writeResult } from './space-bench.js';
import { median, printTable } from './stats.js';

const ROUNDS = Number(process.env.ROUNDS ?? 1);
const GRADIO_VERSION = process.env.GRADIO_VERSION ?? '5.50.0';
const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';
const RUN = randomBytes(3).toString('hex');
const docker = new Dockerode();
const builder = new DockerImageBuilder({ docker, logger: silentLogger(), caBundle: HOST_CA });
const README = `---\nsdk: gradio\nsdk_version: ${GRADIO_VERSION}\n---\n`;
const REQS_1 = 'pandas\n';
const REQS_2 = 'pandas\nhumanize\n';
const app = (marker: string) => `import gradio as gr\n\nwith gr.Blocks() as demo:\n    gr.Markdown("${marker}")\n\ndemo.launch()\n`;

type Variant = 'before' | 'after';

/** The current template's Dockerfile, or the one before this change (two pip runs, no pip cache). */
function dockerfileFor(variant: Variant, pipCacheId: string): string {
  const cfg = parseSpaceConfig(README);
  if (!cfg.ok) throw new Error(cfg.message);
  const plan = planBuild({
    config: cfg.config,
    files: ['README.md', 'app.py', 'requirements.txt', 'pre-requirements.txt'],
    pythonImages: pythonImagesWith(),
    defaultPython: '3.11',
    caBundleFileName: CA_BUNDLE_FILE_NAME,
    pipCacheId,
    requirementsTxt: REQS_1,
  });
  if (plan.kind !== 'ok' || !plan.dockerfile) throw new Error('no plan');
  if (variant === 'after') return plan.dockerfile;
  const sdk = `'gradio==${GRADIO_VERSION}'`;
  return plan.dockerfile
    .split('\n')
    .flatMap((line) => {
      if (line === '    PIP_DISABLE_PIP_VERSION_CHECK=1 \\') return ['    PIP_NO_CACHE_DIR=1 \\', line];
      if (line.startsWith('RUN mkdir -p /home/user/.cache/pip')) return [];
      if (line.includes('python3 -m venv')) return ['RUN python3 -m venv /home/user/.venv'];
      if (line.includes('-r /tmp/spaceport/pre-requirements.txt')) return ['RUN pip install -r /tmp/spaceport/pre-requirements.txt'];
      if (line.startsWith('COPY --chown=1000:1000 app/requirements.txt')) return [`RUN pip install ${sdk}`, line];
      if (line.includes('-r /tmp/spaceport/requirements.txt')) return [`RUN pip install -r /tmp/spaceport/requirements.txt && pip install ${sdk}`];
      return [line];
    })
    .join('\n');
}

async function build(variant: Variant, dir: string, image: string, cacheId: string): Promise<number> {
  const t0 = performance.now();
  await builder.build(
    { space: 'bench/pip' as SpaceId, image, contextDir: dir, dockerfile: dockerfileFor(variant, cacheId), extraFiles: {} },
    { write: () => undefined },
    AbortSignal.timeout(30 * 60_000),
  );
  return performance.now() - t0;
}

async function main(): Promise<void> {
  await ensureBaseImages(docker, { python: 'spaceport/python:3.11' }, silentLogger());
  const times: Record<Variant, Record<'cold' | 'requirements' | 'code', number[]>> = {
    before: { cold: [], requirements: [], code: [] },
    after: { cold: [], requirements: [], code: [] },
  };
  const images: string[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of (round % 2 === 0 ? ['before', 'after'] : ['after', 'before']) as Variant[]) {
        const id = `${RUN}-${round}-${variant}`;
        const cacheId = `bench-pip-${id}`;
        const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-bench-pip-'));
        const image = `spaceport/bench-pip-${variant}:${id}`;
        images.push(image);
        try {
          const write = (files: Record<string, string>) => {
            for (const [f, t] of Object.entries(files)) writeFileSync(path.join(dir, f), t);
          };
          write({ 'README.md': README, 'pre-requirements.txt': `# ${id}\n`, 'requirements.txt': REQS_1, 'app.py': app(`one ${id}`) });
          times[variant].cold.push(await build(variant, dir, image, cacheId));
          write({ 'requirements.txt': REQS_2 });
          times[variant].requirements.push(await build(variant, dir, image, cacheId));
          write({ 'app.py': app(`two ${id}`) });
          times[variant].code.push(await build(variant, dir, image, cacheId));
          process.stderr.write(`round ${round} ${variant}: ${JSON.stringify(Object.fromEntries(Object.entries(times[variant]).map(([k, v]) => [k, Math.round(v.at(-1)!)])))}\n`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    for (const image of images) await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  }
  const rows = (['cold', 'requirements', 'code'] as const).map((k) => {
    const b = median(times.before[k]);
    const a = median(times.after[k]);
    return [k === 'requirements' ? 'requirements-only' : k === 'code' ? 'code-only' : 'cold', fmt(b), fmt(a), (a / b).toFixed(2)];
  });
  printTable(['build', 'before ms (two pip runs, no cache)', 'after ms (one run, cache mount)', 'after/before'], rows);
  writeResult('pip-resolution', { gradio: GRADIO_VERSION, rounds: ROUNDS, times });
}

await main();
