import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { launchChromium, spaceUrl } from '../support/chromium.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * Issue 15, "Smaller", in real Chromium:
 * - `sp_login` (the sign-in form's CSRF cookie) was set with `Path=/login` and cleared with `Path=/`,
 *   which is another cookie: the form's stayed in the browser after signing in;
 * - the proxy pages' CSP listed `http://[::1]:*`, no CSP host-source: Chromium reported the source as invalid.
 */
describe('cookies and CSP as Chromium reads them', () => {
  let h: Harness;
  let browser: Browser;

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    expect((await h.api('POST', '/api/users', { name: 'alice' })).status).toBe(201);
    expect((await h.api('PUT', '/api/users/alice/password', { password: 'alice-password-1' })).status).toBe(200);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('signing in clears the sign-in form cookie (sp_login) from the browser', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const base = `http://127.0.0.1:${h.port}`;
      await page.goto(`${base}/login`);
      expect((await context.cookies()).map((c) => c.name)).toContain('sp_login');
      await page.getByLabel('User name').fill('alice');
      await page.getByLabel('Password').fill('alice-password-1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/spaces`);
      const names = (await context.cookies()).map((c) => c.name);
      expect(names).toContain('sp_session');
      expect(names).not.toContain('sp_login');
    } finally {
      await context.close();
    }
  });

  it('the proxy pages\' CSP has no source Chromium rejects (the 404 page of a missing host)', async () => {
    const page = await browser.newPage();
    try {
      const messages: string[] = [];
      page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
      const res = await page.goto(spaceUrl('nobody-here', h.port));
      expect(res?.status()).toBe(404);
      expect(res?.headers()['content-security-policy']).toMatch(/^frame-ancestors 'self' /);
      expect(messages.filter((m) => /Content.Security.Policy|source expression|invalid source/i.test(m))).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
