import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Dockerode from 'dockerode';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { dockerAdapters } from '../../controller/docker-adapters.js';
import { launchChromium, openPage, spaceUrl, waitRendered } from '../support/chromium.js';
import { COLD_BUILD_MS, SETTLED, gradioPredict, sseText } from '../support/docker-space.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * Spaces written for huggingface.co at different times, pushed unchanged to one real Spaceport
 * (Docker runtime, BuildKit, uv from PyPI): each builds with one dependency resolution as of its
 * commit date, on the Python its README asks for (or the nearest), and renders in Chromium.
 * The fixtures are in test/fixtures/spaces/<shape>/; their commits carry the dates they were written.
 */
const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'spaces');

interface Fixture {
  shape: string;
  /** Commit date: the packages are resolved as of it. */
  date: string;
  sdk: 'gradio' | 'streamlit';
  /** The Python (major.minor) the build log must name. */
  python: string;
  /** Text the rendered page shows. */
  text: string;
}

const SHAPES: Fixture[] = [
  { shape: 'streamlit-old-unpinned', date: '2023-08-15T12:00:00Z', sdk: 'streamlit', python: '3.11', text: 'Old Streamlit works' },
  { shape: 'gradio4-typer-slim', date: '2024-04-10T12:00:00Z', sdk: 'gradio', python: '3.9', text: 'Your name' },
  { shape: 'gradio437-hffolder', date: '2024-07-01T12:00:00Z', sdk: 'gradio', python: '3.11', text: 'Your name' },
  { shape: 'spaces-gpu', date: '2025-07-01T12:00:00Z', sdk: 'gradio', python: '3.13', text: 'Your name' },
  { shape: 'gradio-no-sdk-version', date: '2025-03-01T12:00:00Z', sdk: 'gradio', python: '3.11', text: 'Your name' },
];

function filesOf(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
}

