// The GitRepos contract: every implementation (CliGitRepos, FakeGitRepos) runs this same suite.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSpaceportError, toSpaceId } from '../../../core/index.js';
import type { GitRepos, Head } from '../index.js';
import os from 'node:os';

export interface GitReposHarness {
  repos: GitRepos;
  /** Make `files` the whole content of a new commit on `branch` (a push), dated `date` (default now). */
  commit(space: ReturnType<typeof toSpaceId>, files: Record<string, string | Buffer>, branch?: string, date?: Date): Promise<Head>;
  close(): Promise<void>;
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isSpaceportError(err) ? err.code : err).toBe(code);
}

export function runGitReposContract(name: string, make: () => Promise<GitReposHarness>): void {
  describe(`GitRepos contract: ${name}`, () => {
    let h: GitReposHarness;
    let out: string;
    const space = toSpaceId('alice', 'demo');

    beforeEach(async () => {
      h = await make();
      out = await fs.mkdtemp(path.join(os.tmpdir(), 'spaceport-export-'));
    });
    afterEach(async () => {
      await h?.close();
      if (out) await fs.rm(out, { recursive: true, force: true });
    });

    it('creates a repo idempotently, with no head until the first commit', async () => {
      expect(await h.repos.exists(space)).toBe(false);
      await h.repos.create(space);
      await h.repos.create(space);
      expect(await h.repos.exists(space)).toBe(true);
      expect(await h.repos.head(space)).toBeUndefined();
      expect(h.repos.pathOf(space)).toMatch(/alice\/demo\.git$/);
    });

    it('creates a repo whose main starts at an initial commit, added only when the repo is new', async () => {
      const initial = { files: { 'README.md': Buffer.from('---\nsdk: static\n---\n'), '.gitattributes': Buffer.from('*.bin filter=lfs diff=lfs merge=lfs -text\n') }, message: 'initial commit', author: { name: 'alice', email: 'alice@example.test' } };
      await h.repos.create(space, initial);
      const head = await h.repos.head(space);
      expect(head).toBeDefined();
      expect((await h.repos.listFiles(space, head!.commit)).sort()).toEqual(['.gitattributes', 'README.md']);
      expect((await h.repos.readFile(space, head!.commit, 'README.md'))?.toString()).toBe('---\nsdk: static\n---\n');
      await h.repos.create(space, initial);
      expect(await h.repos.head(space)).toEqual(head);
    });

    it('reads the head, files and file list of a commit', async () => {
      await h.repos.create(space);
      const first = await h.commit(space, { 'README.md': '# one\n', 'src/app.py': 'print(1)\n' });
      const second = await h.commit(space, { 'README.md': '# two\n', 'src/app.py': 'print(1)\n', 'a b/c.txt': 'spaces\n' });
      expect(await h.repos.head(space)).toEqual(second);
      expect(second.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(second.tree).toMatch(/^[0-9a-f]{40}$/);
      expect(second.commit).not.toBe(first.commit);
      expect((await h.repos.readFile(space, first.commit, 'README.md'))?.toString()).toBe('# one\n');
      expect((await h.repos.readFile(space, second.commit, 'README.md'))?.toString()).toBe('# two\n');
      expect((await h.repos.readFile(space, second.commit, 'a b/c.txt'))?.toString()).toBe('spaces\n');
      expect(await h.repos.readFile(space, second.commit, 'missing.txt')).toBeUndefined();
      expect((await h.repos.listFiles(space, second.commit)).sort()).toEqual(['README.md', 'a b/c.txt', 'src/app.py']);
      expect((await h.repos.listFiles(space, first.commit)).sort()).toEqual(['README.md', 'src/app.py']);
    });

    it('tells when files last changed (the committer date of the newest commit touching them)', async () => {
      await h.repos.create(space);
      const d1 = new Date('2023-08-15T10:00:00Z');
      const d2 = new Date('2024-01-02T03:04:05Z');
      const d3 = new Date('2024-06-01T00:00:00Z');
      await h.commit(space, { 'README.md': 'r1\n', 'app.py': 'a1\n' }, undefined, d1);
      const second = await h.commit(space, { 'README.md': 'r1\n', 'app.py': 'a2\n', 'requirements.txt': 'numpy\n' }, undefined, d2);
      const third = await h.commit(space, { 'README.md': 'r1\n', 'app.py': 'a3\n', 'requirements.txt': 'numpy\n' }, undefined, d3);
      expect(await h.repos.lastChangedAt(space, third.commit, ['README.md'])).toEqual(d1);
      expect(await h.repos.lastChangedAt(space, third.commit, ['README.md', 'requirements.txt', 'packages.txt'])).toEqual(d2);
      expect(await h.repos.lastChangedAt(space, third.commit, ['app.py'])).toEqual(d3);
      expect(await h.repos.lastChangedAt(space, second.commit, ['app.py'])).toEqual(d2);
      // No commit touched them: the commit's own date.
      expect(await h.repos.lastChangedAt(space, third.commit, ['missing.txt'])).toEqual(d3);
      await expectCode(h.repos.lastChangedAt(space, third.commit, ['../x']), 'BadRequest');
    });

    it('reads another branch', async () => {
      await h.repos.create(space);
      const dev = await h.commit(space, { 'x.txt': 'dev\n' }, 'dev');
      expect(await h.repos.head(space, 'dev')).toEqual(dev);
      expect(await h.repos.head(space, 'nope')).toBeUndefined();
      await expectCode(h.repos.head(space, '--upload-pack=x'), 'InvalidUpstream');
    });

    it('keeps binary content intact', async () => {
      await h.repos.create(space);
      const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]);
      const head = await h.commit(space, { 'blob.bin': bytes });
      expect(await h.repos.readFile(space, head.commit, 'blob.bin')).toEqual(bytes);
    });

    it('exports the files of a commit into a directory', async () => {
      await h.repos.create(space);
      const head = await h.commit(space, { 'README.md': 'r\n', 'app/main.py': 'm\n', 'app/deep/x.txt': 'x\n' });
      await h.repos.exportTree(space, head.commit, out);
      expect(await fs.readFile(path.join(out, 'README.md'), 'utf8')).toBe('r\n');
      expect(await fs.readFile(path.join(out, 'app/main.py'), 'utf8')).toBe('m\n');
      expect(await fs.readFile(path.join(out, 'app/deep/x.txt'), 'utf8')).toBe('x\n');
    });

    it('fails with RepoNotFound and RevisionNotFound', async () => {
      await expectCode(h.repos.head(space), 'RepoNotFound');
      await h.repos.create(space);
      await h.commit(space, { 'a.txt': 'a\n' });
      const unknown = 'f'.repeat(40);
      await expectCode(h.repos.readFile(space, unknown, 'a.txt'), 'RevisionNotFound');
      await expectCode(h.repos.listFiles(space, unknown), 'RevisionNotFound');
      await expectCode(h.repos.exportTree(space, unknown, out), 'RevisionNotFound');
    });

    it('moves and removes repos', async () => {
      const to = toSpaceId('bob', 'renamed');
      await h.repos.create(space);
      const head = await h.commit(space, { 'a.txt': 'a\n' });
      await h.repos.move(space, to);
      expect(await h.repos.exists(space)).toBe(false);
      expect(await h.repos.head(to)).toEqual(head);
      await h.repos.create(space);
      await expectCode(h.repos.move(space, to), 'RepoExists');
      await h.repos.remove(to);
      expect(await h.repos.exists(to)).toBe(false);
      await h.repos.remove(to); // removing twice is fine
      await expectCode(h.repos.move(to, space), 'RepoNotFound');
    });

    it('copies a repo with its history; the copy is independent of the source', async () => {
      const to = toSpaceId('bob', 'copy');
      await h.repos.create(space);
      const first = await h.commit(space, { 'a.txt': 'a\n' });
      const second = await h.commit(space, { 'a.txt': 'b\n' });
      await h.repos.copy(space, to);
      expect(await h.repos.head(to)).toEqual(second);
      expect((await h.repos.readFile(to, first.commit, 'a.txt'))?.toString()).toBe('a\n');
      await h.commit(space, { 'a.txt': 'c\n' });
      expect(await h.repos.head(to)).toEqual(second);
      await expectCode(h.repos.copy(space, to), 'RepoExists');
      await expectCode(h.repos.copy(toSpaceId('nobody', 'none'), toSpaceId('bob', 'x')), 'RepoNotFound');
    });

    it('rejects invalid upstream URLs and branches before fetching', async () => {
      await h.repos.create(space);
      await expectCode(h.repos.fetchUpstream(space, { url: 'ext::sh -c id', branch: 'main' }), 'InvalidUpstream');
      await expectCode(h.repos.fetchUpstream(space, { url: 'https://example.com/a.git', branch: '--force' }), 'InvalidUpstream');
      expect(await h.repos.head(space)).toBeUndefined();
    });
  });
}
