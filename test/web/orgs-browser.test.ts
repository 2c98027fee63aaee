import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { launchChromium, screenshotTo } from '../support/chromium.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

const SHOTS = path.resolve('test-artifacts/web-orgs');

interface Look {
  dark: boolean;
  phone: boolean;
}
const LOOKS: Look[] = [
  { dark: false, phone: false },
  { dark: true, phone: false },
  { dark: false, phone: true },
  { dark: true, phone: true },
];
const lookName = (l: Look) => `${l.phone ? 'phone' : 'desktop'}-${l.dark ? 'dark' : 'light'}`;

/**
 * Issue 17, "Missing 7", in real Chromium: a user's page and an organization's page (another user's
 * private Space not shown), creating an organization from the header, adding a member with a role
 * (who then sees the organization's private Space), and creating a Space under the organization
 * from /new-space. Builds and the runtime are the fakes. The HTTP-level rules: profiles-http.test.ts.
 */
describe('profiles and organizations in Chromium', { timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Browser;
  const tokens: Record<string, string> = {};
  const base = () => `http://127.0.0.1:${h.port}`;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startHarness((config) => ({ runtime: new FakeRuntime({ http: true }), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    for (const name of ['alice', 'bob']) {
      const r = await h.api('POST', '/api/users', { name });
      expect(r.status, r.body).toBe(201);
      tokens[name] = r.json().token;
      expect((await h.api('PUT', `/api/users/${name}/password`, { password: `${name}-password-1` })).status).toBe(200);
    }
    for (const [name, visibility] of [['hello-bob', 'public'], ['bob-diary', 'private']] as const) {
      expect((await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'static', visibility }, tokens.bob)).status).toBe(200);
    }
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function signedIn(user: string, look: Look = LOOKS[0]!): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
    const ctx = await browser.newContext({ viewport: look.phone ? { width: 390, height: 844 } : { width: 1280, height: 900 }, colorScheme: look.dark ? 'dark' : 'light' });
    const page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // The hub's pages and API calls only: a Space's app (its own subdomain, in the App tab's frame)
    // is not under test here, and may still be starting when its page opens.
    const hub = (url: string) => url.startsWith(`${base()}/`);
    page.on('console', (m) => {
      if (m.type() === 'error' && hub(m.location().url || page.url())) errors.push(`${m.text()} (${m.location().url})`);
    });
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base()}/login`);
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password').fill(`${user}-password-1`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base()}/spaces`);
    return { ctx, page, errors };
  }

  /** No horizontal scrolling (the phone's width is the page's). */
  const fitsWidth = async (page: Page) => {
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5).map((e) => `${e.tagName}.${e.className}:${Math.round(e.getBoundingClientRect().right)}`),
    );
    expect(wide, 'elements past the right edge').toEqual([]);
    return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  };
  const cardIds = async (page: Page) => (await page.locator('.profile-spaces .card-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).sort();

  it("a user's page shows their public Space and not their private one to another user; their own page shows both (desktop, light)", async () => {
    const { ctx, page, errors } = await signedIn('alice');
    try {
      await page.goto(`${base()}/bob`);
      await page.getByRole('heading', { level: 1, name: 'bob' }).waitFor();
      expect(await cardIds(page)).toEqual(['/spaces/bob/hello-bob']);
      expect(await page.content()).not.toContain('bob-diary');
      await screenshotTo(page, SHOTS, '01-profile-other-user-desktop-light');
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
    const bob = await signedIn('bob', LOOKS[3]);
    try {
      await bob.page.getByRole('link', { name: 'bob', exact: true }).click();
      await bob.page.waitForURL(`${base()}/bob`);
      expect(await cardIds(bob.page)).toEqual(['/spaces/bob/bob-diary', '/spaces/bob/hello-bob']);
      expect(await fitsWidth(bob.page)).toBe(true);
      await screenshotTo(bob.page, SHOTS, '02-profile-own-phone-dark');
      expect(bob.errors).toEqual([]);
    } finally {
      await bob.ctx.close();
    }
  });

  it('creates an organization from the header menu, and refuses a taken name with its message next to the form (phone, dark)', async () => {
    const { ctx, page, errors } = await signedIn('alice', LOOKS[3]);
    try {
      await page.locator('.nav-menu summary').click();
      await page.getByRole('link', { name: 'New organization' }).click();
      await page.waitForURL(`${base()}/organizations/new`);
      // A name that differs only by case from a user's: the API's own check, said next to the form.
      await page.getByLabel('Organization name').fill('Bob');
      await page.getByRole('button', { name: 'Create organization' }).click();
      await page.locator('[data-form-result].error', { hasText: 'differs only by case from "bob"' }).waitFor();
      await screenshotTo(page, SHOTS, '03-new-org-refused-phone-dark');
      await page.getByLabel('Organization name').fill('moonbase');
      await page.getByLabel('Full name (optional)').fill('Moon Base');
      await page.getByRole('button', { name: 'Create organization' }).click();
      await page.waitForURL(`${base()}/moonbase`);
      await page.getByRole('heading', { level: 1, name: /Moon Base/ }).waitFor();
      expect(await page.locator('[data-members]').textContent()).toMatch(/alice\s*\(admin\)/);
      expect(await fitsWidth(page)).toBe(true);
      await screenshotTo(page, SHOTS, '04-org-created-phone-dark');
      // The header's menu now lists it.
      await page.locator('.nav-menu summary').click();
      expect(await page.locator('.nav-menu').getByRole('link', { name: 'moonbase' }).getAttribute('href')).toBe('/moonbase');
      expect(errors.filter((e) => !e.includes('409'))).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it("creates a private Space under the organization from /new-space's owner picker (desktop, dark)", async () => {
    const { ctx, page, errors } = await signedIn('alice', LOOKS[1]);
    try {
      await page.goto(`${base()}/moonbase`);
      await page.locator('#main').getByRole('link', { name: 'New Space' }).click();
      await page.waitForURL(`${base()}/new-space?owner=moonbase`);
      expect(await page.getByLabel('Owner').inputValue()).toBe('moonbase');
      expect(await page.getByLabel('Owner').locator('option').allTextContents()).toEqual(['alice', 'moonbase']);
      await page.getByLabel('Space name').fill('launch-plans');
      await page.locator('input[name="visibility"][value="private"]').check();
      await screenshotTo(page, SHOTS, '05-new-space-owner-org-desktop-dark');
      await page.getByRole('button', { name: 'Create Space' }).click();
      await page.waitForURL(`${base()}/spaces/moonbase/launch-plans`);
      const info = (await h.api('GET', '/api/spaces/moonbase/launch-plans', undefined, tokens.alice)).json() as { author: string; private: boolean };
      expect([info.author, info.private]).toEqual(['moonbase', true]);
      await page.goto(`${base()}/moonbase`);
      expect(await cardIds(page)).toEqual(['/spaces/moonbase/launch-plans']);
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('an admin adds a member with a role, who then sees the private Space; a bad name and removing the last admin are refused (phone, light)', async () => {
    // Before: bob is no member, the Space is missing for him.
    const before = await signedIn('bob', LOOKS[2]);
    try {
      const r = await before.page.goto(`${base()}/spaces/moonbase/launch-plans`);
      expect(r?.status()).toBe(404);
      await before.page.goto(`${base()}/moonbase`);
      expect(await cardIds(before.page)).toEqual([]);
    } finally {
      await before.ctx.close();
    }

    const { ctx, page, errors } = await signedIn('alice', LOOKS[2]);
    try {
      await page.goto(`${base()}/moonbase`);
      await page.getByRole('link', { name: 'Manage members' }).click();
      await page.waitForURL(`${base()}/organizations/moonbase/settings/members`);
      const add = page.locator('form', { has: page.getByRole('button', { name: 'Add member' }) });
      await add.getByLabel('User name').fill('nobody');
      await add.getByRole('button', { name: 'Add member' }).click();
      await page.locator('[data-form-result].error', { hasText: 'User "nobody" does not exist.' }).waitFor();
      await add.getByLabel('User name').fill('bob');
      await add.getByLabel('Role of the new member').selectOption('read');
      await add.getByRole('button', { name: 'Add member' }).click();
      await page.locator('tr[data-member="bob"]').waitFor();
      expect(await page.getByLabel('Role of bob', { exact: true }).inputValue()).toBe('read');
      // The last admin cannot be removed (the API's rule, its message next to the button).
      await page.getByRole('button', { name: 'Remove alice' }).click();
      await page.locator('[data-form-result].error', { hasText: 'last admin' }).waitFor();
      expect(await fitsWidth(page)).toBe(true);
      await screenshotTo(page, SHOTS, '06-members-phone-light');
      expect(errors.filter((e) => !/\b(400|404)\b/.test(e))).toEqual([]);
    } finally {
      await ctx.close();
    }

    const after = await signedIn('bob', LOOKS[2]);
    try {
      await after.page.goto(`${base()}/moonbase`);
      expect(await cardIds(after.page)).toEqual(['/spaces/moonbase/launch-plans']);
      expect(await after.page.locator('[data-members]').textContent()).toMatch(/bob\s*\(read\)/);
      await after.page.getByRole('link', { name: /launch-plans/ }).first().click();
      await after.page.waitForURL(`${base()}/spaces/moonbase/launch-plans`);
      await screenshotTo(after.page, SHOTS, '07-member-sees-private-space-phone-light');
      // A read member creates nothing there: /new-space offers only bob himself.
      await after.page.goto(`${base()}/new-space?owner=moonbase`);
      expect(await after.page.getByLabel('Owner').locator('option').allTextContents()).toEqual(['bob']);
      expect(after.errors).toEqual([]);
    } finally {
      await after.ctx.close();
    }
  });

  it('an admin changes a role and removes a member (desktop, light)', async () => {
    const { ctx, page, errors } = await signedIn('alice');
    try {
      await page.goto(`${base()}/organizations/moonbase/settings/members`);
      await page.getByLabel('Role of bob', { exact: true }).selectOption('write');
      await page.getByRole('button', { name: 'Change the role of bob' }).click();
      await page.locator('[data-form-result].ok').waitFor();
      expect(await page.getByLabel('Role of bob', { exact: true }).inputValue()).toBe('write');
      const members = (await h.api('GET', '/api/organizations/moonbase/members', undefined, tokens.alice)).json() as { user: string; role: string }[];
      expect(members.map((m) => `${m.user}:${m.role}`)).toEqual(['alice:admin', 'bob:write']);
      await screenshotTo(page, SHOTS, '08-role-changed-desktop-light');
      await page.getByRole('button', { name: 'Remove bob' }).click();
      await page.locator('tr[data-member="bob"]').waitFor({ state: 'detached' });
      expect((await h.api('GET', '/api/organizations/moonbase/members', undefined, tokens.alice)).json()).toHaveLength(1);
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  for (const look of LOOKS) {
    it(`the profile, organization, members and new-organization pages fit and render (${lookName(look)})`, async () => {
      const { ctx, page, errors } = await signedIn('alice', look);
      try {
        for (const [p, name] of [['/alice', 'profile'], ['/moonbase', 'org'], ['/organizations/moonbase/settings/members', 'members'], ['/organizations/new', 'new-org']] as const) {
          const r = await page.goto(`${base()}${p}`);
          expect(r?.status(), p).toBe(200);
          expect(await fitsWidth(page), p).toBe(true);
          await screenshotTo(page, SHOTS, `09-${name}-${lookName(look)}`);
        }
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    });
  }
});
