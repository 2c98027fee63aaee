import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blankScreenshotBytes, launchChromium, openPage, screenshotTo, spaceUrl, waitRendered } from '../support/chromium.js';
import { COLD_BUILD_MS, DockerSpace } from '../support/docker-space.js';

/**
 * A real streamlit Space rendered by Chromium through the proxy. Streamlit's page is an empty
 * shell: the script's output (the title, the button's effect) only arrives over the websocket
 * `/_stcore/stream`, so seeing it proves the upgrade passes through the proxy both ways.
 */
const TITLE = 'Spaceport streamlit e2e';
const README = '---\ntitle: Streamlit e2e\nsdk: streamlit\nsdk_version: 1.59.2\napp_file: app.py\n---\n';
const APP = [
  'import streamlit as st',
  '',
  `st.title("${TITLE}")`,
  'if st.button("Greet me"):',
  '    st.write("Hello from a button click")',
  '',
].join('\n');

describe('streamlit Space on Docker, in Chromium', () => {
  const s = new DockerSpace('st');
  let browser: Browser | undefined;
  const shots = mkdtempSync(path.join(tmpdir(), 'spaceport-streamlit-shots-'));

  beforeAll(async () => {
    await s.start('streamlit', { 'README.md': README, 'app.py': APP });
    const rt = await s.pushAndSettle();
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
  }, COLD_BUILD_MS + 60_000);

  afterAll(async () => {
    await browser?.close();
    await s.close();
    rmSync(shots, { recursive: true, force: true });
  });

  it('serves the streamlit shell over HTTP; the title is not in it', async () => {
    expect((await s.h.app(s.sub, '/_stcore/health')).body).toBe('ok');
    const page = await s.h.app(s.sub, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Streamlit</title>');
    expect(page.body).not.toContain(TITLE);
  });

  it('renders the title and answers a click over the websocket through the proxy', async () => {
    browser = await launchChromium();
    const blank = await blankScreenshotBytes(browser);
    const { page, traffic } = await openPage(browser, spaceUrl(s.sub, s.h.port), 90_000);
    try {
      await waitRendered(page, traffic, page.getByRole('heading', { name: TITLE }), { timeoutMs: 90_000 });
      expect(traffic.websockets.some((u) => u.startsWith(spaceUrl(s.sub, s.h.port, '/_stcore/stream').replace(/^http/, 'ws'))), traffic.websockets.join('\n')).toBe(true);
      const button = page.getByRole('button', { name: 'Greet me' });
      await button.waitFor({ state: 'visible' });
      const shot = await screenshotTo(page, shots, 'streamlit');
      expect(shot.bytes).toBeGreaterThan(blank);

      await button.click();
      await page.getByText('Hello from a button click').waitFor({ state: 'visible', timeout: 60_000 });
    } catch (err) {
      throw new Error(`${String(err)}\nwebsockets: ${traffic.websockets.join(', ')}\nfailed requests: ${traffic.failed.join('\n')}\npage errors: ${traffic.errors.join('\n')}`);
    } finally {
      await page.close();
    }
  }, 180_000);
});
