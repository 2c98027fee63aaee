/**
 * uv against pip on every Python fixture Space (test/fixtures/spaces/, sdk gradio or streamlit):
 * which packages each installer chooses and how long it takes to decide, in the same container.
 *
 * Per fixture: the templates' own plan (its Python image, its cutoff from the fixture's date, the
 * SDK, `spaces` and requirements.txt as the Dockerfile installs them), then in one container of
 * that base image: a venv with pip 26.0.1 and uv, `pip install --dry-run --report` with
 * `--uploaded-prior-to`, and `uv pip install --dry-run` with `--exclude-newer` and
 * `--index-strategy unsafe-best-match` (both from empty caches). Package names are normalized
 * (PEP 503) before comparing.
 *
 *   npx tsx bench/installer-sets.ts      (part of make bench-pip)
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Dockerode from 'dockerode';
import { CA_BUNDLE_FILE_NAME, ensureBaseImages, parseSpaceConfig, planBuild, pythonImagesWith } from '../builder/index.js';
import { silentLogger } from '../core/index.js';
import { PIP_VERSION, UV_VERSION } from '../templates/index.js';
import { runIn } from './build-steps.js';
import { fmt } from './space-bench.js';
import { printTable } from './stats.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'test', 'fixtures', 'spaces');
/** The fixtures' commit dates (as test/e2e/real-spaces.test.ts pushes them); others resolve as of now. */
const DATES: Readonly<Record<string, string>> = {
  'streamlit-old-unpinned': '2023-08-15T12:00:00Z',
  'gradio4-typer-slim': '2024-04-10T12:00:00Z',
  'gradio437-hffolder': '2024-07-01T12:00:00Z',
  'spaces-gpu': '2025-07-01T12:00:00Z',
  'gradio-no-sdk-version': '2025-03-01T12:00:00Z',
};

export interface InstallerSets {
  fixture: string;
  image: string;
  cutoff: string;
  pip: { ms: number; ok: boolean; packages: Record<string, string>; tail: string };
  uv: { ms: number; ok: boolean; packages: Record<string, string>; tail: string };
  /** name: [pip's version, uv's version] where they differ (a missing side is "-"). */
  differences: Record<string, [string, string]>;
}

const norm = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');

/** A shell script for the container: prints `@@PIP <ms> <rc>`, the pip report, `@@UV <ms> <rc>`, uv's output. */
function script(args: string, cutoff: string | undefined): string {
  const pipCut = cutoff ? `--uploaded-prior-to '${cutoff}'` : '';
  const uvCut = cutoff ? `--exclude-newer '${cutoff}'` : '';
  return [
    'set -u',
    'mkdir -p /tmp/spaceport && printf %s "$REQS" | base64 -d > /tmp/spaceport/requirements.txt',
    `python3 -m venv /v >/dev/null && /v/bin/pip install -q --disable-pip-version-check 'pip==${PIP_VERSION}' 'uv==${UV_VERSION}' >/dev/null 2>&1 || { echo '@@SETUP failed'; exit 1; }`,
    'now() { date +%s%3N; }',
    `t=$(now); /v/bin/pip install --disable-pip-version-check --no-cache-dir --dry-run --quiet --report /tmp/pip.json ${pipCut} ${args} >/tmp/pip.out 2>&1; rc=$?; echo "@@PIP $(( $(now) - t )) $rc"; cat /tmp/pip.json 2>/dev/null; echo; tail -5 /tmp/pip.out`,
    `t=$(now); UV_CACHE_DIR=/tmp/uvc /v/bin/uv pip install --dry-run --python /v/bin/python --index-strategy unsafe-best-match ${uvCut} ${args} >/tmp/uv.out 2>&1; rc=$?; echo "@@UV $(( $(now) - t )) $rc"; cat /tmp/uv.out`,
  ].join('\n');
}

