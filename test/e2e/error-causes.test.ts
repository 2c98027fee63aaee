import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { dockerAdapters } from '../../controller/docker-adapters.js';
import { SETTLED, COLD_BUILD_MS } from '../support/docker-space.js';
import { fixtureSpace } from '../support/fixture-spaces.js';
import { commitFiles, git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';
import { removeInstanceLeftovers } from '../support/instance-leftovers.js';

/**
 * What a user sees first when a Space fails, with fixture Spaces pushed unchanged to one
 * Spaceport on the real Docker engine:
 * - test/fixtures/spaces/failing-requirement: BUILD_ERROR whose first line is pip's
 *   `No matching distribution found for nonexistent-package-xyz==1.0`, not BuildKit's preamble;
 * - test/fixtures/spaces/crash-loop: RUNTIME_ERROR whose first line is the traceback's last line;
 * - test/fixtures/spaces/bad-readme: the push is refused with `remote:` lines naming both invalid
 *   fields, the previous version keeps serving, and the fixed push is accepted.
 * The two gradio Spaces share the gradio layer (built once, in order).
 */
const INSTANCE = `causes-${randomBytes(3).toString('hex')}`;
const docker = new Dockerode();

describe('errors that point at the cause', () => {
  let h: Harness;
  const works: string[] = [];

  async function pushNew(name: string, sdk: string, files: Record<string, string | Buffer>): Promise<string> {
    const created = await h.api('POST', '/api/repos/create', { name, type: 'space', sdk });
    if (created.status !== 200) throw new Error(`create ${name}: ${created.status} ${created.body}`);
    const work = await makeWorkTree(files);
    works.push(work);
    const push = await git(['push', '--force', pushUrl(h.port, `admin/${name}`, ADMIN_TOKEN), 'main'], work);
    if (push.code !== 0) throw new Error(`push ${name}: ${push.stderr}`);
    return work;
  }

  beforeAll(async () => {
    h = await startHarness((config) => dockerAdapters(config, silentLogger()), { SPACEPORT_INSTANCE_NAME: INSTANCE });
  });

  afterAll(async () => {
    await h?.close();
    await removeInstanceLeftovers(docker, INSTANCE);
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/admin-${INSTANCE}-*`] } })) {
      await docker.getImage(img.Id).remove({ force: true }).catch(() => undefined);
    }
    for (const w of works) rmSync(w, { recursive: true, force: true });
  });

  it('a requirement on no index: BUILD_ERROR whose first line names the missing distribution', async () => {
    const name = `${INSTANCE}-req`;
    await pushNew(name, 'gradio', fixtureSpace('failing-requirement'));
    const rt = await h.waitStage(`admin/${name}`, SETTLED, COLD_BUILD_MS);
    expect(rt.stage, rt.errorMessage).toBe('BUILD_ERROR');
    const lines = rt.errorMessage!.split('\n');
    expect(lines[0]).toBe('ERROR: No matching distribution found for nonexistent-package-xyz==1.0');
    // uv refuses it first, then pip (its fallback) names the missing package (issue 16).
    expect(lines[1]).toMatch(
      /^Failed step: \[(stage-\d+ +)?\d+\/\d+\] RUN (--mount=\S+ )*uv pip install --python \S+ --index-strategy unsafe-best-match (--upgrade )?(--exclude-newer \S+ )?-r /,
    );
    expect(rt.errorMessage).toContain('Last lines of the build log:');
    // The cache ids in the failed step are secret (issue 16): masked like the log.
    expect(rt.errorMessage).not.toMatch(/spaceport-(uv|pip)-[0-9a-f]{32}/);
    expect(rt.errorMessage).not.toMatch(/^#\d+ \[internal\]/);
  }, COLD_BUILD_MS + 60_000);

  it('an app that cannot import at start: RUNTIME_ERROR whose first line is the exception', async () => {
    const name = `${INSTANCE}-crash`;
    await pushNew(name, 'gradio', fixtureSpace('crash-loop'));
    const rt = await h.waitStage(`admin/${name}`, SETTLED, COLD_BUILD_MS);
    expect(rt.stage, rt.errorMessage).toBe('RUNTIME_ERROR');
    const lines = rt.errorMessage!.split('\n');
    expect(lines[0]).toBe("ModuleNotFoundError: No module named 'nonexistent_module'");
    // The traceback follows, once.
    expect(rt.errorMessage!.split('Traceback (most recent call last):').length - 1).toBe(1);
    expect(rt.errorMessage).toContain('import nonexistent_module');
  }, COLD_BUILD_MS + 60_000);

  it('invalid README metadata: the push is refused naming each field; the previous version keeps serving; a fixed push is accepted', async () => {
    const name = `${INSTANCE}-meta`;
    const sub = `admin-${name}`;
    const bad = fixtureSpace('bad-readme');
    const fixedReadme = (html: string) => bad['README.md']!.toString('utf8').replace('colorFrom: pink-ish', 'colorFrom: pink').replace('sdk: gradioo', 'sdk: static') + html;
    const work = await pushNew(name, 'static', { 'README.md': fixedReadme(''), 'index.html': '<h1>Version one</h1>' });
    expect((await h.waitStage(`admin/${name}`, SETTLED, 600_000)).stage).toBe('RUNNING');
    expect((await h.app(sub, '/')).body).toContain('Version one');

    await commitFiles(work, bad, 'bad metadata');
    const refused = await git(['push', '--force', pushUrl(h.port, `admin/${name}`, ADMIN_TOKEN), 'main'], work);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('remote: Your push was rejected because README.md has invalid metadata:');
    expect(refused.stderr).toMatch(/remote: +- README\.md front matter: "sdk" must be one of gradio, streamlit, docker, static \(got "gradioo"\)\./);
    expect(refused.stderr).toMatch(/remote: +- README\.md front matter: "colorFrom" must be one of red, yellow, green, blue, indigo, purple, pink, gray \(got "pink-ish"\)\./);
    expect(refused.stderr).toContain('! [remote rejected] main -> main (pre-receive hook declined)');
    expect((await h.stage(`admin/${name}`)).stage).toBe('RUNNING');
    expect((await h.app(sub, '/')).body).toContain('Version one');

    await commitFiles(work, { 'README.md': fixedReadme('\nFixed.\n'), 'index.html': '<h1>Version two</h1>' }, 'fixed metadata');
    const accepted = await git(['push', '--force', pushUrl(h.port, `admin/${name}`, ADMIN_TOKEN), 'main'], work);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect((await h.waitStage(`admin/${name}`, SETTLED, 600_000)).stage).toBe('RUNNING');
    await expect.poll(async () => (await h.app(sub, '/')).body, { timeout: 60_000 }).toContain('Version two');
  }, 1_300_000);
});
