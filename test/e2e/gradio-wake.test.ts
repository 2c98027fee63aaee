import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { dockerAdapters } from '../../controller/docker-adapters.js';
import { launchChromium, screenshotTo, spaceUrl, waitRendered, type PageTraffic } from '../support/chromium.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/** Headless Chromium opens a sleeping Gradio Space: it sees the waking page, then the app. */
const INSTANCE = `gw-${randomBytes(3).toString('hex')}`;
const NAME = `gradio-wake-${randomBytes(3).toString('hex')}`;
const SPACE = `admin/${NAME}`;
const SUB = `admin-${NAME}`;

const APP = `import gradio as gr

def greet(name):
    return f"Hello {name}!"

gr.Interface(fn=greet, inputs=gr.Textbox(label="Your name"), outputs=gr.Textbox(label="Greeting")).launch()
`;

describe('waking a Gradio Space in a browser', () => {
  let h: Harness;
  let work: string;
  let browser: Browser;
  const shots = mkdtempSync(path.join(tmpdir(), 'spaceport-shots-'));
  const docker = new Dockerode();

  beforeAll(async () => {
    h = await startHarness((config) => dockerAdapters(config, silentLogger()), { SPACEPORT_INSTANCE_NAME: INSTANCE });
    work = await makeWorkTree({ 'README.md': '---\ntitle: Wake\nsdk: gradio\nsdk_version: 5.50.0\napp_file: app.py\n---\n', 'app.py': APP });
    expect((await h.api('POST', '/api/repos/create', { name: NAME, type: 'space', sdk: 'gradio' })).status).toBe(200);
    const push = await git(['push', '--force', pushUrl(h.port, SPACE, ADMIN_TOKEN), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    const rt = await h.waitStage(SPACE, ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR', 'CONFIG_ERROR', 'NO_APP_FILE'], 900_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
    browser = await launchChromium();
  }, 960_000);

  afterAll(async () => {
    await browser?.close();
    await h?.api('DELETE', '/api/repos/delete', { name: NAME, type: 'space' });
    await h?.close();
    for (const c of await docker.listContainers({ all: true, filters: { name: [INSTANCE] } })) await docker.getContainer(c.Id).remove({ force: true });
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/${SUB}*`] } })) await docker.getImage(img.Id).remove({ force: true }).catch(() => {});
    rmSync(work, { recursive: true, force: true });
    rmSync(shots, { recursive: true, force: true });
  });

  it('shows the waking page, then the app', async () => {
    await h.api('POST', `/api/spaces/${SPACE}/sleeptime`, { seconds: 1 });
    await h.waitStage(SPACE, ['SLEEPING'], 30_000);
    await h.api('POST', `/api/spaces/${SPACE}/sleeptime`, { seconds: 3600 });

    const page = await browser.newPage();
    page.setDefaultTimeout(180_000);
    const traffic: PageTraffic = { websockets: [], failed: [], errors: [] };
    page.on('requestfailed', (r) => traffic.failed.push(`${r.url()}: ${r.failure()?.errorText ?? '?'}`));
    const first = await page.goto(spaceUrl(SUB, h.port), { waitUntil: 'domcontentloaded' });
    expect(first?.status()).toBe(503);
    expect(await page.title()).toMatch(/waking/i);
    await screenshotTo(page, shots, 'waking');

    // The page polls the Space's status and reloads into the app once it answers.
    await waitRendered(page, traffic, page.getByLabel('Your name').first(), { timeoutMs: 180_000 });
    expect((await h.stage(SPACE)).stage).toBe('RUNNING');
    await page.getByLabel('Your name').first().fill('Spaceport');
    await page.getByRole('button', { name: /submit/i }).click();
    // The output is a textarea's value, not a text node.
    await page.waitForFunction(() => [...document.querySelectorAll('textarea')].some((t) => t.value === 'Hello Spaceport!'), undefined, { timeout: 60_000 });
    const shot = await screenshotTo(page, shots, 'app');
    expect(shot.bytes).toBeGreaterThan(5_000);
  }, 300_000);
});
