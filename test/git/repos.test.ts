import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSpaceportError, toSpaceId, type SpaceId } from '../../core/index.js';
import { CliGitRepos } from '../../controller/git/index.js';
import { commitFiles, gitClient, initWork, makeTempDir, ok, type GitClient } from './fixtures.js';
import { runGitReposContract } from '../../controller/git/testing/git-repos-contract.js';

/** Commit `files` (the whole tree) in a working repo and push it to the bare repo's path. */
async function pushFiles(git: GitClient, work: string, bare: string, files: Record<string, string | Buffer>, branch = 'main', date?: Date) {
  const has = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { cwd: work });
  ok(await git(['checkout', '-q', ...(has.code === 0 ? [] : ['--orphan']), branch], { cwd: work }));
  ok(await git(['rm', '-rq', '--ignore-unmatch', '.'], { cwd: work }));
  await commitFiles(git, work, files, 'update', date);
  ok(await git(['push', '--force', '-q', bare, `${branch}:refs/heads/${branch}`], { cwd: work }));
  const commit = ok(await git(['rev-parse', 'HEAD'], { cwd: work })).stdout.trim();
  const tree = ok(await git(['rev-parse', 'HEAD^{tree}'], { cwd: work })).stdout.trim();
  return { commit, tree };
}

runGitReposContract('CliGitRepos', async () => {
  const tmp = await makeTempDir();
  const repos = new CliGitRepos({ root: path.join(tmp, 'repos') });
  const git = gitClient(tmp);
  const works = new Map<SpaceId, string>();
  return {
    repos,
    async commit(space, files, branch, date) {
      let work = works.get(space);
      if (!work) {
        work = await initWork(git, path.join(tmp, `work-${works.size}`));
        works.set(space, work);
      }
      return pushFiles(git, work, repos.pathOf(space), files, branch, date);
    },
    close: () => fs.rm(tmp, { recursive: true, force: true }),
  };
});

