import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotTo } from '../support/chromium.js';
import { commitFiles, git, makeWorkTree, pushUrl } from '../support/git-client.js';
import type { Harness } from '../support/spaceport-harness.js';
import { ALICE_PASSWORD, startUiHarness } from '../support/ui-harness.js';

const SHOTS = path.resolve('test-artifacts/web-files');

const LOOKS = [
  { name: 'desktop-light', dark: false, phone: false },
  { name: 'desktop-dark', dark: true, phone: false },
  { name: 'phone-light', dark: false, phone: true },
  { name: 'phone-dark', dark: true, phone: true },
] as const;

/**
 * Issue 17, Missing 3, in real Chromium (desktop and phone, light and dark): code highlighted by the
 * server with numbered, linkable lines; the commit list and a commit's diff; a file's history; the
 * raw and download links. Screenshots in test-artifacts/web-files/.
 */
describe('files like the Hub\'s, in Chromium', { timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let aliceToken: string;
  let work: string;
  let change: string;
  const base = () => `http://127.0.0.1:${h.port}`;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ({ h, browser, aliceToken } = await startUiHarness());
    expect((await h.api('POST', '/api/repos/create', { name: 'code', type: 'space', sdk: 'static' }, aliceToken)).status).toBe(200);
    work = await makeWorkTree({
      'README.md': '---\ntitle: Code\nsdk: static\n---\n# Code\n',
      'index.html': '<!doctype html>\n<h1 class="hi">hi</h1>\n',
      'app.py': 'import os\n\n# A greeting\ndef greet(name):\n    return "Hello " + name * 2\n',
      'weights.bin': Buffer.from([0, 1, 2, 3, 255]),
      'src/util.py': 'def twice(x):\n    return x * 2\n',
    });
    change = await commitFiles(work, { 'app.py': 'import os\n\n# A greeting\ndef greet(name):\n    return "Hi " + name\n', 'config.json': '{"on": true}\n' }, 'Shorter greeting');
    const push = await git(['push', '--force', '-q', pushUrl(h.port, 'alice/code', aliceToken), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    await h.waitStage('alice/code', ['RUNNING']);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function open(look: (typeof LOOKS)[number]): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
    const ctx = await browser.newContext({ viewport: look.phone ? { width: 390, height: 844 } : { width: 1280, height: 900 }, colorScheme: look.dark ? 'dark' : 'light', acceptDownloads: true });
    const page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${base()}/login`);
    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Password').fill(ALICE_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base()}/spaces`);
    return { ctx, page, errors };
  }

  for (const look of LOOKS) {
    it(`shows highlighted code, a file's history, the commit with its diff, raw and download (${look.name})`, async () => {
      const { ctx, page, errors } = await open(look);
      try {
        // The Files tab: size and last commit per file.
        await page.goto(`${base()}/spaces/alice/code/tree/main`);
        const row = page.locator('.file-list tr', { has: page.getByRole('link', { name: 'app.py', exact: true }) });
        expect(await row.locator('a.last-commit').textContent()).toBe('Shorter greeting');
        await screenshotTo(page, SHOTS, `01-files-${look.name}`);

        // Folders: the root lists src/ (not its files); the folder page lists them, with breadcrumbs back.
        expect(await page.getByRole('link', { name: 'util.py', exact: true }).count()).toBe(0);
        await page.getByRole('link', { name: 'src/' }).click();
        await page.waitForURL(`${base()}/spaces/alice/code/tree/main/src`);
        expect(await page.getByRole('link', { name: 'util.py', exact: true }).count()).toBe(1);
        expect(await page.getByRole('link', { name: 'app.py', exact: true }).count()).toBe(0);
        await screenshotTo(page, SHOTS, `01b-folder-${look.name}`);
        await page.getByRole('navigation', { name: 'Folder' }).getByRole('link', { name: 'Files' }).click();
        await page.waitForURL(`${base()}/spaces/alice/code/tree/main`);

        // A file: highlighted on the server (keywords coloured unlike plain text), numbered lines linked as #L4.
        await page.getByRole('link', { name: 'app.py', exact: true }).click();
        await page.waitForURL(`${base()}/spaces/alice/code/blob/main/app.py`);
        const keyword = page.locator('.code .tok-k', { hasText: 'def' });
        const plainColour = await page.locator('.code td.lc').first().evaluate((e) => getComputedStyle(e).color);
        expect(await keyword.evaluate((e) => getComputedStyle(e).color)).not.toBe(plainColour);
        expect(await page.locator('.code .tok-c').textContent()).toBe('# A greeting');
        await page.getByRole('link', { name: '4', exact: true }).click();
        await page.waitForURL(`${base()}/spaces/alice/code/blob/main/app.py#L4`);
        expect(await page.locator('tr#L4').evaluate((e) => e.matches(':target'))).toBe(true);
        await screenshotTo(page, SHOTS, `02-code-${look.name}`);

        // Its history, then the commit with its diff.
        await page.getByRole('link', { name: 'History', exact: true }).click();
        await page.waitForURL(`${base()}/spaces/alice/code/commits/main/app.py`);
        expect(await page.locator('.commit-list li').count()).toBe(2);
        await screenshotTo(page, SHOTS, `03-history-${look.name}`);
        await page.getByRole('link', { name: 'Shorter greeting' }).click();
        await page.waitForURL(`${base()}/spaces/alice/code/commit/${change}`);
        const diff = page.locator('[data-diff-file="app.py"]');
        expect(await diff.locator('tr.del .lc').textContent()).toBe('    return "Hello " + name * 2');
        expect(await diff.locator('tr.add .lc').textContent()).toBe('    return "Hi " + name');
        // Added and removed lines are told by a sign and words, not colour alone.
        expect(await diff.locator('tr.add .mark').textContent()).toBe('+added');
        expect(await diff.locator('tr.del .mark').textContent()).toBe('-removed');
        expect(await page.locator('[data-diff-file="config.json"] .badge').textContent()).toBe('added');
        await screenshotTo(page, SHOTS, `04-commit-${look.name}`);

        // The Space's commits.
        await page.getByRole('link', { name: '← Commits' }).click();
        await page.waitForURL(`${base()}/spaces/alice/code/commits/main`);
        expect(await page.locator('.commit-list li').count()).toBe(2);

        // Download: saved under its name (a binary file is not shown inline).
        await page.goto(`${base()}/spaces/alice/code/blob/main/weights.bin`);
        expect(await page.locator('.code-view').count()).toBe(0);
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download' }).click()]);
        expect(download.suggestedFilename()).toBe('weights.bin');
        expect(errors).toEqual([]);
        // Raw: the file as text (HTML too: never rendered as a page on the hub).
        await page.goto(`${base()}/spaces/alice/code/blob/main/index.html`);
        const [raw] = await Promise.all([page.waitForResponse(`${base()}/spaces/alice/code/raw/main/index.html`), page.getByRole('link', { name: 'Raw' }).click()]);
        expect(raw.headers()['content-type']).toBe('text/plain; charset=utf-8');
        await page.waitForURL(`${base()}/spaces/alice/code/raw/main/index.html`);
        expect(await page.locator('body').textContent()).toContain('<h1 class="hi">hi</h1>');
        expect(await page.locator('h1.hi').count()).toBe(0);
        await screenshotTo(page, SHOTS, `05-raw-${look.name}`);
      } finally {
        await ctx.close();
      }
    });
  }
});
