import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { screenshotTo } from '../support/chromium.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

const SHOTS = path.resolve('test-artifacts/web-ui-broken');

/**
 * Issue 17, "Broken", in real Chromium. The hub answers at `spaceport.example.com` and Spaces at
 * its subdomains (Chromium maps them to loopback), so hub and apps are one site as in a real
 * install: a private app's grant cookie (SameSite=Lax) is kept inside the hub's iframe.
 */
describe('web UI, issue 17 "Broken", in Chromium', () => {
  const DOMAIN = 'spaceport.example.com';
  let h: Harness;
  let browser: Browser;
  let aliceToken: string;
  const base = () => `http://${DOMAIN}:${h.port}`;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startHarness((config) => ({ runtime: new FakeRuntime({ http: true }), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), {
      SPACEPORT_DOMAIN: DOMAIN,
    });
    aliceToken = (await h.api('POST', '/api/users', { name: 'alice' })).json().token;
    expect((await h.api('PUT', '/api/users/alice/password', { password: 'alice-password-1' })).status).toBe(200);
    for (const [name, sdk, visibility] of [
      ['secret', 'static', 'private'],
      ['site', 'static', 'public'],
      ['talk', 'gradio', 'public'],
    ] as const) {
      expect((await h.api('POST', '/api/repos/create', { name, type: 'space', sdk, private: visibility === 'private' }, aliceToken)).status).toBe(200);
    }
    await h.waitStage('alice/secret', ['RUNNING']);
    await h.waitStage('alice/site', ['RUNNING']);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', `--host-resolver-rules=MAP *.example.com 127.0.0.1`],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  type Tracked = Page & { problems: string[] };
  async function open(ctx: BrowserContext, url: string): Promise<Tracked> {
    const page = (await ctx.newPage()) as Tracked;
    page.setDefaultTimeout(20_000);
    page.problems = [];
    page.on('console', (m) => {
      // COOP is ignored on plain http at a name other than localhost: this test's hub name, not a page's fault.
      if (m.type() === 'error' && !/Cross-Origin-Opener-Policy header has been ignored/.test(m.text())) page.problems.push(m.text());
    });
    page.on('pageerror', (e) => page.problems.push(String(e)));
    await page.goto(url);
    return page;
  }

  async function signedIn(opts: { colorScheme?: 'light' | 'dark'; width?: number } = {}): Promise<BrowserContext> {
    const ctx = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: 900 }, colorScheme: opts.colorScheme ?? 'light' });
    const page = await ctx.newPage();
    await page.goto(`${base()}/login`);
    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Password').fill('alice-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base()}/spaces`);
    await page.close();
    return ctx;
  }

  it('shows the owner of a private Space its app in the App tab; Direct URL and embed use the grant path', async () => {
    const ctx = await signedIn();
    try {
      const page = await open(ctx, `${base()}/spaces/alice/secret`);
      const grantPath = `${base()}/spaces/alice/secret/app`;
      expect(await page.locator('[data-app-frame] iframe').getAttribute('src')).toBe(grantPath);
      expect(await page.locator('.embed a').getAttribute('href')).toBe(grantPath);
      expect(await page.locator('.embed textarea').inputValue()).toContain(`src="${grantPath}"`);
      const frame = page.frameLocator('[data-app-frame] iframe');
      await frame.locator('body', { hasText: 'Welcome to your static Space' }).waitFor();
      await screenshotTo(page, SHOTS, '01-private-app-owner');
      expect(page.problems).toEqual([]);
      // The Direct URL opens the app too (top level). The app's own page is not ours to check (a static
      // tree without a favicon answers the browser's /favicon.ico with 404, as on the Hub).
      await page.locator('.embed summary').click();
      await page.locator('.embed a').click();
      await page.locator('body', { hasText: 'Welcome to your static Space' }).waitFor();
      expect(new URL(page.url()).hostname).toBe(`alice-secret.${DOMAIN}`);
    } finally {
      await ctx.close();
    }
  });

  it('a Space duplicated with the default setting (private) opens for its owner in the App tab, through the grant path', async () => {
    const ctx = await signedIn({ colorScheme: 'dark', width: 390 });
    try {
      const page = await open(ctx, `${base()}/spaces/alice/site`);
      await page.getByText('Duplicate', { exact: true }).click();
      expect(await page.getByLabel('Visibility').inputValue()).toBe('private');
      await page.getByLabel('Space name').fill('site-copy');
      await page.getByRole('button', { name: 'Duplicate Space' }).click();
      await page.waitForURL(`${base()}/spaces/alice/site-copy`);
      expect((await h.api('GET', '/api/spaces/alice/site-copy', undefined, aliceToken)).json()).toMatchObject({ private: true });
      await page.locator('[data-stage-of="alice/site-copy"][data-stage="RUNNING"]').waitFor();
      expect(await page.locator('[data-app-frame] iframe').getAttribute('src')).toBe(`${base()}/spaces/alice/site-copy/app`);
      await page.frameLocator('[data-app-frame] iframe').locator('body', { hasText: 'Welcome to your static Space' }).waitFor();
      await screenshotTo(page, SHOTS, '01b-duplicate-private-app-owner-phone-dark');
      expect(page.problems).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('/new-space: each radio sits on its label\'s line, the focus ring is round, and every pattern compiles in Chromium\'s v mode', async () => {
    const ctx = await signedIn();
    try {
      const page = await open(ctx, `${base()}/new-space`);
      for (const label of await page.locator('label.choice:has(input[type="radio"])').all()) {
        const radio = await label.locator('input').boundingBox();
        const box = await label.boundingBox();
        // One line: the label is about as tall as a line of text, the radio at its left edge.
        expect(box!.height).toBeLessThan(40);
        expect(radio!.x - box!.x).toBeLessThan(4);
      }
      const ring = await page.locator('input[name="sdk"]').first().evaluate((el) => {
        (el as HTMLElement).focus();
        const r = el.getBoundingClientRect();
        return { w: r.width, h: r.height };
      });
      expect(Math.abs(ring.w - ring.h)).toBeLessThan(2);
      await screenshotTo(page, SHOTS, '02-new-space');
      const settings = await open(ctx, `${base()}/spaces/alice/talk/settings`);
      for (const p of [page, settings]) {
        const bad = await p.evaluate(() =>
          [...document.querySelectorAll('input[pattern]')].flatMap((el) => {
            const pattern = el.getAttribute('pattern')!;
            try {
              new RegExp(`^(?:${pattern})$`, 'v');
              return [];
            } catch (e) {
              return [`${pattern}: ${String(e)}`];
            }
          }),
        );
        expect(bad).toEqual([]);
        expect(p.problems.filter((m) => /pattern/i.test(m))).toEqual([]);
      }
      // The browser now checks the name: a name with a space is invalid before any request.
      await page.getByLabel('Space name').fill('two words');
      expect(await page.getByLabel('Space name').evaluate((el) => (el as HTMLInputElement).validity.patternMismatch)).toBe(true);
    } finally {
      await ctx.close();
    }
  });

  it('forms: buttons come back after success, messages sit next to their form, revoke asks first and keeps the focus', async () => {
    const ctx = await signedIn();
    try {
      const page = await open(ctx, `${base()}/settings/tokens`);
      const create = page.getByRole('button', { name: 'Create token' });
      for (const name of ['one', 'two']) {
        await page.getByLabel('Name').fill(name);
        await create.click();
        await page.locator('[data-token-list]', { hasText: name }).waitFor();
        await expect(create.isEnabled()).resolves.toBe(true);
      }
      await page.getByLabel('New password').fill('alice-password-2');
      await page.getByLabel('Current password (if you have one)').fill('alice-password-1');
      await page.getByRole('button', { name: 'Change password' }).click();
      const pwForm = page.locator('form[data-api^="PUT /api/users/alice/password"]');
      await pwForm.locator('xpath=following-sibling::*[1][@data-form-result]', { hasText: 'Done.' }).waitFor();
      await expect(page.getByRole('button', { name: 'Change password' }).isEnabled()).resolves.toBe(true);
      await h.api('PUT', '/api/users/alice/password', { password: 'alice-password-1' });

      // Revoke: dismissing the question keeps the token; accepting revokes it and the focus stays in the list.
      page.once('dialog', (d) => void d.dismiss());
      await page.getByRole('button', { name: 'Revoke token one' }).click();
      await expect(page.getByRole('button', { name: 'Revoke token one' }).count()).resolves.toBe(1);
      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: 'Revoke token one' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Revoke token one' }).waitFor({ state: 'detached' });
      await page.waitForFunction(() => document.activeElement !== document.body);
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent)).toMatch(/Revoke token|Your tokens/);
      await screenshotTo(page, SHOTS, '03-tokens-after-revoke');

      // Delete with a wrong confirmation: the message is right below the Delete form, in view.
      const settings = await open(ctx, `${base()}/spaces/alice/talk/settings`);
      await settings.locator('form[data-confirm]').getByLabel('Type').fill('alice/tal');
      await settings.locator('form[data-confirm]').getByRole('button', { name: 'Delete' }).click();
      const msg = settings.locator('form[data-confirm] + [data-form-result]', { hasText: 'Type alice/talk exactly' });
      await msg.waitFor();
      expect(await msg.isVisible()).toBe(true);
      expect(await msg.evaluate((el) => el.getBoundingClientRect().top < window.innerHeight && el.getBoundingClientRect().bottom > 0)).toBe(true);
      await screenshotTo(settings, SHOTS, '04-delete-wrong-confirmation');
      expect(await settings.getByRole('button', { name: 'Pause' }).count()).toBe(1);
      // A static Space has no Pause (the API refuses it).
      const staticSettings = await open(ctx, `${base()}/spaces/alice/site/settings`);
      expect(await staticSettings.getByRole('button', { name: 'Restart', exact: true }).count()).toBe(1);
      expect(await staticSettings.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    } finally {
      await ctx.close();
    }
  });

  it('dark mode: primary and danger buttons have 4.5:1 contrast; a focused gallery card shows its outline', async () => {
    const ctx = await signedIn({ colorScheme: 'dark' });
    try {
      for (const url of ['/spaces', '/new-space', '/settings/tokens', '/spaces/alice/talk/settings', '/login?next=/spaces']) {
        const page = await open(ctx, `${base()}${url}`);
        const ratios = await page.evaluate(() => {
          const lum = (c: string) => {
            const [r, g, b] = c.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number).map((v) => {
              const s = v / 255;
              return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
            });
            return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
          };
          return [...document.querySelectorAll('button:not(.link), a.button')].map((b) => {
            const st = getComputedStyle(b);
            const [l1, l2] = [lum(st.color), lum(st.backgroundColor)].sort((x, y) => y - x);
            return { text: b.textContent, ratio: (l1! + 0.05) / (l2! + 0.05) };
          });
        });
        for (const r of ratios) expect(r.ratio, `${url}: ${r.text}`).toBeGreaterThanOrEqual(4.5);
        if (url === '/spaces/alice/talk/settings') await screenshotTo(page, SHOTS, '05-dark-settings');
        await page.close();
      }
      const gallery = await open(ctx, `${base()}/spaces`);
      await gallery.keyboard.press('Tab');
      while (!(await gallery.evaluate(() => document.activeElement?.classList.contains('card-link')))) await gallery.keyboard.press('Tab');
      const outline = await gallery.evaluate(() => {
        const card = document.activeElement!.closest('.card')!;
        const st = getComputedStyle(card);
        return { style: st.outlineStyle, width: st.outlineWidth };
      });
      expect(outline).toEqual({ style: 'solid', width: '3px' });
      await screenshotTo(gallery, SHOTS, '06-dark-card-focus');
    } finally {
      await ctx.close();
    }
  });

  it('answers a browser on an unknown path with the HTML 404 page (JSON stays for API clients); serves a favicon', async () => {
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      const failed: string[] = [];
      page.on('response', (r) => {
        if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
      });
      await page.goto(`${base()}/spaces`);
      await page.waitForLoadState('networkidle');
      expect(failed).toEqual([]);
      const res = await page.goto(`${base()}/some/deep/path`);
      expect(res?.status()).toBe(404);
      expect(res?.headers()['content-type']).toMatch(/^text\/html/);
      await page.getByRole('heading', { name: 'Not found' }).waitFor();
      await screenshotTo(page, SHOTS, '07-not-found');
      const icon = await page.goto(`${base()}/favicon.ico`);
      expect(icon?.status()).toBe(200);
      expect(icon?.headers()['content-type']).toBe('image/svg+xml');
    } finally {
      await ctx.close();
    }
    for (const accept of ['application/json', '*/*', 'application/json, text/html;q=0.5', undefined]) {
      const res = await fetch(`http://127.0.0.1:${h.port}/some/deep/path`, { headers: accept ? { Accept: accept } : {} });
      expect(res.status, accept).toBe(404);
      expect(await res.json()).toEqual({ error: 'No route for GET /some/deep/path.' });
    }
  });

  it('a private Space\'s 404 invites a visitor to sign in, and signing in returns to the page; only local paths are followed', async () => {
    const ctx = await browser.newContext();
    try {
      const page = await open(ctx, `${base()}/spaces/alice/secret`);
      await page.getByRole('heading', { name: 'Not found' }).waitFor();
      await screenshotTo(page, SHOTS, '08-private-404-visitor');
      await page.getByRole('link', { name: 'sign in', exact: true }).click();
      await page.getByLabel('User name').fill('alice');
      await page.getByLabel('Password').fill('alice-password-1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base()}/spaces/alice/secret`);
      // The header's "Sign in" of any page comes back to it, too; and a foreign `next` is not followed.
      await ctx.clearCookies();
      for (const evil of ['//evil.example.com/x', 'https://evil.example.com/', '/\\evil.example.com', '/%0d%0aLocation:%20//evil']) {
        await page.goto(`${base()}/login?next=${encodeURIComponent(evil)}`);
        await page.getByLabel('User name').fill('alice');
        await page.getByLabel('Password').fill('alice-password-1');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForLoadState('load');
        expect(new URL(page.url()).host, evil).toBe(`${DOMAIN}:${h.port}`);
        await ctx.clearCookies();
      }
      await page.goto(`${base()}/alice?q=site`);
      expect(await page.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe(`/login?next=${encodeURIComponent('/alice?q=site')}`);
    } finally {
      await ctx.close();
    }
  });

  it('updates colours and the short description of the open page after a new release, without a reload', async () => {
    const ctx = await signedIn();
    try {
      const page = await open(ctx, `${base()}/spaces/alice/site`);
      await page.locator('[data-stage-of="alice/site"][data-stage="RUNNING"]').waitFor();
      const readme = '---\ntitle: Site\nemoji: 🧪\ncolorFrom: pink\ncolorTo: yellow\nsdk: static\nshort_description: Fresh words\n---\n';
      const commit = await commitFile(h, aliceToken, 'alice/site', 'README.md', readme);
      expect(commit, 'commit').toBe(200);
      await page.locator('.space-head.from-pink.to-yellow').waitFor({ timeout: 60_000 });
      await page.locator('[data-space-desc]', { hasText: 'Fresh words' }).waitFor();
      await screenshotTo(page, SHOTS, '09-live-colours');
    } finally {
      await ctx.close();
    }
  });
});

/** One file committed through the Hub's commit API (ndjson), as huggingface_hub's create_commit sends it. */
async function commitFile(h: Harness, token: string, id: string, path: string, text: string): Promise<number> {
  const lines = [
    { key: 'header', value: { summary: `Update ${path}`, description: '' } },
    { key: 'file', value: { path, encoding: 'base64', content: Buffer.from(text).toString('base64') } },
  ];
  const res = await fetch(`http://127.0.0.1:${h.port}/api/spaces/${id}/commit/main`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-ndjson' },
    body: lines.map((l) => JSON.stringify(l)).join('\n'),
  });
  return res.status;
}