describe('CliGitRepos on disk', () => {
  let tmp: string;
  let repos: CliGitRepos;
  let git: GitClient;
  const space = toSpaceId('alice', 'disk');

  beforeAll(async () => {
    tmp = await makeTempDir();
    repos = new CliGitRepos({ root: path.join(tmp, 'repos') });
    git = gitClient(tmp);
    await repos.create(space);
  });
  afterAll(async () => {
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('lays out a bare repo at {root}/{owner}/{name}.git on main, push over HTTP on, with our hook', async () => {
    const repo = repos.pathOf(space);
    expect(repo).toBe(path.join(tmp, 'repos', 'alice', 'disk.git'));
    expect(ok(await git(['--git-dir', repo, 'rev-parse', '--is-bare-repository'])).stdout.trim()).toBe('true');
    expect(ok(await git(['--git-dir', repo, 'symbolic-ref', 'HEAD'])).stdout.trim()).toBe('refs/heads/main');
    expect(ok(await git(['--git-dir', repo, 'config', 'http.receivepack'])).stdout.trim()).toBe('true');
    const hook = path.join(repo, 'hooks', 'pre-receive');
    expect(await fs.readlink(hook)).toBe('pre-receive.sh');
    expect((await fs.stat(hook)).mode & 0o111).not.toBe(0);
    // The bash hook, and beside it the Node hook (local pushes) and the rules both apply.
    for (const [installed, file] of [[hook, 'pre-receive.sh'], [`${hook}.mjs`, 'pre-receive.mjs'], [path.join(repo, 'hooks', 'push-rules.mjs'), 'push-rules.mjs']] as const) {
      const source = await fs.readFile(new URL(`../../controller/git/hooks/${file}`, import.meta.url));
      expect(await fs.readFile(installed)).toEqual(source);
    }
    expect(await fs.readdir(path.join(tmp, 'repos', 'alice'))).toEqual(['disk.git']); // no temp dir left behind
  });

  it('keeps the executable bit and in-repo symlinks on export', async () => {
    const work = await initWork(git, path.join(tmp, 'w-exec'));
    await commitFiles(git, work, { 'run.sh': '#!/bin/sh\necho hi\n', 'data/a.txt': 'a\n' });
    await fs.chmod(path.join(work, 'run.sh'), 0o755);
    await fs.symlink('data/a.txt', path.join(work, 'link.txt'));
    await commitFiles(git, work, {});
    ok(await git(['push', '--force', '-q', repos.pathOf(space), 'main'], { cwd: work }));
    const head = await repos.head(space);
    const out = await makeTempDir('spaceport-export-');
    try {
      await repos.exportTree(space, head!.commit, out);
      expect((await fs.stat(path.join(out, 'run.sh'))).mode & 0o777).toBe(0o755);
      expect((await fs.stat(path.join(out, 'data/a.txt'))).mode & 0o777).toBe(0o644);
      expect(await fs.readlink(path.join(out, 'link.txt'))).toBe('data/a.txt');
      expect(await fs.readFile(path.join(out, 'link.txt'), 'utf8')).toBe('a\n');
      expect((await repos.listFiles(space, head!.commit)).sort()).toEqual(['data/a.txt', 'link.txt', 'run.sh']);
      expect(await repos.readFile(space, head!.commit, 'data')).toBeUndefined(); // a directory is not a file
    } finally {
      await fs.rm(out, { recursive: true, force: true });
    }
  });

  it('exports every file every time (regression: git stdout was discarded when git exited before being read)', async () => {
    const head = await repos.head(space);
    const expected = (await repos.listFiles(space, head!.commit)).length;
    for (let i = 0; i < 40; i++) {
      const out = await makeTempDir('spaceport-export-');
      try {
        await repos.exportTree(space, head!.commit, out);
        const files = (await fs.readdir(out, { recursive: true, withFileTypes: true })).filter((d) => !d.isDirectory());
        expect(files.length, `run ${i}`).toBe(expected);
      } finally {
        await fs.rm(out, { recursive: true, force: true });
      }
    }
  });

  it('applies the size hook to local pushes too, with the limit from SPACEPORT_GIT_MAX_FILE_BYTES', async () => {
    const work = await initWork(git, path.join(tmp, 'w-limit'));
    await commitFiles(git, work, { 'ok.txt': 'x'.repeat(1000), 'too-big.txt': 'y'.repeat(1001) });
    const push = await git(['push', '--force', repos.pathOf(space), 'main:refs/heads/limit'], {
      cwd: work,
      env: { SPACEPORT_GIT_MAX_FILE_BYTES: '1000' },
    });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('remote: Your push was rejected because it contains files larger than 1000 bytes.');
    expect(push.stderr).toContain('remote:   - too-big.txt (ref: refs/heads/limit)');
    expect(push.stderr).not.toContain('ok.txt');
    expect(await repos.head(space, 'limit')).toBeUndefined();
  });

  it('reads a branch head in one read of its ref, never a branch below its name', async () => {
    const work = await initWork(git, path.join(tmp, 'w-heads'));
    const commit = await commitFiles(git, work, { 'a.txt': 'a' });
    const tree = ok(await git(['rev-parse', 'HEAD^{tree}'], { cwd: work })).stdout.trim();
    const repo = repos.pathOf(space);
    ok(await git(['--git-dir', repo, 'fetch', '-q', work, `+HEAD:refs/heads/nested/x`]));
    expect(await repos.head(space, 'nested')).toBeUndefined(); // for-each-ref would also list nested/x
    expect(await repos.head(space, 'nested/x')).toEqual({ commit, tree });
  });

  it('refuses file paths that are not plain repo-relative paths', async () => {
    const head = await repos.head(space);
    for (const bad of ['../etc/passwd', '/etc/passwd', 'a/../b', './a', 'a//b', 'a/', '', 'a\0b', 'a\nb']) {
      const err = await repos.readFile(space, head!.commit, bad).then(() => undefined, (e: unknown) => e);
      expect(isSpaceportError(err, 'BadRequest'), bad).toBe(true);
    }
  });

  it('refuses commit ids that are not full object ids', async () => {
    for (const bad of ['main', 'HEAD', 'abc', '--output=/tmp/x', `${'a'.repeat(40)}:x`]) {
      const err = await repos.listFiles(space, bad).then(() => undefined, (e: unknown) => e);
      expect(isSpaceportError(err, 'RevisionNotFound'), bad).toBe(true);
    }
  });

  it('maps git failures to GitFailed with the command, exit code and stderr', async () => {
    const { runGit, GitCommandError } = await import('../../controller/git/index.js');
    const err = await runGit(['--git-dir', repos.pathOf(space), 'cat-file', '-p', 'nope']).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(GitCommandError);
    const e = err as InstanceType<typeof GitCommandError>;
    expect(e.code).toBe('GitFailed');
    expect(e.status).toBe(500);
    expect(e.exitCode).toBe(128);
    expect(e.command).toEqual(['--git-dir', repos.pathOf(space), 'cat-file', '-p', 'nope']);
    expect(e.stderr).toContain('Not a valid object name');
  });
});
