/**
 * pip against uv (`make bench-pip`), in the same run on the same engine:
 *
 * 1. Image build times of a Gradio Space with requirements, the templates' Dockerfile with
 *    SPACEPORT_PYTHON_INSTALLER=pip and =uv (both without a resolution cutoff, so both resolve the
 *    newest): cold (a unique pre-requirements.txt comment invalidates the install layers and fresh
 *    cache ids empty the caches; the base image and the shared uv/venv layers are kept),
 *    requirements-only (one more package in requirements.txt), code-only (app.py changed). Time:
 *    DockerImageBuilder.build, from the call to the image. The two alternate per round.
 * 2. The package sets pip and uv choose for every Python fixture Space (bench/installer-sets.ts).
 *
 *   npx tsx bench/pip-resolution.ts      (ROUNDS=1; SETS=0 skips part 2)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { DockerImageBuilder, ensureBaseImages, parseSpaceConfig, planBuild, pythonImagesWith, CA_BUNDLE_FILE_NAME } from '../builder/index.js';
import { silentLogger, type SpaceId } from '../core/index.js';
import { compareInstallers, printInstallerSets } from './installer-sets.js';
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

type Variant = 'pip' | 'uv';

/** The templates' Dockerfile with this installer. */
function dockerfileFor(variant: Variant, cacheId: string): string {
  const cfg = parseSpaceConfig(README);
  if (!cfg.ok) throw new Error(cfg.message);
  const plan = planBuild({
    config: cfg.config,
    files: ['README.md', 'app.py', 'requirements.txt', 'pre-requirements.txt'],
    pythonImages: pythonImagesWith(),
    defaultPython: '3.11',
    caBundleFileName: CA_BUNDLE_FILE_NAME,
    pipCacheId: `${cacheId}-pip`,
    uvCacheId: `${cacheId}-uv`,
    pythonInstaller: variant,
    requirementsTxt: REQS_1,
  });
  if (plan.kind !== 'ok' || !plan.dockerfile) throw new Error('no plan');
  return plan.dockerfile;
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
    pip: { cold: [], requirements: [], code: [] },
    uv: { cold: [], requirements: [], code: [] },
  };
  const images: string[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of (round % 2 === 0 ? ['pip', 'uv'] : ['uv', 'pip']) as Variant[]) {
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
    const b = median(times.pip[k]);
    const a = median(times.uv[k]);
    return [k === 'requirements' ? 'requirements-only' : k === 'code' ? 'code-only' : 'cold', fmt(b), fmt(a), (a / b).toFixed(2)];
  });
  printTable(['build', 'pip ms', 'uv ms', 'uv/pip'], rows);
  const sets = process.env.SETS === '0' ? [] : await compareInstallers(docker);
  if (sets.length > 0) {
    process.stdout.write('\nPackage sets of the Python fixture Spaces (dry runs from empty caches, at each fixture\'s cutoff):\n\n');
    printInstallerSets(sets);
  }
  writeResult('pip-resolution', { gradio: GRADIO_VERSION, rounds: ROUNDS, times, fixtures: sets });
}

await main();
