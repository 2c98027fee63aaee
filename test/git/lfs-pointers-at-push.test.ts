import { createHash, randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { commitFiles, git, gitOk, makeWorkTree, pushUrl } from '../support/git-client.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * A push whose Git LFS pointers name objects the Space does not have is refused at push time,
 * naming the files (as GitHub does), instead of being accepted and failing at build (issue 19).
 * git-lfs uploads objects before it sends the refs, so an honest push has them; an object uploaded
 * only to another Space does not count (a pointer borrows nothing). Stock git; the objects are
 * uploaded through the LFS batch API as git-lfs does.
 */
const pointerOf = (data: Buffer) => `version https://git-lfs.github.com/spec/v1\noid sha256:${createHash('sha256').update(data).digest('hex')}\nsize ${data.length}\n`;

describe('LFS pointers checked at push', () => {
  let h: Harness;
  const works: string[] = [];
  const model = randomBytes(4096);

  /** Upload `data` to `space`'s LFS store as git-lfs would (batch, then PUT to the given href). */
  async function upload(space: string, data: Buffer): Promise<void> {
    const oid = createHash('sha256').update(data).digest('hex');
    const batch = await h.api('POST', `/spaces/${space}.git/info/lfs/objects/batch`, { operation: 'upload', transfers: ['basic'], objects: [{ oid, size: data.length }] });
    expect(batch.status, batch.body).toBe(200);
    const action = (JSON.parse(batch.body) as { objects: { actions?: { upload?: { href: string; header?: Record<string, string> } } }[] }).objects[0]!.actions?.upload;
    expect(action).toBeDefined();
    const put = await fetch(action!.href, { method: 'PUT', headers: action!.header ?? {}, body: new Uint8Array(data) });
    expect(put.status).toBeLessThan(300);
  }

  /**
   * A push from a client without git-lfs's pre-push hook (no git-lfs, or pointers committed by a
   * tool): the hook would otherwise refuse on the client side first.
   */
  const NO_CLIENT_HOOKS = ['-c', 'core.hooksPath=/dev/null'];

  async function pushNew(space: string, files: Record<string, string | Buffer>, ref = 'main') {
    const work = await makeWorkTree(files);
    works.push(work);
    if (ref !== 'main') await gitOk(['branch', ref], work);
    return git([...NO_CLIENT_HOOKS, 'push', '--force', pushUrl(h.port, space, ADMIN_TOKEN), ref], work);
  }

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    for (const name of ['ptr', 'other']) expect((await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'static' })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    for (const w of works) rmSync(w, { recursive: true, force: true });
  });

  const files = () => ({ 'README.md': '---\nsdk: static\n---\n', 'index.html': '<p>hi</p>\n', '.gitattributes': '*.bin filter=lfs diff=lfs merge=lfs -text\n', 'model.bin': pointerOf(model) });

  it('refuses a pointer to an object never uploaded, on main and on other branches, naming the file', async () => {
    for (const ref of ['main', 'dev']) {
      const push = await pushNew('admin/ptr', files(), ref);
      expect(push.code, ref).not.toBe(0);
      expect(push.stderr).toContain('Git LFS object(s) that were never uploaded');
      expect(push.stderr).toContain(`model.bin (sha256:${createHash('sha256').update(model).digest('hex')})`);
    }
    expect((await h.api('GET', '/api/spaces/admin/ptr/tree/main')).body).not.toContain('model.bin');
  });

  it("refuses a pointer to another Space's object, and accepts it once uploaded to this Space", async () => {
    await upload('admin/other', model);
    const borrowed = await pushNew('admin/ptr', files());
    expect(borrowed.code).not.toBe(0);
    expect(borrowed.stderr).toContain('model.bin');
    await upload('admin/ptr', model);
    const honest = await pushNew('admin/ptr', files());
    expect(honest.code, honest.stderr).toBe(0);
    expect((await h.api('GET', '/api/spaces/admin/ptr/tree/main')).body).toContain('model.bin');
  });

  it('a small file that only starts like a pointer is a regular file, and later pushes check only new blobs', async () => {
    const work = await makeWorkTree({ ...files(), 'notes.txt': 'version https://example.com is our API\n' });
    works.push(work);
    expect((await git([...NO_CLIENT_HOOKS, 'push', '--force', pushUrl(h.port, 'admin/ptr', ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    writeFileSync(path.join(work, 'index.html'), '<p>again</p>\n');
    await commitFiles(work, { 'index.html': '<p>again</p>\n' }, 'again');
    const push = await git([...NO_CLIENT_HOOKS, 'push', pushUrl(h.port, 'admin/ptr', ADMIN_TOKEN), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
  });
});