describe('real Spaces run unchanged (Python side)', () => {
  const run = randomBytes(3).toString('hex');
  const instance = `rs-${run}`;
  const docker = new Dockerode();
  let h: Harness;
  let browser: Browser | undefined;
  const works: string[] = [];
  const name = (f: Fixture) => `${f.shape}-${run}`;
  const space = (f: Fixture) => `admin/${name(f)}`;
  const sub = (f: Fixture) => `admin-${name(f)}`;
  const settled = new Map<string, { stage: string; errorMessage?: string }>();
  const buildLog = async (f: Fixture) => sseText((await h.api('GET', `/api/spaces/${space(f)}/logs/build`)).body);

  beforeAll(async () => {
    h = await startHarness((config) => dockerAdapters(config, silentLogger()), { SPACEPORT_INSTANCE_NAME: instance, SPACEPORT_BUILD_CONCURRENCY: '2' });
    await Promise.all(
      SHAPES.map(async (f) => {
        const created = await h.api('POST', '/api/repos/create', { name: name(f), type: 'space', sdk: f.sdk });
        if (created.status !== 200) throw new Error(`create ${space(f)}: ${created.status} ${created.body}`);
        const work = await makeWorkTree(filesOf(path.join(FIXTURES, f.shape)), undefined, f.date);
        works.push(work);
        const r = await git(['push', '--force', pushUrl(h.port, space(f), ADMIN_TOKEN), 'main'], work);
        if (r.code !== 0) throw new Error(`git push ${f.shape} failed (${r.code}): ${r.stderr}`);
      }),
    );
    await Promise.all(SHAPES.map(async (f) => settled.set(f.shape, await h.waitStage(space(f), SETTLED, 3 * COLD_BUILD_MS))));
    browser = await launchChromium();
  }, 3 * COLD_BUILD_MS + 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const f of SHAPES) await h?.api('DELETE', '/api/repos/delete', { name: name(f), type: 'space' }).catch(() => undefined);
    await h?.close();
    for (const c of await docker.listContainers({ all: true, filters: { name: [instance] } })) {
      await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    for (const f of SHAPES) {
      for (const img of await docker.listImages({ filters: { reference: [`spaceport/${sub(f)}*`] } })) {
        await docker.getImage(img.Id).remove({ force: true }).catch(() => undefined);
      }
    }
    for (const w of works) rmSync(w, { recursive: true, force: true });
  }, 120_000);

  async function expectRunningAndRendered(f: Fixture): Promise<string> {
    const rt = settled.get(f.shape)!;
    const log = await buildLog(f);
    expect(rt.stage, `${rt.errorMessage}\n${log.slice(-4000)}`).toBe('RUNNING');
    // The build log says which Python, SDK version and cutoff it used, before and after pip ran.
    const cutoff = `${f.date.slice(0, 19)}+00:00`;
    expect(log).toContain(`Python ${f.python} (spaceport/python:${f.python})`);
    expect(log).toContain(`Python packages as of ${cutoff}`);
    expect(log).toMatch(new RegExp(`Spaceport: installed Python ${f.python.replace('.', '\\.')}\\.\\d+, ${f.sdk} \\d`));
    // One uv run for the SDK and requirements, with the cutoff (issue 16), and no fallback to pip.
    // (The step over the SDK layer re-resolves with --upgrade unless there is a pre-requirements.txt.)
    expect(log).toContain(`uv pip install --python /home/user/.venv/bin/python --index-strategy unsafe-best-match ${/--upgrade --exclude-newer/.test(log) ? '--upgrade ' : ''}--exclude-newer '${cutoff}'`);
    expect(log).toMatch(/^#\d+ Installed \d+ packages/m);
    expect(log).not.toMatch(/^#\d+ Spaceport: uv could not install/m);
    const { page, traffic } = await openPage(browser!, spaceUrl(sub(f), h.port), 90_000);
    try {
      await waitRendered(page, traffic, page.getByText(f.text).first(), { timeoutMs: 120_000 });
    } finally {
      await page.close();
    }
    return log;
  }

  it('an old Streamlit (1.25) Space with unpinned numpy and pyarrow imports them as of its date', async () => {
    const f = SHAPES[0]!;
    await expectRunningAndRendered(f);
    const run = sseText((await h.api('GET', `/api/spaces/${space(f)}/logs/run`)).body);
    expect(run).not.toMatch(/ImportError|requires NumPy/);
  }, 300_000);

  it('a Gradio 4 Space pinning typer-slim on Python 3.9 keeps typer (SDK and requirements in one pip run)', async () => {
    const f = SHAPES[1]!;
    const log = await expectRunningAndRendered(f);
    expect(log).toMatch(/-r \/tmp\/spaceport\/requirements\.txt 'gradio==4\.25\.0' 'spaces'/);
  }, 300_000);

  it('a Gradio 4.37 Space asking for Python 3.10 gets the nearest (3.11, with a notice) and a huggingface_hub that has HfFolder', async () => {
    const f = SHAPES[2]!;
    const log = await expectRunningAndRendered(f);
    expect(log).toContain('python_version 3.10 is not available here; building with the nearest, Python 3.11');
  }, 300_000);

  it('import spaces and @spaces.GPU run on CPU hardware (a no-op) on Python 3.13, and SPACE_HOST carries the port', async () => {
    const f = SHAPES[3]!;
    await expectRunningAndRendered(f);
    const out = await gradioPredict(h, sub(f), 'greet', ['GPU']);
    expect(out).toContain(`Hello GPU on Python 3.13 at ${sub(f)}.localhost:${h.port}`);
    const run = sseText((await h.api('GET', `/api/spaces/${space(f)}/logs/run`)).body);
    expect(run).not.toContain("'spaces' package is required");
  }, 300_000);

  it('a Gradio Space without sdk_version gets the newest Gradio as of its date (Python 3.12 → 3.11), and says so', async () => {
    const f = SHAPES[4]!;
    const log = await expectRunningAndRendered(f);
    expect(log).toContain('gradio: the newest release as of 2025-03-01T12:00:00+00:00 (README.md names no sdk_version)');
    expect(log).toContain('python_version 3.12 is not available here; building with the nearest, Python 3.11');
    const out = await gradioPredict(h, sub(f), 'greet', ['you']);
    expect(out).toMatch(/Hello you with gradio 5\.\d+\.\d+ on Python 3\.11/);
  }, 300_000);
});
