import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSpaceportError, toSpaceId } from '../../core/index.js';
import { CliGitRepos } from '../../controller/git/index.js';
import { commitFiles, gitClient, initWork, makeTempDir, ok, startGitServer, type GitClient, type GitServer } from './fixtures.js';

// Pull mode: the upstream is a second Spaceport-style git server on loopback (anonymous reads).
let tmp: string;
let upstream: GitServer;
let git: GitClient;
let work: string;
const src = toSpaceId('up', 'src');

async function failure(p: Promise<unknown>) {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

beforeAll(async () => {
  tmp = await makeTempDir();
  upstream = await startGitServer(path.join(tmp, 'upstream'));
  await upstream.repos.create(src);
  upstream.known.add(src);
  git = gitClient(tmp);
  work = await initWork(git, path.join(tmp, 'work'));
  await commitFiles(git, work, { 'README.md': '---\nsdk: gradio\n---\n', 'app.py': 'print("v1")\n' });
  ok(await git(['push', '--force', '-q', upstream.repos.pathOf(src), 'main'], { cwd: work }));
  ok(await git(['checkout', '-q', '-b', 'release'], { cwd: work }));
  await commitFiles(git, work, { 'app.py': 'print("release")\n' });
  ok(await git(['push', '--force', '-q', upstream.repos.pathOf(src), 'release'], { cwd: work }));
  ok(await git(['checkout', '-q', 'main'], { cwd: work }));
});

afterAll(async () => {
  await upstream?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('fetchUpstream', () => {
  const space = toSpaceId('alice', 'mirror');

  it('fetches a branch from an http upstream on loopback into main and returns the new head', async () => {
    const repos = new CliGitRepos({ root: path.join(tmp, 'allowed'), allowLoopbackUpstreams: true });
    await repos.create(space);
    const url = `${upstream.url}/spaces/up/src`;
    const head = await repos.fetchUpstream(space, { url, branch: 'main' });
    const expected = await upstream.repos.head(src);
    expect(head).toEqual(expected);
    expect(await repos.head(space)).toEqual(expected);
    expect((await repos.readFile(space, head.commit, 'app.py'))?.toString()).toBe('print("v1")\n');

    // Another upstream branch replaces main, even when it is not a fast-forward of it.
    const release = await repos.fetchUpstream(space, { url: `${url}.git`, branch: 'release' });
    expect(release).toEqual(await upstream.repos.head(src, 'release'));
    expect((await repos.readFile(space, release.commit, 'app.py'))?.toString()).toBe('print("release")\n');
    const back = await repos.fetchUpstream(space, { url, branch: 'main' });
    expect(back).toEqual(expected);
    // Only main is written: no remote-tracking refs, no tags, no FETCH_HEAD.
    const refs = ok(await git(['--git-dir', repos.pathOf(space), 'for-each-ref', '--format=%(refname)'])).stdout.trim();
    expect(refs).toBe('refs/heads/main');
  });

  it('accepts credentials in the URL and keeps them out of error messages', async () => {
    const repos = new CliGitRepos({ root: path.join(tmp, 'creds'), allowLoopbackUpstreams: true });
    await repos.create(space);
    const head = await repos.fetchUpstream(space, { url: `http://user:s3cret-token@127.0.0.1:${upstream.port}/spaces/up/src`, branch: 'main' });
    expect(head).toEqual(await upstream.repos.head(src));

    const err = await failure(
      repos.fetchUpstream(space, { url: `http://user:s3cret-token@127.0.0.1:${upstream.port}/spaces/up/src`, branch: 'no-such-branch' }),
    );
    expect(isSpaceportError(err, 'UpstreamFetchFailed')).toBe(true);
    const e = err as Error & { status: number; cause: Error & { command: string[]; stderr: string } };
    expect(e.status).toBe(502);
    expect(e.message).toContain("couldn't find remote ref refs/heads/no-such-branch");
    for (const text of [e.message, e.cause.message, e.cause.stderr, e.cause.command.join(' '), JSON.stringify(e.cause)]) {
      expect(text).not.toContain('s3cret-token');
    }
  });

  it('reports an unreachable or missing upstream as UpstreamFetchFailed (502)', async () => {
    const repos = new CliGitRepos({ root: path.join(tmp, 'missing'), allowLoopbackUpstreams: true });
    await repos.create(space);
    const notFound = await failure(repos.fetchUpstream(space, { url: `${upstream.url}/spaces/up/nothing`, branch: 'main' }));
    expect(isSpaceportError(notFound, 'UpstreamFetchFailed')).toBe(true);
    expect(await repos.head(space)).toBeUndefined();
  });

  it('stops a fetch that takes longer than the timeout', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent = http.createServer(() => {
      /* never answers */
    });
    silent.on('connection', (s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const repos = new CliGitRepos({ root: path.join(tmp, 'slow'), allowLoopbackUpstreams: true, upstreamTimeoutMs: 1000 });
      await repos.create(space);
      const port = (silent.address() as AddressInfo).port;
      const err = await failure(repos.fetchUpstream(space, { url: `http://127.0.0.1:${port}/x.git`, branch: 'main' }));
      expect(isSpaceportError(err, 'UpstreamFetchFailed')).toBe(true);
      expect((err as Error).message).toContain('timed out');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses http:// on loopback unless allowed, without contacting it', async () => {
    const repos = new CliGitRepos({ root: path.join(tmp, 'strict') });
    await repos.create(space);
    const before = upstream.requests.length;
    const err = await failure(repos.fetchUpstream(space, { url: `${upstream.url}/spaces/up/src`, branch: 'main' }));
    expect(isSpaceportError(err, 'InvalidUpstream')).toBe(true);
    expect((err as { status: number }).status).toBe(400);
    expect(upstream.requests.length).toBe(before);
    expect(await repos.head(space)).toBeUndefined();
  });

  it('fails with RepoNotFound when the Space has no repo', async () => {
    const repos = new CliGitRepos({ root: path.join(tmp, 'none'), allowLoopbackUpstreams: true });
    const err = await failure(repos.fetchUpstream(space, { url: `${upstream.url}/spaces/up/src`, branch: 'main' }));
    expect(isSpaceportError(err, 'RepoNotFound')).toBe(true);
  });
});
