import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { commitFiles, git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * The resolution cutoff through the whole controller (git push → pipeline → plan → Dockerfile),
 * with a fake builder: the date of the last commit that changed README.md or a dependency file
 * reaches the pip steps; a code-only commit keeps it (its pip layers stay cached); a requirements
 * change moves it; resolve_packages_at: latest removes it.
 */
const README = (extra = '') => `---\nsdk: gradio\nsdk_version: 4.25.0\n${extra}---\n`;
const SETTLED = ['RUNNING', 'BUILD_ERROR', 'CONFIG_ERROR', 'NO_APP_FILE', 'RUNTIME_ERROR'];

describe('package cutoff from the commit history', () => {
  let h: Harness;
  let builder: FakeImageBuilder;
  let work: string;

  beforeAll(async () => {
    builder = new FakeImageBuilder();
    h = await startHarness((config) => ({ runtime: new FakeRuntime({ http: true }), builder, plan: planFromBuilder(config) }));
    expect((await h.api('POST', '/api/repos/create', { name: 'cut', type: 'space', sdk: 'gradio' })).status).toBe(200);
  });

  afterAll(async () => {
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function pushAndBuild(): Promise<{ dockerfile: string; log: string }> {
    const before = builder.built.length;
    const r = await git(['push', '--force', pushUrl(h.port, 'admin/cut', ADMIN_TOKEN), 'main'], work);
    expect(r.code, r.stderr).toBe(0);
    await h.waitStage('admin/cut', SETTLED);
    for (let i = 0; i < 100 && builder.built.length === before; i++) await new Promise((res) => setTimeout(res, 50));
    expect(builder.built.length).toBe(before + 1);
    const log = (await h.api('GET', '/api/spaces/admin/cut/logs/build')).body;
    return { dockerfile: builder.built.at(-1)!.dockerfile!, log };
  }

  const pipLine = (d: string) => d.split('\n').find((l) => l.includes('-r /tmp/spaceport/requirements.txt'))!;

  it('resolves as of the commit that added the dependencies, and logs it', async () => {
    work = await makeWorkTree({ 'README.md': README(), 'requirements.txt': 'typer-slim==0.12.3\n', 'app.py': 'print(1)\n' }, undefined, '2024-04-10T12:00:00Z');
    const { dockerfile, log } = await pushAndBuild();
    expect(pipLine(dockerfile)).toContain("pip install --upgrade --upgrade-strategy eager --uploaded-prior-to '2024-04-10T12:00:00+00:00' -r /tmp/spaceport/requirements.txt 'gradio==4.25.0' 'spaces'");
    expect(log).toContain('Python packages as of 2024-04-10T12:00:00+00:00');
  });

  it('keeps the cutoff for a code-only commit, so its pip steps are unchanged', async () => {
    const first = builder.built.at(-1)!;
    await commitFiles(work, { 'app.py': 'print(2)\n' }, 'code only', '2025-01-01T00:00:00Z');
    const { dockerfile } = await pushAndBuild();
    expect(pipLine(dockerfile)).toBe(pipLine(first.dockerfile!));
    expect(builder.built.at(-1)!.image).not.toBe(first.image);
  });

  it('moves the cutoff when requirements.txt changes, and drops it with resolve_packages_at: latest', async () => {
    await commitFiles(work, { 'requirements.txt': 'typer-slim==0.12.3\nhumanize\n' }, 'more requirements', '2025-02-03T04:05:06Z');
    expect(pipLine((await pushAndBuild()).dockerfile)).toContain("--uploaded-prior-to '2025-02-03T04:05:06+00:00'");
    await commitFiles(work, { 'README.md': README('resolve_packages_at: latest\n') }, 'newest packages', '2025-03-01T00:00:00Z');
    const { dockerfile, log } = await pushAndBuild();
    expect(dockerfile).not.toContain('--uploaded-prior-to');
    expect(log).toContain('Python packages the newest versions (resolve_packages_at: latest in README.md)');
  });
});
