import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { launchChromium, screenshotTo } from '../support/chromium.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { runCaptured } from '../support/hub-client.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

const SHOTS = path.resolve('test-artifacts/web-ui');

/** Likes in the browser (issue 17): the header's Like button, the count on cards, the gallery's sorts. */
describe('likes in the browser', () => {
  let h: Harness;
  let browser: Browser;
  const base = () => `http://127.0.0.1:${h.port}`;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    await h.api('POST', '/api/users', { name: 'carol' });
    await h.api('PUT', '/api/users/carol/password', { password: 'carol-password-1' });
    for (const name of ['first', 'second']) expect((await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'static' })).status).toBe(200);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function signedIn(): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${base()}/login`);
    await page.getByLabel('User name').fill('carol');
    await page.getByLabel('Password').fill('carol-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base()}/spaces`);
    return page;
  }

  it('a like from the Space header counts on the card, in the API and through huggingface_hub, and sorts the gallery; unlike undoes it', async () => {
    const page = await signedIn();
    await page.goto(`${base()}/spaces/admin/first`);
    await page.getByRole('button', { name: 'Like (0 likes)' }).click();
    await page.getByRole('button', { name: 'Liked (1 like)' }).waitFor();
    await screenshotTo(page, SHOTS, 'space-liked');
    expect((await h.api('GET', '/api/spaces/admin/first')).json().likes).toBe(1);
    expect((await h.api('GET', '/api/users/carol/likes')).json()).toEqual([expect.objectContaining({ repo: { name: 'admin/first', type: 'space' } })]);
    // The like made in the browser, as huggingface_hub reads it.
    const py = [
      'import json, os',
      'from huggingface_hub import HfApi',
      'api = HfApi(endpoint=os.environ["HF_ENDPOINT"], token=os.environ["HF_TOKEN"])',
      'print(json.dumps({"likes": api.space_info("admin/first").likes, "liked": list(api.list_liked_repos("carol").spaces), "first": [s.id for s in api.list_spaces(sort="likes", limit=1)][0]}))',
    ].join('\n');
    const hub = await runCaptured('python3', ['-c', py], { ...process.env, HF_ENDPOINT: base(), HF_TOKEN: ADMIN_TOKEN, HF_HUB_DISABLE_TELEMETRY: '1', HF_HUB_DISABLE_XET: '1' });
    expect(hub.code, hub.err).toBe(0);
    expect(JSON.parse(hub.out.trim().split('\n').pop()!)).toEqual({ likes: 1, liked: ['admin/first'], first: 'admin/first' });

    // Most likes first: `first` leads though `second` was updated later.
    await page.goto(`${base()}/spaces`);
    // Choosing a sort applies it at once (no Filter click).
    await Promise.all([page.waitForURL(/sort=likes/), page.getByLabel('Sort').selectOption('likes')]);
    const titles = await page.locator('.card-title').allTextContents();
    expect(titles.indexOf('first')).toBeLessThan(titles.indexOf('second'));
    expect(await page.locator('.card', { hasText: 'first' }).locator('[aria-label="1 like"]').count()).toBe(1);
    expect(await page.locator('.count').textContent()).toContain('sorted by most likes');
    await screenshotTo(page, SHOTS, 'gallery-by-likes');

    await page.goto(`${base()}/spaces/admin/first`);
    await page.getByRole('button', { name: 'Liked (1 like)' }).click();
    await page.getByRole('button', { name: 'Like (0 likes)' }).waitFor();
    expect((await h.api('GET', '/api/spaces/admin/first')).json().likes).toBe(0);
  });

  it('every sort and the SDK filter apply on change; trending puts the Space liked this week first (phone, dark)', async () => {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' })).newPage();
    page.setDefaultTimeout(20_000);
    expect((await h.api('POST', '/api/spaces/admin/second/like')).json()).toEqual({ likes: 1, liked: true });
    try {
      await page.goto(`${base()}/spaces`);
      const labels: Record<string, string> = { trending: 'trending', likes: 'most likes', created: 'recently created', name: 'name', updated: 'recently updated' };
      for (const [sort, label] of Object.entries(labels)) {
        await Promise.all([page.waitForURL(new RegExp(`[?&]sort=${sort}(&|$)`)), page.getByLabel('Sort').selectOption(sort)]);
        expect(await page.locator('.count').textContent()).toContain(`sorted by ${label}`);
        if (sort === 'trending') {
          expect((await page.locator('.card-title').allTextContents())[0]).toBe('second');
          await screenshotTo(page, SHOTS, 'gallery-trending-phone-dark');
        }
      }
      await Promise.all([page.waitForURL(/[?&]sdk=gradio(&|$)/), page.getByLabel('SDK').selectOption('gradio')]);
      expect(await page.locator('.count').textContent()).toContain('0 Spaces');
    } finally {
      await h.api('DELETE', '/api/spaces/admin/second/like');
      await page.context().close();
    }
  });

  it('a visitor sees the count and a sign-in link, not a button', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${base()}/spaces/admin/second`);
    const link = page.getByRole('link', { name: '0 likes: sign in to like this Space' });
    expect(await link.getAttribute('href')).toBe('/login?next=%2Fspaces%2Fadmin%2Fsecond');
  });
});
