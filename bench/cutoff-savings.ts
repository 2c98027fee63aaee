/**
 * How many of the fixture Spaces (test/fixtures/spaces/) the resolution cutoff saves: each is built
 * from its README and files as Spaceport plans it, once with packages as of its commit date and once
 * with the newest packages (resolve_packages_at: latest), then run; "runs" = the app answered HTTP on
 * its port within 3 minutes. Images are removed afterwards.
 *
 *   npx tsx bench/cutoff-savings.ts              (VARIANTS=cutoff,latest; ONLY=shape,shape)
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Dockerode from 'dockerode';
import { CA_BUNDLE_FILE_NAME, DockerImageBuilder, parseSpaceConfig, planBuild, pythonImagesWith } from '../builder/index.js';
import { silentLogger, type SpaceId } from '../core/index.js';
import { writeResult } from './space-bench.js';
import { printTable } from './stats.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'test', 'fixtures', 'spaces');
/** The commit dates the fixtures are pushed with in test/e2e/real-spaces.test.ts. */
const DATES: Record<string, string> = {
  'streamlit-old-unpinned': '2023-08-15T12:00:00Z',
  'gradio4-typer-slim': '2024-04-10T12:00:00Z',
  'gradio437-hffolder': '2024-07-01T12:00:00Z',
  'spaces-gpu': '2025-07-01T12:00:00Z',
  'gradio-no-sdk-version': '2025-03-01T12:00:00Z',
};
const VARIANTS = (process.env.VARIANTS ?? 'cutoff,latest').split(',') as ('cutoff' | 'latest')[];
const ONLY = process.env.ONLY?.split(',');
const RUN = randomBytes(3).toString('hex');
const docker = new Dockerode();
const builder = new DockerImageBuilder({ docker, logger: silentLogger(), caBundle: '/etc/ssl/certs/ca-certificates.crt' });

async function runs(image: string, port: number): Promise<{ ok: boolean; detail: string }> {
  const c = await docker.createContainer({ Image: image, ExposedPorts: { [`${port}/tcp`]: {} }, HostConfig: { PortBindings: { [`${port}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '' }] } } });
  try {
    await c.start();
    const hostPort = (await c.inspect()).NetworkSettings.Ports[`${port}/tcp`]?.[0]?.HostPort;
    const until = Date.now() + 180_000;
    while (Date.now() < until) {
      const state = (await c.inspect()).State;
      if (!state.Running) break;
      const ok = await fetch(`http://127.0.0.1:${hostPort}/`).then((r) => r.status < 500, () => false);
      if (ok) return { ok: true, detail: 'answered' };
      await new Promise((r) => setTimeout(r, 1000));
    }
    const logs = (await c.logs({ stdout: true, stderr: true, tail: 30 })).toString('utf8');
    // The log stream is multiplexed (8-byte frame headers): take the last exception line itself.
    const last = logs.match(/[A-Za-z]*Error: [^\n]*/g)?.at(-1) ?? logs.slice(-200);
    return { ok: false, detail: last.trim() };
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  const result: Record<string, Record<string, { ok: boolean; detail: string }>> = {};
  for (const shape of readdirSync(FIXTURES).filter((s) => !ONLY || ONLY.includes(s)).sort()) {
    const dir = path.join(FIXTURES, shape);
    const files = readdirSync(dir);
    const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
    result[shape] = {};
    for (const variant of VARIANTS) {
      const front = variant === 'latest' ? readme.replace(/^---\n/, '---\nresolve_packages_at: latest\n') : readme;
      const cfg = parseSpaceConfig(front);
      if (!cfg.ok) throw new Error(cfg.message);
      const plan = planBuild({
        config: cfg.config,
        files,
        pythonImages: pythonImagesWith(),
        caBundleFileName: CA_BUNDLE_FILE_NAME,
        dependenciesChangedAt: new Date(DATES[shape] ?? Date.now()),
        pipCacheId: 'bench-cutoff-savings',
        requirementsTxt: files.includes('requirements.txt') ? readFileSync(path.join(dir, 'requirements.txt'), 'utf8') : undefined,
      });
      if (plan.kind !== 'ok') throw new Error(plan.kind);
      const image = `spaceport/bench-cutoff-${shape}:${variant}-${RUN}`;
      let outcome: { ok: boolean; detail: string };
      try {
        await builder.build({ space: 'bench/cutoff' as SpaceId, image, contextDir: dir, dockerfile: plan.dockerfile, extraFiles: plan.extraFiles }, { write: () => undefined }, AbortSignal.timeout(30 * 60_000));
        outcome = await runs(image, plan.port);
      } catch (err) {
        outcome = { ok: false, detail: `build failed: ${String((err as Error).message).split('\n').filter((l) => /ERROR|Error/.test(l)).at(-1) ?? ''}` };
      } finally {
        await docker.getImage(image).remove({ force: true }).catch(() => undefined);
      }
      result[shape][variant] = outcome;
      process.stderr.write(`${shape} ${variant}: ${outcome.ok ? 'runs' : 'FAILS'} ${outcome.detail}\n`);
    }
    rows.push([shape, ...VARIANTS.map((v) => (result[shape]![v]!.ok ? 'runs' : `fails: ${result[shape]![v]!.detail.slice(0, 90)}`))]);
  }
  printTable(['fixture', ...VARIANTS.map((v) => (v === 'cutoff' ? 'as of its commit date' : 'newest packages'))], rows);
  const failLatest = Object.values(result).filter((r) => r.latest && !r.latest.ok).length;
  process.stdout.write(`\nWith the newest packages ${failLatest} of ${Object.keys(result).length} fixture Spaces fail.\n`);
  if (VARIANTS.includes('cutoff')) {
    const saved = Object.values(result).filter((r) => r.cutoff?.ok && r.latest && !r.latest.ok).length;
    process.stdout.write(`The cutoff saves ${saved} of ${Object.keys(result).length}.\n`);
  }
  writeResult('cutoff-savings', result);
}

await main();
