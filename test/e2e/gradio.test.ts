import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blankScreenshotBytes, launchChromium, openPage, screenshotTo, spaceUrl, waitRendered } from '../support/chromium.js';
import { buildkitSteps, COLD_BUILD_MS, DockerSpace, gradioPredict } from '../support/docker-space.js';
import { commitFiles, gitOk } from '../support/git-client.js';

/**
 * A real gradio Space (gradio 5 from PyPI, built by BuildKit, run by the Docker engine) reached
 * through the proxy at its subdomain: gradio's HTTP API, the page in Chromium, a code-only
 * redeploy that reuses the dependency layers, and a push of the same tree that builds nothing.
 */
const README = '---\ntitle: Greeter\nsdk: gradio\nsdk_version: 5.50.0\napp_file: app.py\n---\n# Greeter\n';
/** A comment unique to this run keeps BuildKit from reusing code layers of earlier runs. */
const RUN_ID = randomBytes(4).toString('hex');
const app = (greeting: string) =>
  [
    `# run ${RUN_ID}`,
    'import gradio as gr',
    '',
    'def greet(name):',
    `    return f"${greeting} {name}!"`,
    '',
    'demo = gr.Interface(fn=greet, inputs=gr.Textbox(label="Your name"), outputs=gr.Textbox(label="Greeting"), api_name="greet")',
    'demo.launch()',
    '',
  ].join('\n');

describe('gradio Space on Docker, end to end', () => {
  const s = new DockerSpace('gr');
  let browser: Browser | undefined;
  const shots = mkdtempSync(path.join(tmpdir(), 'spaceport-gradio-shots-'));

  const predict = (name: string) => gradioPredict(s.h, s.sub, 'greet', [name]);

  beforeAll(async () => {
    await s.start('gradio', { 'README.md': README, 'app.py': app('Hello') });
    const rt = await s.pushAndSettle();
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
  }, COLD_BUILD_MS + 60_000);

  afterAll(async () => {
    await browser?.close();
    await s.close();
    rmSync(shots, { recursive: true, force: true });
  });

  it('answers a prediction through its subdomain with gradio HTTP API', async () => {
    const rt = await s.h.stage(s.space);
    expect(rt).toMatchObject({ stage: 'RUNNING', sdk: 'gradio', sdkVersion: '5.50.0' });
    expect(await predict('Spaceport')).toContain('["Hello Spaceport!"]');
    const config = await s.h.app(s.sub, '/config');
    expect(config.status).toBe(200);
    expect(config.json().version).toBe('5.50.0');
  }, 120_000);

  it('renders in Chromium through the proxy, and a click predicts through the browser', async () => {
    browser = await launchChromium();
    const blank = await blankScreenshotBytes(browser);
    const { page, traffic } = await openPage(browser, spaceUrl(s.sub, s.h.port), 90_000);
    try {
      const input = page.getByLabel('Your name');
      await waitRendered(page, traffic, input, { timeoutMs: 90_000 });
      expect(await page.getByText('Your name', { exact: true }).first().isVisible()).toBe(true);
      const shot = await screenshotTo(page, shots, 'gradio');
      expect(shot.bytes).toBeGreaterThan(blank);

      await input.fill('Browser');
      await page.getByRole('button', { name: 'Submit' }).click();
      await page.waitForFunction(() => [...document.querySelectorAll('textarea')].some((t) => t.value === 'Hello Browser!'), undefined, { timeout: 60_000 });
      expect(traffic.errors, traffic.errors.join('\n')).toEqual([]);
    } catch (err) {
      throw new Error(`${String(err)}\nfailed requests: ${traffic.failed.join('\n')}\npage errors: ${traffic.errors.join('\n')}`);
    } finally {
      await page.close();
    }
  }, 180_000);

  it('a code-only commit goes live, reusing the cached dependency layers', async () => {
    await commitFiles(s.work, { 'app.py': app('Howdy') }, 'new greeting');
    await s.push();
    expect(['RUNNING_BUILDING', 'RUNNING_APP_STARTING']).toContain((await s.h.stage(s.space)).stage);
    const rt = await s.h.waitStage(s.space, ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR'], 600_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
    expect(await predict('again')).toContain('["Howdy again!"]');

    const log = await s.buildLog();
    const pip = buildkitSteps(log, /\bpip install\b/);
    expect(pip.length, log).toBeGreaterThan(0);
    expect(pip.filter((p) => !p.cached), log).toEqual([]);
    expect(buildkitSteps(log, /\bpython3 -m venv\b/).every((p) => p.cached), log).toBe(true);
    // The code layer is new (this run's code): it was built, not a cache hit.
    const code = buildkitSteps(log, /\bCOPY .*\/home\/user\/app\/?$/);
    expect(code.some((c) => !c.cached), log).toBe(true);
  }, 660_000);

  it('pushing the same tree again starts no build', async () => {
    const before = await s.buildLog();
    await gitOk(['commit', '-q', '--allow-empty', '-m', 'same tree'], s.work);
    await s.push();
    expect((await s.h.stage(s.space)).stage).toBe('RUNNING');
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await s.h.stage(s.space)).stage).toBe('RUNNING');
    expect(await s.buildLog()).toBe(before);
    expect(await predict('still')).toContain('["Howdy still!"]');
  }, 60_000);
});
