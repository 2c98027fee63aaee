import { createHmac, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { dockerAdapters } from '../../controller/docker-adapters.js';
import { commitFiles, git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { waitFor } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * The first slice end to end, with real git, the real Docker engine, real image builds and the real
 * proxy: push a static Space, open it at its subdomain, redeploy, break it, follow an upstream,
 * restart Spaceport.
 */
const INSTANCE = `e2e-${randomBytes(3).toString('hex')}`;
const NAME = `site-${randomBytes(3).toString('hex')}`;
const SPACE = `admin/${NAME}`;
const SUB = `admin-${NAME}`;
const README = (sdk = 'static') => `---\ntitle: E2E\nsdk: ${sdk}\n---\n# e2e\n`;

describe('static Space on Docker, end to end', () => {
  let h: Harness;
  let work: string;
  const docker = new Dockerode();

  beforeAll(async () => {
    h = await startHarness((config) => dockerAdapters(config, silentLogger()), { SPACEPORT_INSTANCE_NAME: INSTANCE });
    work = await makeWorkTree({ 'README.md': README(), 'index.html': '<h1>Hello v1</h1>', 'about/index.html': 'about' });
  }, 600_000);

  afterAll(async () => {
    for (const name of [NAME, `${NAME}-mirror`]) await h?.api('DELETE', '/api/repos/delete', { name, type: 'space' });
    await h?.close();
    const leftovers = await docker.listContainers({ all: true, filters: { name: [INSTANCE] } });
    for (const c of leftovers) await docker.getContainer(c.Id).remove({ force: true });
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/${SUB}*`] } })) {
      await docker.getImage(img.Id).remove({ force: true }).catch(() => {});
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('a push serves the page at the subdomain, from its tree: no container', async () => {
    expect((await h.api('POST', '/api/repos/create', { name: NAME, type: 'space', sdk: 'static' })).status).toBe(200);
    const push = await git(['push', '--force', pushUrl(h.port, SPACE, ADMIN_TOKEN), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    // The push supersedes the build of the initial commit (the starter page), which may already serve;
    // a static build can be done by the time we ask, its release starting.
    expect(['BUILDING', 'RUNNING_BUILDING', 'APP_STARTING', 'RUNNING_APP_STARTING']).toContain((await h.stage(SPACE)).stage);
    const rt = await h.waitStage(SPACE, ['RUNNING', 'BUILD_ERROR', 'CONFIG_ERROR', 'NO_APP_FILE', 'RUNTIME_ERROR'], 480_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
    const page = await h.app(SUB, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Hello v1');
    expect((await h.app(SUB, '/about/')).body).toContain('about');
    // The proxy serves the tree itself: no container for a static Space.
    expect(await docker.listContainers({ all: true, filters: { label: [`spaceport.space=${SPACE}`], name: [INSTANCE] } })).toEqual([]);
  }, 600_000);

  it('a second push serves the new page', async () => {
    await commitFiles(work, { 'index.html': '<h1>Hello v2</h1>' }, 'v2');
    expect((await git(['push', '--force', pushUrl(h.port, SPACE, ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    await h.waitStage(SPACE, ['RUNNING'], 120_000);
    expect((await h.app(SUB, '/')).body).toContain('Hello v2');
    expect(await docker.listContainers({ all: true, filters: { label: [`spaceport.space=${SPACE}`], name: [INSTANCE] } })).toEqual([]);
  }, 180_000);

  it('a push with broken front matter is refused naming the field; the previous page keeps serving', async () => {
    await commitFiles(work, { 'README.md': README('statik'), 'index.html': '<h1>never served</h1>' }, 'broken');
    const refused = await git(['push', '--force', pushUrl(h.port, SPACE, ADMIN_TOKEN), 'main'], work);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/remote: .*"sdk" must be one of .*\(got "statik"\)/);
    expect((await h.stage(SPACE)).stage).toBe('RUNNING');
    expect((await h.app(SUB, '/')).body).toContain('Hello v2');
    await commitFiles(work, { 'README.md': README(), 'index.html': '<h1>Hello v3</h1>' }, 'fixed');
    expect((await git(['push', '--force', pushUrl(h.port, SPACE, ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    await h.waitStage(SPACE, ['RUNNING'], 120_000);
    expect((await h.app(SUB, '/')).body).toContain('Hello v3');
  }, 240_000);

  it('rejects a push with a file over 10 MiB, naming it, and keeps serving', async () => {
    await commitFiles(work, { 'weights.bin': randomBytes(11 * 1024 * 1024) }, 'big');
    const push = await git(['push', '--force', pushUrl(h.port, SPACE, ADMIN_TOKEN), 'main'], work);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('remote: Your push was rejected because it contains files larger than 10 MiB.');
    expect(push.stderr).toContain('weights.bin');
    await git(['reset', '-q', '--hard', 'HEAD~1'], work);
    expect((await h.stage(SPACE)).stage).toBe('RUNNING');
    expect((await h.app(SUB, '/')).body).toContain('Hello v3');
  }, 120_000);

  it('follows an upstream repo through a signed webhook', async () => {
    const created = await h.api('POST', '/api/repos/create', {
      name: `${NAME}-mirror`,
      type: 'space',
      sdk: 'static',
      upstream: { url: `http://127.0.0.1:${h.port}/spaces/${SPACE}`, branch: 'main' },
    });
    expect(created.status, created.body).toBe(200);
    const secret = created.json().webhookSecret as string;
    await h.waitStage(`${SPACE}-mirror`, ['RUNNING'], 180_000);
    expect((await h.app(`${SUB}-mirror`, '/')).body).toContain('Hello v3');

    await commitFiles(work, { 'index.html': '<h1>Hello v4</h1>' }, 'v4');
    expect((await git(['push', '--force', pushUrl(h.port, SPACE, ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const unsigned = await h.api('POST', `/api/spaces/${SPACE}-mirror/webhook`, body, null);
    expect(unsigned.status).toBe(403);
    const signed = await fetch(`http://127.0.0.1:${h.port}/api/spaces/${SPACE}-mirror/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gitea-signature': createHmac('sha256', secret).update(body).digest('hex') },
      body,
    });
    expect(signed.status).toBe(202);
    await h.waitStage(`${SPACE}-mirror`, ['RUNNING'], 120_000);
    expect((await h.app(`${SUB}-mirror`, '/')).body).toContain('Hello v4');
  }, 420_000);

  it('serves again after Spaceport restarts, still with no container', async () => {
    await h.waitStage(SPACE, ['RUNNING'], 120_000);
    await h.restart();
    await h.waitStage(SPACE, ['RUNNING'], 60_000);
    expect((await h.app(SUB, '/')).body).toContain('Hello v4');
    expect(await docker.listContainers({ all: true, filters: { label: [`spaceport.space=${SPACE}`], name: [INSTANCE] } })).toEqual([]);
  }, 300_000);
});
