import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import Dockerode from 'dockerode';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { dockerAdapters } from '../../controller/docker-adapters.js';
import { launchChromium, screenshotTo } from '../support/chromium.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * The web UI with the real Docker engine, real builds and the real proxy: the Space page follows a
 * push from building to running and the app in the iframe answers a click; a failed build shows
 * its error and failing lines first.
 */
const INSTANCE = `webui-${randomBytes(3).toString('hex')}`;
const OK = `page-${randomBytes(3).toString('hex')}`;
const BAD = `broken-${randomBytes(3).toString('hex')}`;
const PY = `server-${randomBytes(3).toString('hex')}`;
const EDIT = `edited-${randomBytes(3).toString('hex')}`;
const SHOTS = path.resolve('test-artifacts/web-ui');
const APP = `<!doctype html><h1 id="t">Hello from the app</h1><button id="b" onclick="document.getElementById('t').textContent='clicked'">Click</button>`;

describe('web UI with Docker', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  const trees: string[] = [];
  const docker = new Dockerode();

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startHarness((config) => dockerAdapters(config, silentLogger()), { SPACEPORT_INSTANCE_NAME: INSTANCE, SPACEPORT_ADMIN_PASSWORD: 'admin-password-1', SPACEPORT_EMBED_ORIGINS: 'http://127.0.0.1:*' });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`http://127.0.0.1:${h.port}/login`);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('admin-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`http://127.0.0.1:${h.port}/spaces`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const name of [OK, BAD, PY, EDIT]) await h?.api('DELETE', '/api/repos/delete', { name, type: 'space' }).catch(() => undefined);
    await h?.close();
    for (const c of await docker.listContainers({ all: true, filters: { name: [INSTANCE] } })) await docker.getContainer(c.Id).remove({ force: true });
    for (const name of [OK, BAD, PY, EDIT]) {
      for (const img of await docker.listImages({ filters: { reference: [`spaceport/admin-${name}*`] } })) await docker.getImage(img.Id).remove({ force: true }).catch(() => {});
    }
    for (const t of trees) rmSync(t, { recursive: true, force: true });
  });

  it('follows a push from building to running, and the app in the iframe answers a click', async () => {
    // Created as docker (no starter app, so it is NO_APP_FILE until the push); the pushed README makes it static.
    expect((await h.api('POST', '/api/repos/create', { name: OK, type: 'space', sdk: 'docker' })).status).toBe(200);
    await page.goto(`http://127.0.0.1:${h.port}/spaces/admin/${OK}`);
    await page.locator('[data-stage-of][data-stage="NO_APP_FILE"]').waitFor();
    const work = await makeWorkTree({ 'README.md': '---\ntitle: Click me\nemoji: 👆\nsdk: static\n---\n', 'index.html': APP });
    trees.push(work);
    const push = await git(['push', '--force', '-q', pushUrl(h.port, `admin/${OK}`, ADMIN_TOKEN), 'main'], work);
    expect(push.code, push.stderr).toBe(0);

    await page.locator('[data-stage-of][data-stage="BUILDING"], [data-stage-of][data-stage="RUNNING"]').first().waitFor();
    if ((await page.locator('[data-stage-of]').getAttribute('data-stage')) === 'BUILDING') {
      expect(await page.locator('[data-state-title]').textContent()).toBe('Building');
      await screenshotTo(page, SHOTS, '20-docker-building');
    }
    await page.locator('[data-stage-of][data-stage="RUNNING"]').waitFor({ timeout: 480_000 });
    await page.locator('[data-space-title]', { hasText: 'Click me' }).waitFor();
    const frame = page.frameLocator('[data-app-frame] iframe');
    await frame.locator('#t').waitFor({ timeout: 60_000 });
    expect(await frame.locator('#t').textContent()).toBe('Hello from the app');
    // Apps may be framed only by the allowed origins; the hub's page (on 127.0.0.1) is one of them.
    expect(String((await h.app(`admin-${OK}`, '/')).headers['content-security-policy'])).toContain('frame-ancestors http://127.0.0.1:*');
    // The same page from an origin not on the list (localhost, not 127.0.0.1): the browser refuses to frame the app.
    const elsewhere = await browser.newPage();
    await elsewhere.goto(`http://localhost:${h.port}/spaces/admin/${OK}`, { waitUntil: 'load' });
    const child = () => elsewhere.frames().find((f) => f.parentFrame() === elsewhere.mainFrame());
    await expect.poll(() => child()?.url(), { timeout: 30_000 }).toMatch(/^chrome-error:/);
    expect(await child()!.locator('#t').count()).toBe(0);
    await elsewhere.close();
    await frame.locator('#b').click();
    expect(await frame.locator('#t').textContent()).toBe('clicked');
    await screenshotTo(page, SHOTS, '21-docker-running');

    const logs = await (await browser.contexts()[0]!).newPage();
    await logs.goto(`http://127.0.0.1:${h.port}/spaces/admin/${OK}/logs`);
    // A static Space without app_build_command is its tree, served by the proxy: its build log says so.
    await logs.locator('[data-log="build"]').filter({ hasText: /Static files (in place|of tree)/ }).waitFor();
    await screenshotTo(logs, SHOTS, '22-docker-build-log');
    await logs.close();
  }, 600_000);

  it('shows a failed build with its error and the failing lines first', async () => {
    expect((await h.api('POST', '/api/repos/create', { name: BAD, type: 'space', sdk: 'docker' })).status).toBe(200);
    const work = await makeWorkTree({
      'README.md': '---\ntitle: Broken\nsdk: docker\napp_port: 7860\n---\n',
      Dockerfile: 'FROM spaceport/python:3.11\nRUN echo "boom: the failing step says why" && exit 3\n',
    });
    trees.push(work);
    const push = await git(['push', '--force', '-q', pushUrl(h.port, `admin/${BAD}`, ADMIN_TOKEN), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    const rt = await h.waitStage(`admin/${BAD}`, ['BUILD_ERROR', 'RUNNING', 'RUNTIME_ERROR', 'CONFIG_ERROR'], 480_000);
    expect(rt.stage).toBe('BUILD_ERROR');
    await page.goto(`http://127.0.0.1:${h.port}/spaces/admin/${BAD}`);
    const panel = page.locator('[data-state-panel]');
    await panel.waitFor();
    expect(await panel.locator('[data-state-title]').textContent()).toBe('Build error');
    expect(await panel.locator('.log.failing').textContent()).toContain('boom: the failing step says why');
    expect(await page.locator('[data-app-frame]').isHidden()).toBe(true);
    await screenshotTo(page, SHOTS, '23-docker-build-error');
  }, 600_000);

  it('pauses from Settings (the page and the app say paused) and restarts', async () => {
    expect((await h.api('POST', '/api/repos/create', { name: PY, type: 'space', sdk: 'docker' })).status).toBe(200);
    const work = await makeWorkTree({
      'README.md': '---\ntitle: Server\nsdk: docker\napp_port: 7860\n---\n',
      Dockerfile: 'FROM spaceport/python:3.11\nWORKDIR /srv\nRUN echo "<h1>python app</h1>" > index.html\nCMD ["python3", "-m", "http.server", "7860"]\n',
    });
    trees.push(work);
    const push = await git(['push', '--force', '-q', pushUrl(h.port, `admin/${PY}`, ADMIN_TOKEN), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    const rt = await h.waitStage(`admin/${PY}`, ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR', 'CONFIG_ERROR'], 480_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');

    await page.goto(`http://127.0.0.1:${h.port}/spaces/admin/${PY}/settings`);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.locator('[data-form-result]', { hasText: 'Done.' }).waitFor();
    await page.goto(`http://127.0.0.1:${h.port}/spaces/admin/${PY}`);
    await page.locator('[data-stage-of][data-stage="PAUSED"]').waitFor();
    expect(await page.locator('[data-state-title]').textContent()).toBe('Paused');
    expect(await page.locator('[data-app-frame]').isHidden()).toBe(true);
    const app = await h.app(`admin-${PY}`, '/', { accept: 'text/html' });
    expect(app.body.toLowerCase()).toContain('paused');
    await screenshotTo(page, SHOTS, '24-docker-paused');

    // Restart from the paused page itself; the stream brings the app back without a reload.
    await page.getByRole('button', { name: 'Restart this Space' }).click();
    await page.locator('[data-stage-of][data-stage="RUNNING"]').waitFor({ timeout: 120_000 });
    await page.frameLocator('[data-app-frame] iframe').locator('h1', { hasText: 'python app' }).waitFor({ timeout: 60_000 });
    await screenshotTo(page, SHOTS, '25-docker-restarted');
  }, 600_000);

  it('a static Space made in /new-space runs with no git (real proxy), and an edit in the browser shows in its app', async () => {
    await page.goto(`http://127.0.0.1:${h.port}/new-space`);
    await page.getByLabel('Space name').fill(EDIT);
    await page.getByLabel('static', { exact: true }).check();
    await page.getByRole('button', { name: 'Create Space' }).click();
    await page.waitForURL(`http://127.0.0.1:${h.port}/spaces/admin/${EDIT}`);
    await page.locator('[data-stage-of][data-stage="RUNNING"]').waitFor({ timeout: 120_000 });
    await page.frameLocator('[data-app-frame] iframe').locator('body').waitFor({ timeout: 60_000 });

    const file = `http://127.0.0.1:${h.port}/spaces/admin/${EDIT}/blob/main/index.html`;
    await page.goto(file);
    await page.locator('form[data-commit="edit"]').getByLabel('Content').fill('<!doctype html><h1 id="t">edited in the browser</h1>\n');
    const committed = page.waitForResponse((r) => r.url().endsWith(`/api/spaces/admin/${EDIT}/commit/main`));
    const reloaded = page.waitForEvent('load');
    await page.getByRole('button', { name: 'Commit changes' }).click();
    expect((await committed).status()).toBe(200);
    await reloaded;

    await page.goto(`http://127.0.0.1:${h.port}/spaces/admin/${EDIT}`);
    await page.locator('[data-stage-of][data-stage="RUNNING"]').waitFor({ timeout: 120_000 });
    await expect.poll(async () => (await h.app(`admin-${EDIT}`, '/')).body, { timeout: 120_000 }).toContain('edited in the browser');
    await page.reload();
    await page.frameLocator('[data-app-frame] iframe').locator('#t', { hasText: 'edited in the browser' }).waitFor({ timeout: 60_000 });
    await screenshotTo(page, SHOTS, '26-docker-edited-in-browser');
  }, 600_000);
});
