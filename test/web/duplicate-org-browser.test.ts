import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { launchChromium, screenshotTo } from '../support/chromium.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

const SHOTS = path.resolve('test-artifacts/web-ui');

/**
 * Duplicate to an organization (issue 17): the Duplicate form's owner picker offers the viewer's own
 * namespace and the organizations where they may create Spaces (write or admin role), with visibility
 * and hardware; an organization where they only read is not offered, and the API refuses it.
 */
describe('Duplicate to an organization, in the browser', () => {
  let h: Harness;
  let browser: Browser;
  const t: Record<string, string> = {};
  const base = () => `http://127.0.0.1:${h.port}`;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    for (const name of ['carol', 'dave']) {
      t[name] = (await h.api('POST', '/api/users', { name })).json().token;
      await h.api('PUT', `/api/users/${name}/password`, { password: `${name}-password-1` });
    }
    // carol administers acme; in dave's lab she only reads; in writers she writes.
    expect((await h.api('POST', '/api/organizations/new', { name: 'acme' }, t.carol)).status).toBe(201);
    expect((await h.api('POST', '/api/organizations/new', { name: 'lab' }, t.dave)).status).toBe(201);
    expect((await h.api('PUT', '/api/organizations/lab/members/carol', { role: 'read' }, t.dave)).status).toBe(200);
    expect((await h.api('POST', '/api/organizations/new', { name: 'writers' }, t.dave)).status).toBe(201);
    expect((await h.api('PUT', '/api/organizations/writers/members/carol', { role: 'write' }, t.dave)).status).toBe(200);
    expect((await h.api('POST', '/api/repos/create', { name: 'source', type: 'space', sdk: 'static' })).status).toBe(200);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function signedIn(opts: { width: number; height: number; dark?: boolean }): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: opts.width, height: opts.height }, colorScheme: opts.dark ? 'dark' : 'light' })).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${base()}/login`);
    await page.getByLabel('User name').fill('carol');
    await page.getByLabel('Password').fill('carol-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base()}/spaces`);
    return page;
  }

  it('offers her own namespace and the organizations she may create in, and duplicates into one with visibility and hardware', async () => {
    const page = await signedIn({ width: 1280, height: 900 });
    await page.goto(`${base()}/spaces/admin/source`);
    await page.getByText('Duplicate', { exact: true }).click();
    const form = page.locator('form[data-api$="/duplicate"]');
    const owners = await form.getByLabel('Owner').locator('option').allTextContents();
    expect(owners).toEqual(['carol', 'acme', 'writers']);
    await form.getByLabel('Owner').selectOption('acme');
    await form.getByLabel('Space name').fill('source-copy');
    await form.getByLabel('Visibility').selectOption('public');
    const hardware = await form.getByLabel('Hardware').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(hardware).toContain('cpu-basic');
    await form.getByLabel('Hardware').selectOption('cpu-basic');
    await screenshotTo(page, SHOTS, '31-duplicate-to-org-desktop-light');
    await form.getByRole('button', { name: 'Duplicate Space' }).click();
    await page.waitForURL(`${base()}/spaces/acme/source-copy`);
    const copy = (await h.api('GET', '/api/spaces/acme/source-copy', undefined, t.carol)).json();
    expect(copy).toMatchObject({ id: 'acme/source-copy', author: 'acme', private: false });
    expect((await h.stage('acme/source-copy')).hardware).toMatchObject({ requested: 'cpu-basic' });
    await page.context().close();
  });

  it('on a phone in dark mode the picker is the same', async () => {
    const page = await signedIn({ width: 390, height: 844, dark: true });
    await page.goto(`${base()}/spaces/admin/source`);
    await page.getByText('Duplicate', { exact: true }).click();
    expect(await page.locator('form[data-api$="/duplicate"]').getByLabel('Owner').locator('option').allTextContents()).toEqual(['carol', 'acme', 'writers']);
    await screenshotTo(page, SHOTS, '31-duplicate-to-org-phone-dark');
    await page.context().close();
  });

  it('an organization where she only reads is not offered, and the API refuses a duplicate into it', async () => {
    const r = await h.api('POST', '/api/spaces/admin/source/duplicate', { repository: 'lab/source-copy' }, t.carol);
    expect(r.status).toBe(403);
    expect(r.headers['x-error-code']).toBeDefined();
    expect((await h.api('GET', '/api/spaces/lab/source-copy', undefined, t.dave)).status).toBe(404);
  });
});
