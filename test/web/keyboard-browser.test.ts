import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotTo } from '../support/chromium.js';
import type { Harness } from '../support/spaceport-harness.js';
import { startUiHarness } from '../support/ui-harness.js';

const SHOTS = path.resolve('test-artifacts/web-keyboard');

/**
 * Issue 17, "Done means": keyboard-only runs of sign-in, create Space, edit a file and create a token,
 * one flow per test. Every step waits for the navigation or state the previous key caused (the app's
 * own `location.assign` after a commit included), so no step runs into a navigation still under way.
 */
describe('keyboard-only flows, in Chromium', { timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let aliceToken: string;
  const base = () => `http://127.0.0.1:${h.port}`;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ({ h, browser, aliceToken } = await startUiHarness());
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function fresh(): Promise<{ ctx: BrowserContext; page: Page }> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    return { ctx, page };
  }

  /** Signed in through the form (the sign-in flow itself is the first test's). */
  async function signedIn(): Promise<{ ctx: BrowserContext; page: Page }> {
    const s = await fresh();
    await s.page.goto(`${base()}/login`);
    await s.page.getByLabel('User name').fill('alice');
    await s.page.getByLabel('Password').fill('alice-password-1');
    await s.page.getByRole('button', { name: 'Sign in' }).click();
    await s.page.waitForURL(`${base()}/spaces`);
    return s;
  }

  /** Tab until the focused element matches `test` (at most 80 presses). The page must be loaded. */
  async function tabTo(page: Page, what: string, test: (el: Element) => boolean): Promise<void> {
    await page.waitForLoadState('load');
    const src = `(${test.toString()})`;
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((s) => !!document.activeElement && (0, eval)(s)(document.activeElement), src)) return;
    }
    throw new Error(`Tab never reached ${what}`);
  }

  it('signs in from the gallery with the keyboard alone', async () => {
    const { ctx, page } = await fresh();
    try {
      await page.goto(`${base()}/spaces`);
      await tabTo(page, 'Sign in', (el) => el.textContent === 'Sign in');
      await Promise.all([page.waitForURL(/\/login/), page.keyboard.press('Enter')]);
      await page.waitForLoadState('load');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('username'); // autofocus
      await page.keyboard.type('alice');
      await page.keyboard.press('Tab');
      await page.keyboard.type('alice-password-1');
      await Promise.all([page.waitForURL(`${base()}/spaces`), page.keyboard.press('Enter')]);
      expect(await page.locator('header').textContent()).toContain('alice');
      await screenshotTo(page, SHOTS, '01-signed-in');
    } finally {
      await ctx.close();
    }
  });

  it('creates a Space with the keyboard alone (name, SDK by arrow keys, Create)', async () => {
    const { ctx, page } = await signedIn();
    try {
      await tabTo(page, 'New Space', (el) => el.textContent === 'New Space');
      await Promise.all([page.waitForURL(`${base()}/new-space`), page.keyboard.press('Enter')]);
      await tabTo(page, 'Space name', (el) => el.getAttribute('name') === 'name');
      await page.keyboard.type('by-keys');
      await tabTo(page, 'the SDK radios', (el) => el.getAttribute('name') === 'sdk');
      await page.keyboard.press('ArrowDown'); // gradio → the next SDK
      const sdk = await page.evaluate(() => (document.activeElement as HTMLInputElement).value);
      expect(sdk).not.toBe('gradio');
      await tabTo(page, 'Create Space', (el) => el.textContent === 'Create Space');
      // The page creates the Space, commits its starter app, then goes to the Space.
      await Promise.all([page.waitForURL(`${base()}/spaces/alice/by-keys`), page.keyboard.press('Enter')]);
      expect((await h.api('GET', '/api/spaces/alice/by-keys', undefined, aliceToken)).json()).toMatchObject({ sdk });
      await screenshotTo(page, SHOTS, '02-created');
    } finally {
      await ctx.close();
    }
  });

  it('edits a file with the keyboard alone (the editor, Commit changes)', async () => {
    expect((await h.api('POST', '/api/repos/create', { name: 'kb-edit', type: 'space', sdk: 'static' }, aliceToken)).status).toBe(200);
    const { ctx, page } = await signedIn();
    try {
      const url = `${base()}/spaces/alice/kb-edit/blob/main/README.md`;
      await page.goto(url);
      await tabTo(page, 'the editor', (el) => el.tagName === 'TEXTAREA');
      await page.keyboard.press('Control+End');
      await page.keyboard.type('\nTyped without a mouse.\n');
      await tabTo(page, 'Commit changes', (el) => el.textContent === 'Commit changes');
      // After the commit the page loads the file again (same URL): wait for that load, not only the answer.
      const committed = page.waitForResponse((r) => r.url().endsWith('/api/spaces/alice/kb-edit/commit/main'));
      const reloaded = page.waitForEvent('load');
      await page.keyboard.press('Enter');
      expect((await committed).status()).toBe(200);
      await reloaded;
      expect(page.url()).toBe(url);
      expect((await h.api('GET', '/spaces/alice/kb-edit/resolve/main/README.md', undefined, aliceToken)).body).toContain('Typed without a mouse.');
      expect(await page.locator('form[data-commit="edit"] textarea').inputValue()).toContain('Typed without a mouse.');
      await screenshotTo(page, SHOTS, '03-edited');
    } finally {
      await ctx.close();
    }
  });

  it('creates a token with the keyboard alone, the new token focused to copy, and can make another at once', async () => {
    const { ctx, page } = await signedIn();
    try {
      await page.goto(`${base()}/settings/tokens`);
      await tabTo(page, 'token name', (el) => el.getAttribute('name') === 'displayName');
      await page.keyboard.type('keys');
      await page.keyboard.press('Enter');
      await page.locator('[data-new-token]').waitFor();
      expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toMatch(/^sp_/);
      await tabTo(page, 'token name', (el) => el.getAttribute('name') === 'displayName');
      await page.keyboard.type('keys-2');
      const second = page.waitForResponse((r) => r.request().method() === 'POST' && /\/tokens?\b/.test(r.url()));
      await page.keyboard.press('Enter');
      expect((await second).status()).toBeLessThan(300);
      await screenshotTo(page, SHOTS, '04-token');
    } finally {
      await ctx.close();
    }
  });
});
