import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerSpace, SETTLED } from '../support/docker-space.js';
import { git, gitOk, pushUrl } from '../support/git-client.js';
import { ADMIN_TOKEN } from '../support/spaceport-harness.js';

/**
 * Git LFS end to end with stock `git lfs` (Debian's git-lfs): track *.bin, push a 50 MB file, clone it
 * back elsewhere byte-identical, and the Space built from the repo serves the real file (the build saw
 * the object, not the pointer). A large file pushed without LFS is still refused with the Hub's message.
 */
const BIG = 50 * 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** GET through the proxy at the Space's subdomain; the sha256 and length of the body. */
function appDigest(port: number, sub: string, p: string): Promise<{ status: number; sha: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, headers: { host: `${sub}.localhost:${port}` } }, (res) => {
      const h = createHash('sha256');
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        h.update(c);
        bytes += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sha: h.digest('hex'), bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

describe('git LFS on the Spaces git remote, end to end', () => {
  const s = new DockerSpace('lfs');
  const big = randomBytes(BIG);
  const elsewhere = mkdtempSync(path.join(tmpdir(), 'spaceport-lfs-clone-'));

  beforeAll(async () => {
    await s.start('static', { 'README.md': '---\ntitle: LFS\nsdk: static\n---\n', 'index.html': '<h1>LFS</h1>\n' });
    // git lfs as a user sets it up: install (this work tree), track, add, commit.
    await gitOk(['lfs', 'install', '--local'], s.work);
    await gitOk(['lfs', 'track', '*.bin'], s.work);
    writeFileSync(path.join(s.work, 'model.bin'), big);
    await gitOk(['add', '.gitattributes', 'model.bin'], s.work);
    await gitOk(['commit', '-q', '-m', 'a 50 MB model through LFS'], s.work);
    const pointer = await gitOk(['cat-file', '-p', 'HEAD:model.bin'], s.work);
    expect(pointer).toContain(`oid sha256:${sha256(big)}`);
  }, 600_000);

  afterAll(async () => {
    await s.close();
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it('pushes the object, clones it back byte-identical, and the Space serves the real file', async () => {
    const push = await git(['push', '--force', pushUrl(s.h.port, s.space, ADMIN_TOKEN), 'main'], s.work);
    expect(push.code, push.stderr).toBe(0);

    await gitOk(['lfs', 'install', '--skip-repo'], elsewhere); // HOME is `elsewhere` for this git
    const clone = await git(['clone', '-q', pushUrl(s.h.port, s.space), 'copy'], elsewhere);
    expect(clone.code, clone.stderr).toBe(0);
    expect(sha256(readFileSync(path.join(elsewhere, 'copy', 'model.bin')))).toBe(sha256(big));

    const info = (await s.h.api('GET', `/api/spaces/${s.space}`)).json<{ siblings: { rfilename: string; lfs?: { sha256: string; size: number } }[]; usedStorage: number }>();
    expect(info.siblings.find((f) => f.rfilename === 'model.bin')?.lfs).toMatchObject({ sha256: sha256(big), size: BIG });
    expect(info.usedStorage).toBeGreaterThanOrEqual(BIG);

    const rt = await s.h.waitStage(s.space, SETTLED, 600_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
    const served = await appDigest(s.h.port, s.sub, '/model.bin');
    expect(served).toEqual({ status: 200, sha: sha256(big), bytes: BIG });
  }, 900_000);

  it('still refuses a large file pushed without LFS, with the Hub message', async () => {
    await gitOk(['lfs', 'untrack', '*.bin'], s.work);
    writeFileSync(path.join(s.work, 'raw.dat'), randomBytes(11 * 1024 * 1024));
    await gitOk(['-c', 'filter.lfs.clean=', '-c', 'filter.lfs.required=false', 'add', 'raw.dat', '.gitattributes'], s.work);
    await gitOk(['commit', '-q', '-m', 'large file without LFS'], s.work);
    const push = await git(['push', '--force', pushUrl(s.h.port, s.space, ADMIN_TOKEN), 'main'], s.work);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('Your push was rejected because it contains files larger than 10 MiB.');
    expect(push.stderr).toContain('Please use https://git-lfs.github.com/ to store large files.');
    expect(push.stderr).toContain('- raw.dat (ref: refs/heads/main)');
  }, 300_000);

  it('answers the LFS batch API only with the right token', async () => {
    const body = { operation: 'upload', transfers: ['basic'], objects: [{ oid: sha256(Buffer.from('x')), size: 1 }] };
    const batch = `/spaces/${s.space}.git/info/lfs/objects/batch`;
    expect((await s.h.api('POST', batch, body, null)).status).toBe(401);
    const ok = await s.h.api('POST', batch, body);
    expect(ok.status).toBe(200);
    const download = await s.h.api('POST', batch, { operation: 'download', objects: [{ oid: sha256(big), size: BIG }] }, null);
    expect(download.status).toBe(200); // a public Space: anyone may read
    expect(download.json<{ objects: { actions?: unknown }[] }>().objects[0]!.actions).toBeDefined();
  }, 60_000);
});
