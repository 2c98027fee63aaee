import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blankScreenshotBytes, launchChromium, openPage, screenshotTo, spaceUrl, waitRendered } from '../support/chromium.js';
import { DockerSpace, buildkitSteps } from '../support/docker-space.js';
import { fixtureSpace } from '../support/fixture-spaces.js';

/**
 * test/fixtures/spaces/vite-node20: a current Vite site whose package.json says
 * `"engines": {"node": ">=20"}`. Debian bookworm's Node 18 cannot build it (Vite refuses it, then
 * `CustomEvent is not defined`); the build must pick a Node.js from the npm registry that fits
 * (the current LTS line, 22, when the range allows it), say so in the build log, and the page
 * must render in a real browser.
 */
describe('static Space built on the Node.js its package.json asks for', () => {
  const s = new DockerSpace('vite');
  let browser: Browser | undefined;
  const shots = mkdtempSync(path.join(tmpdir(), 'spaceport-vite-shots-'));

  beforeAll(async () => {
    await s.start('static', fixtureSpace('vite-node20'));
    const rt = await s.pushAndSettle(900_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
  }, 960_000);

  afterAll(async () => {
    await browser?.close();
    await s.close();
    rmSync(shots, { recursive: true, force: true });
  });

  it('the build log says which Node.js and npm it used, and why', async () => {
    const log = await s.buildLog();
    expect(log).toMatch(/Node\.js 22\.\d+\.\d+ with npm \d+\.\d+\.\d+ for the build \(package\.json engines\.node ">=20"\)/);
    // The build stage itself reports the Node it runs (unless the step came from the layer cache).
    const report = buildkitSteps(log, /node --version/);
    expect(report).toHaveLength(1);
    if (!report[0]!.cached) expect(log).toMatch(/Node\.js v22\.\d+\.\d+, npm \d+\.\d+\.\d+/);
    expect(log).toMatch(/COPY --from=spaceport\/node:22\.\d+\.\d+-npm\d+\.\d+\.\d+ \/usr\/local\/ \/usr\/local\//);
    expect(log).not.toContain('Vite requires Node.js version');
  });

  it('renders in headless Chromium, built by that Node.js', async () => {
    browser = await launchChromium();
    const { page, traffic } = await openPage(browser, spaceUrl(s.sub, s.h.port));
    await waitRendered(page, traffic, page.locator('#greeting'), { timeoutMs: 60_000 });
    expect(await page.locator('#greeting').textContent()).toBe('Hello from Vite, Spaceport!');
    expect(await page.locator('#built').textContent()).toMatch(/^Built with Node\.js v22\.\d+\.\d+$/);
    // The stylesheet Vite bundled was applied.
    expect(await page.locator('#greeting').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(79, 70, 229)');
    expect(traffic.errors).toEqual([]);
    const shot = await screenshotTo(page, shots, 'vite-node20');
    expect(shot.bytes).toBeGreaterThan(await blankScreenshotBytes(browser));
    // Only the build output is served: the sources stay in the build stage.
    expect((await s.h.app(s.sub, '/package.json')).status).toBe(404);
    expect((await s.h.app(s.sub, '/src/main.js')).status).toBe(404);
  }, 120_000);
});
