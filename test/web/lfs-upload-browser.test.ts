import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotTo } from '../support/chromium.js';
import { gitOk, pushUrl } from '../support/git-client.js';
import type { Harness } from '../support/spaceport-harness.js';
import { startUiHarness } from '../support/ui-harness.js';

const SHOTS = path.resolve('test-artifacts/web-lfs-upload');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface TreeEntry {
  path: string;
  type: string;
  size: number;
  lfs?: { oid: string; size: number };
}

/**
 * Issue 17, "Missing 1" (LFS for large files): a file uploaded in the Files tab over the Hub's LFS
 * threshold (10 MB), or matching a `.gitattributes` LFS pattern, goes through Git LFS as
 * huggingface_hub sends it (preupload → batch → upload → verify → commit with the pointer).
 */
describe('browser uploads through Git LFS, in Chromium', { timeout: 180_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let aliceToken: string;
  let clone: string;
  const base = () => `http://127.0.0.1:${h.port}`;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    clone = mkdtempSync(path.join(tmpdir(), 'lfs-upload-clone-'));
    ({ h, browser, aliceToken } = await startUiHarness());
    expect((await h.api('POST', '/api/repos/create', { name: 'big', type: 'space', sdk: 'static' }, aliceToken)).status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    if (clone) rmSync(clone, { recursive: true, force: true });
  });

  it('uploads a >10 MB file and a *.bin file as LFS objects (pointers in git), a small text file as a blob; all download intact', async () => {
    // Text (not binary-looking) so that only its size sends it to LFS; 11 MB > the 10 MB threshold.
    const big = Buffer.from(Array.from({ length: 11 * 1024 * 1024 / 64 }, (_, i) => sha256(Buffer.from(String(i)))).join(''));
    const weights = Buffer.from('small, but *.bin is an LFS pattern in .gitattributes\n');
    const note = Buffer.from('a small note\n');
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await ctx.newPage();
      page.setDefaultTimeout(60_000);
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

      await page.goto(`${base()}/spaces/alice/big/tree/main`);
      const lfsCalls: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/info/lfs/objects')) lfsCalls.push(`${r.method()} ${new URL(r.url()).pathname.replace(/[0-9a-f]{64}/, '{oid}')}`);
      });
      const committed = page.waitForRequest((r) => r.url().endsWith('/api/spaces/alice/big/commit/main'));
      await page.getByLabel('Files', { exact: true }).setInputFiles([
        { name: 'big.txt', mimeType: 'text/plain', buffer: big },
        { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: weights },
        { name: 'note.txt', mimeType: 'text/plain', buffer: note },
      ]);
      await page.locator('[data-upload-list]', { hasText: 'big.txt, weights.bin, note.txt' }).waitFor();
      await page.locator('form[data-commit="upload"]').getByLabel('Commit message').fill('Upload a large file');
      await page.getByRole('button', { name: 'Commit upload' }).click();
      // The commit carries pointers, not the 11 MB of content.
      const body = (await committed).postData() ?? '';
      expect(body.length).toBeLessThan(64 * 1024);
      await page.waitForURL(`${base()}/spaces/alice/big/tree/main`);
      await page.getByRole('link', { name: 'big.txt' }).waitFor();
      await screenshotTo(page, SHOTS, '01-uploaded');
      // Two objects (in parallel): each batch, upload, verify.
      expect(lfsCalls.sort()).toEqual([
        'POST /spaces/alice/big.git/info/lfs/objects/batch',
        'POST /spaces/alice/big.git/info/lfs/objects/batch',
        'POST /spaces/alice/big.git/info/lfs/objects/{oid}/verify',
        'POST /spaces/alice/big.git/info/lfs/objects/{oid}/verify',
        'PUT /spaces/alice/big.git/info/lfs/objects/{oid}',
        'PUT /spaces/alice/big.git/info/lfs/objects/{oid}',
      ]);
      expect(errors).toEqual([]);
    } finally {
      await ctx.close();
    }

    // The API's `lfs` field.
    const tree = (await h.api('GET', '/api/spaces/alice/big/tree/main', undefined, aliceToken)).json() as TreeEntry[];
    const entry = (p: string) => tree.find((e) => e.path === p);
    expect(entry('big.txt')?.lfs).toMatchObject({ oid: sha256(big), size: big.length });
    expect(entry('weights.bin')?.lfs).toMatchObject({ oid: sha256(weights), size: weights.length });
    expect(entry('note.txt')?.lfs).toBeUndefined();

    // git lfs on a clone: pointers in git, and the objects behind them.
    const url = pushUrl(h.port, 'alice/big', aliceToken);
    await gitOk(['clone', '-q', url, '.'], clone, { GIT_LFS_SKIP_SMUDGE: '1' });
    const listed = await gitOk(['lfs', 'ls-files', '--long'], clone);
    expect(listed).toContain(`${sha256(big)} - big.txt`);
    expect(listed).toContain(`${sha256(weights)} - weights.bin`);
    expect(listed).not.toContain('note.txt');
    expect(readFileSync(path.join(clone, 'big.txt'), 'utf8')).toMatch(/^version https:\/\/git-lfs.github.com\/spec\/v1\noid sha256:[0-9a-f]{64}\nsize \d+\n$/);

    // Downloads are the uploaded bytes.
    for (const [p, bytes] of [
      ['big.txt', big],
      ['weights.bin', weights],
      ['note.txt', note],
    ] as const) {
      // All three are ASCII text, so the harness's utf8 body is their bytes.
      const r = await h.api('GET', `/spaces/alice/big/resolve/main/${p}`, undefined, aliceToken);
      expect(r.status, p).toBe(200);
      expect(sha256(Buffer.from(r.body)), p).toBe(sha256(bytes));
    }
  });
});