function parse(raw: string): Pick<InstallerSets, 'pip' | 'uv'> {
  const out = raw.replace(/\r/g, '');
  const pipAt = out.indexOf('@@PIP ');
  const uvAt = out.indexOf('@@UV ');
  if (pipAt < 0 || uvAt < 0) throw new Error(`no result: ${out.slice(-2000)}`);
  const head = (at: number) => out.slice(at).split('\n', 1)[0]!.split(' ');
  const [, pipMs, pipRc] = head(pipAt);
  const [, uvMs, uvRc] = head(uvAt);
  const pipText = out.slice(pipAt, uvAt).split('\n').slice(1).join('\n');
  const uvText = out.slice(uvAt).split('\n').slice(1).join('\n');
  const pipPackages: Record<string, string> = {};
  const json = pipText.slice(0, pipText.lastIndexOf('}') + 1);
  if (pipRc === '0' && json) {
    for (const item of (JSON.parse(json) as { install: { metadata: { name: string; version: string } }[] }).install) pipPackages[norm(item.metadata.name)] = item.metadata.version;
  }
  const uvPackages: Record<string, string> = {};
  for (const m of uvText.matchAll(/^ \+ ([A-Za-z0-9._-]+)==(\S+)/gm)) uvPackages[norm(m[1]!)] = m[2]!;
  return {
    pip: { ms: Number(pipMs), ok: pipRc === '0', packages: pipPackages, tail: pipText.split('\n').slice(-6).join('\n').trim() },
    uv: { ms: Number(uvMs), ok: uvRc === '0', packages: uvPackages, tail: uvText.split('\n').slice(-6).join('\n').trim() },
  };
}

/** Every Python fixture, one after the other. */
export async function compareInstallers(docker: Dockerode): Promise<InstallerSets[]> {
  const results: InstallerSets[] = [];
  for (const fixture of readdirSync(FIXTURES).sort()) {
    const dir = path.join(FIXTURES, fixture);
    const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
    const cfg = parseSpaceConfig(readme);
    if (!cfg.ok || (cfg.config.sdk !== 'gradio' && cfg.config.sdk !== 'streamlit')) continue;
    const files = readdirSync(dir);
    const requirementsTxt = files.includes('requirements.txt') ? readFileSync(path.join(dir, 'requirements.txt'), 'utf8') : '';
    const plan = planBuild({
      config: cfg.config,
      files,
      pythonImages: pythonImagesWith(),
      caBundleFileName: CA_BUNDLE_FILE_NAME,
      requirementsTxt,
      pythonInstaller: 'uv',
      dependenciesChangedAt: new Date(DATES[fixture] ?? Date.now()),
    });
    if (plan.kind !== 'ok' || !plan.dockerfile) throw new Error(`${fixture}: ${plan.kind}`);
    const install = plan.dockerfile.split('\n').find((l) => / 'spaces'| '(gradio|streamlit)(\[oauth\])?(==[^']*)?' \|\|/.test(l) && l.includes('uv pip install'));
    const args = install ? /--index-strategy unsafe-best-match(?: --exclude-newer '[^']*')? (.*?) \|\| \{/.exec(install)?.[1] : undefined;
    if (!args) throw new Error(`${fixture}: no install line in ${plan.dockerfile}`);
    const reqs = plan.extraFiles['.spaceport/requirements.txt'] ?? requirementsTxt;
    const image = plan.templateInput.pythonImage;
    await ensureBaseImages(docker, { python: image }, silentLogger());
    const cutoff = plan.packageCutoff;
    const { out } = await runIn(docker, image, ['sh', '-c', script(args, cutoff)], { label: 'installer-sets', env: [`REQS=${Buffer.from(reqs).toString('base64')}`] });
    const { pip, uv } = parse(out);
    const differences: Record<string, [string, string]> = {};
    for (const name of new Set([...Object.keys(pip.packages), ...Object.keys(uv.packages)])) {
      if (pip.packages[name] !== uv.packages[name]) differences[name] = [pip.packages[name] ?? '-', uv.packages[name] ?? '-'];
    }
    const r = { fixture, image, cutoff: cutoff ?? 'newest', pip, uv, differences };
    process.stderr.write(`${fixture}: pip ${fmt(pip.ms)} ms (${pip.ok ? Object.keys(pip.packages).length : 'failed'}), uv ${fmt(uv.ms)} ms (${uv.ok ? Object.keys(uv.packages).length : 'failed'}), differences ${JSON.stringify(differences)}\n`);
    results.push(r);
  }
  return results;
}

export function printInstallerSets(results: readonly InstallerSets[]): void {
  printTable(
    ['fixture', 'Python image', 'cutoff', 'pip resolve ms', 'uv resolve ms', 'packages pip / uv', 'differences (pip → uv)'],
    results.map((r) => [
      r.fixture,
      r.image,
      r.cutoff,
      fmt(r.pip.ms),
      fmt(r.uv.ms),
      `${r.pip.ok ? Object.keys(r.pip.packages).length : 'fails'} / ${r.uv.ok ? Object.keys(r.uv.packages).length : 'fails'}`,
      Object.entries(r.differences).map(([n, [a, b]]) => `${n} ${a} → ${b}`).join(', ') || (r.pip.ok || r.uv.ok ? 'none' : 'both refuse'),
    ]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await compareInstallers(new Dockerode());
  printInstallerSets(results);
}
