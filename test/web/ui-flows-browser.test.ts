import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotTo } from '../support/chromium.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import type { Harness } from '../support/spaceport-harness.js';
import { startUiHarness } from '../support/ui-harness.js';

const SHOTS = path.resolve('test-artifacts/web-ui-flows');

/**
 * Issue 17, "Missing 1", in real Chromium: /new-space makes a Space that runs with no git (a starter
 * app per SDK), and the Files tab creates, uploads, edits and deletes files, each one commit.
 * Builds and the runtime are the fakes (the real engine's builds are the e2e suites').
 */
describe('web UI flows without a terminal, in Chromium', { timeout: 90_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let aliceToken: string;
  let folder: string;
  const builder = new FakeImageBuilder();
  const base = () => `http://127.0.0.1:${h.port}`;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    folder = mkdtempSync(path.join(tmpdir(), 'ui-upload-'));
    mkdirSync(path.join(folder, 'pics', 'deep'), { recursive: true });
    writeFileSync(path.join(folder, 'pics', 'one.txt'), '1');
    writeFileSync(path.join(folder, 'pics', 'deep', 'two.txt'), '2');
    // Static Spaces through the image builder (as on Kubernetes): these flows watch a build run (progress, a rebuild on edit).
    ({ h, browser, aliceToken } = await startUiHarness({ builder, staticSpacesAsImages: true }));
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  async function signedIn(o: { dark?: boolean; phone?: boolean } = {}): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
    const ctx = await browser.newContext({ viewport: o.phone ? { width: 390, height: 844 } : { width: 1280, height: 900 }, colorScheme: o.dark ? 'dark' : 'light' });
    const page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${base()}/login`);
    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Password').fill('alice-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base()}/spaces`);
    return { ctx, page, errors };
  }

  const tree = async (id: string) => ((await h.api('GET', `/api/spaces/${id}/tree/main?recursive=true`, undefined, aliceToken)).json() as { path: string; type: string }[]).filter((e) => e.type === 'file').map((e) => e.path).sort();
  const fileText = async (id: string, p: string) => (await h.api('GET', `/spaces/${id}/resolve/main/${p}`, undefined, aliceToken)).body;

  const STARTERS: Record<string, string[]> = {
    gradio: ['.gitattributes', 'README.md', 'app.py'],
    streamlit: ['.gitattributes', 'README.md', 'app.py'],
    docker: ['.gitattributes', 'Dockerfile', 'README.md', 'app.py'],
    static: ['.gitattributes', 'README.md', 'index.html', 'style.css'],
  };

  for (const [i, sdk] of Object.keys(STARTERS).entries()) {
    const look = { dark: i % 2 === 1, phone: i >= 2 };
    it(`/new-space with ${sdk} commits a starter app: the Space builds and runs with no git (${look.phone ? 'phone' : 'desktop'}, ${look.dark ? 'dark' : 'light'})`, async () => {
      const { ctx, page, errors } = await signedIn(look);
      try {
        await page.goto(`${base()}/new-space`);
        await page.getByLabel('Space name').fill(`first-${sdk}`);
        await page.getByLabel(sdk, { exact: true }).check();
        expect(await page.getByLabel('Start with a small example app').isChecked()).toBe(true);
        await page.getByRole('button', { name: 'Create Space' }).click();
        await page.waitForURL(`${base()}/spaces/alice/first-${sdk}`);
        expect(await tree(`alice/first-${sdk}`)).toEqual(STARTERS[sdk]);
        await page.locator(`[data-stage-of="alice/first-${sdk}"][data-stage="RUNNING"]`).waitFor({ timeout: 60_000 });
        await page.locator('[data-app-frame]').waitFor({ state: 'visible' });
        await screenshotTo(page, SHOTS, `01-new-${sdk}-running-${look.phone ? 'phone' : 'desktop'}-${look.dark ? 'dark' : 'light'}`);
        if (sdk === 'gradio') expect(await fileText('alice/first-gradio', 'app.py')).toContain('gr.Interface');
        if (sdk === 'docker') expect(await fileText('alice/first-docker', 'Dockerfile')).toContain('EXPOSE 7860');
        expect(errors).toEqual([]);
      } finally {
        await ctx.close();
      }
    });
  }

  it('the Files tab creates, uploads (several files, a folder), edits and deletes files, each a commit with its message; an edit rebuilds the Space', async () => {
    const { ctx, page, errors } = await signedIn();
    const id = 'alice/first-static';
    try {
      const commitsBefore = ((await h.api('GET', `/api/spaces/${id}/commits/main`, undefined, aliceToken)).json() as unknown[]).length;
      await page.goto(`${base()}/spaces/${id}/tree/main`);
      // Create.
      await page.getByLabel('File name').fill('notes/hello.txt');
      await page.locator('form[data-commit="create"]').getByLabel('Content').fill('hello ✓\n');
      await page.locator('form[data-commit="create"]').getByLabel('Commit message').fill('Add notes');
      await page.getByRole('button', { name: 'Commit new file' }).click();
      await page.waitForURL(`${base()}/spaces/${id}/blob/main/notes/hello.txt`);
      expect(await fileText(id, 'notes/hello.txt')).toBe('hello ✓\n');
      await screenshotTo(page, SHOTS, '02-file-created');

      // Upload: two files and a folder (webkitRelativePath keeps its structure).
      await page.goto(`${base()}/spaces/${id}/tree/main`);
      await page.getByLabel('Files', { exact: true }).setInputFiles([
        { name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('A') },
        { name: 'b.bin', mimeType: 'application/octet-stream', buffer: Buffer.from([0, 1, 2, 255]) },
      ]);
      await page.locator('[data-upload-list]', { hasText: 'a.txt, b.bin' }).waitFor();
      await page.getByLabel('A folder').setInputFiles(path.join(folder, 'pics'));
      await page.locator('[data-upload-list]', { hasText: 'pics/deep/two.txt' }).waitFor();
      await page.locator('form[data-commit="upload"]').getByLabel('Into folder (optional)').fill('up');
      await page.locator('form[data-commit="upload"]').getByLabel('Commit message').fill('Upload two');
      await screenshotTo(page, SHOTS, '03-upload-chosen');
      await page.getByRole('button', { name: 'Commit upload' }).click();
      await page.waitForURL(`${base()}/spaces/${id}/tree/main/up`);
      await page.getByRole('link', { name: 'b.bin', exact: true }).waitFor();
      const bin = await h.api('GET', `/spaces/${id}/resolve/main/up/b.bin`, undefined, aliceToken);
      expect(Buffer.from(bin.body, 'latin1').length).toBeGreaterThan(0);

      // Edit the app: a new commit, and a new build of it runs.
      const builds = builder.built.filter((b) => b.space === id).length;
      await page.goto(`${base()}/spaces/${id}/blob/main/index.html`);
      await page.locator('form[data-commit="edit"]').getByLabel('Content').fill('<h1>edited in the browser</h1>\n');
      const committed = page.waitForResponse((r) => r.url().endsWith(`/api/spaces/${id}/commit/main`));
      await page.getByRole('button', { name: 'Commit changes' }).click();
      expect((await committed).status()).toBe(200);
      await page.waitForLoadState('load');
      expect(await fileText(id, 'index.html')).toBe('<h1>edited in the browser</h1>\n');
      const info = (await h.api('GET', `/api/spaces/${id}`, undefined, aliceToken)).json() as { sha: string };
      await expect.poll(() => builder.built.filter((b) => b.space === id).length, { timeout: 30_000 }).toBeGreaterThan(builds);
      const built = builder.built.filter((b) => b.space === id).at(-1)!;
      expect(built.files).toContain('index.html');
      await h.waitStage(id, ['RUNNING']);
      await screenshotTo(page, SHOTS, '04-file-edited');

      // Delete, after a confirmation.
      await page.goto(`${base()}/spaces/${id}/blob/main/notes/hello.txt`);
      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: 'Delete this file' }).click();
      await page.waitForURL(`${base()}/spaces/${id}/tree/main`);
      expect(await tree(id)).toEqual(['.gitattributes', 'README.md', 'index.html', 'style.css', 'up/a.txt', 'up/b.bin', 'up/pics/deep/two.txt', 'up/pics/one.txt']);
      const commits = (await h.api('GET', `/api/spaces/${id}/commits/main`, undefined, aliceToken)).json() as { title: string }[];
      expect(commits.length - commitsBefore).toBe(4);
      expect(commits.slice(0, 4).map((c) => c.title)).toEqual(['Delete notes/hello.txt', 'Update index.html', 'Upload two', 'Add notes']);
      expect(info.sha).toMatch(/^[0-9a-f]{40}$/);
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('files dropped on the upload form (drag and drop) are committed with the message given (phone, dark)', async () => {
    const { ctx, page, errors } = await signedIn({ dark: true, phone: true });
    const id = 'alice/first-static';
    try {
      await page.goto(`${base()}/spaces/${id}/tree/main`);
      const form = page.locator('form[data-commit="upload"]');
      const dropped = await page.evaluateHandle(() => {
        const d = new DataTransfer();
        d.items.add(new File(['dropped ✓\n'], 'dropped.txt', { type: 'text/plain' }));
        d.items.add(new File([new Uint8Array([0, 1, 2, 254])], 'bytes.dat'));
        return d;
      });
      await form.dispatchEvent('dragover', { dataTransfer: dropped });
      await form.dispatchEvent('drop', { dataTransfer: dropped });
      await page.locator('[data-upload-list]', { hasText: 'dropped.txt, bytes.dat' }).waitFor();
      await form.getByLabel('Into folder (optional)').fill('drop');
      await form.getByLabel('Commit message').fill('Drop two');
      await screenshotTo(page, SHOTS, '03b-files-dropped-phone-dark');
      await page.getByRole('button', { name: 'Commit upload' }).click();
      await page.waitForURL(`${base()}/spaces/${id}/tree/main/drop`);
      await page.getByRole('link', { name: 'dropped.txt', exact: true }).waitFor();
      expect(await fileText(id, 'drop/dropped.txt')).toBe('dropped ✓\n');
      expect(await tree(id)).toEqual(expect.arrayContaining(['drop/bytes.dat', 'drop/dropped.txt']));
      const commits = (await h.api('GET', `/api/spaces/${id}/commits/main`, undefined, aliceToken)).json() as { title: string }[];
      expect(commits[0]!.title).toBe('Drop two');
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('shows build progress (step and log tail) on the App tab while building, and push instructions per SDK only while there is no app', async () => {
    const { ctx, page, errors } = await signedIn({ dark: true });
    const id = 'alice/progress';
    try {
      // A new static Space builds at once (its initial commit has index.html): held, it stays BUILDING.
      builder.hold = true;
      expect((await h.api('POST', '/api/repos/create', { name: 'progress', type: 'space', sdk: 'static' }, aliceToken)).status).toBe(200);
      await h.waitStage(id, ['BUILDING']);
      await page.goto(`${base()}/spaces/${id}`);
      await page.locator('[data-progress-step]', { hasText: 'Step 1/1' }).waitFor();
      expect(await page.locator('[data-progress-log]').textContent()).toContain('FAKE build');
      await screenshotTo(page, SHOTS, '05-build-progress-dark');
      builder.hold = false;
      builder.release();
      await page.locator(`[data-stage-of="${id}"][data-stage="RUNNING"]`).waitFor({ timeout: 60_000 });
      await page.locator('[data-progress]').waitFor({ state: 'hidden' });
      expect(await page.locator('.howto').count()).toBe(0);

      // No app yet: instructions for this SDK and a link to make a write token; a visitor gets none.
      expect((await h.api('POST', '/api/repos/create', { name: 'bare-streamlit', type: 'space', sdk: 'streamlit' }, aliceToken)).status).toBe(200);
      await page.goto(`${base()}/spaces/alice/bare-streamlit`);
      const howto = page.locator('.howto');
      expect(await howto.textContent()).toContain('app.py (a Streamlit script)');
      expect(await howto.getByRole('link', { name: 'write token' }).getAttribute('href')).toBe('/settings/tokens');
      await screenshotTo(page, SHOTS, '06-push-instructions-dark');
      const visitor = await (await browser.newContext()).newPage();
      await visitor.goto(`${base()}/spaces/alice/bare-streamlit`);
      expect(await visitor.locator('[data-state-title]').textContent()).toBe('No application file');
      expect(await visitor.locator('.howto').count()).toBe(0);
      expect(await visitor.locator('[data-progress]').count()).toBe(0);
      await visitor.context().close();
      expect(errors).toEqual([]);
    } finally {
      builder.hold = false;
      builder.release();
      await ctx.close();
    }
  });

  it('header actions: Embed and Clone with copy buttons for a visitor; Duplicate to one\'s own namespace when signed in', async () => {
    expect((await h.api('POST', '/api/users', { name: 'bob' })).status).toBe(201);
    expect((await h.api('PUT', '/api/users/bob/password', { password: 'bob-password-1' })).status).toBe(200);
    const visitorCtx = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', permissions: ['clipboard-read', 'clipboard-write'] });
    try {
      const visitor = await visitorCtx.newPage();
      await visitor.goto(`${base()}/spaces/alice/first-gradio`);
      expect(await visitor.locator('.actions summary').allTextContents()).toEqual(['Embed', 'Clone']);
      await visitor.getByText('Embed', { exact: true }).click();
      await visitor.getByRole('button', { name: 'Copy web component' }).click();
      expect(await visitor.evaluate(() => navigator.clipboard.readText())).toContain('<gradio-app src="http://alice-first-gradio.localhost:');
      await visitor.getByText('Clone', { exact: true }).click();
      await visitor.getByRole('button', { name: 'Copy command' }).click();
      expect(await visitor.evaluate(() => navigator.clipboard.readText())).toBe(`git clone http://127.0.0.1:${h.port}/spaces/alice/first-gradio`);
      await screenshotTo(visitor, SHOTS, '08-header-actions-phone-dark');
    } finally {
      await visitorCtx.close();
    }
    const ctx = await browser.newContext();
    try {
      const page = await ctx.newPage();
      await page.goto(`${base()}/login?next=/spaces/alice/first-gradio`);
      await page.getByLabel('User name').fill('bob');
      await page.getByLabel('Password').fill('bob-password-1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base()}/spaces/alice/first-gradio`);
      await page.getByText('Duplicate', { exact: true }).click();
      expect(await page.getByLabel('Owner').inputValue()).toBe('bob');
      expect(await page.getByLabel('Space name').inputValue()).toBe('first-gradio');
      await page.getByRole('button', { name: 'Duplicate Space' }).click();
      await page.waitForURL(`${base()}/spaces/bob/first-gradio`);
      expect((await h.api('GET', '/api/spaces/bob/first-gradio')).json()).toMatchObject({ id: 'bob/first-gradio', private: true });
      await screenshotTo(page, SHOTS, '09-duplicated');
    } finally {
      await ctx.close();
    }
  });
});
