// Threat: a crafted URL, Space id, file path or archive entry reaches files outside the repos root
// (another Space's repo, the data dir, /etc) through `..`, encoded `..`, or symlinks.
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSpaceportError, toSpaceId, type SpaceId } from '../../core/index.js';
import { CliGitRepos, parseGitPath } from '../../controller/git/index.js';
import { extractTar } from '../../controller/git/extract-tar.js';
import { commitFiles, gitClient, initWork, makeTempDir, ok, rawRequest, startGitServer, type GitServer } from './fixtures.js';

let tmp: string;
let srv: GitServer;

beforeAll(async () => {
  tmp = await makeTempDir();
  srv = await startGitServer(path.join(tmp, 'data', 'repos'));
  const space = toSpaceId('alice', 'demo');
  await srv.repos.create(space);
  srv.known.add(space);
  // A bare repo just outside the root, which a traversal would expose.
  const git = gitClient(tmp);
  ok(await git(['init', '-q', '--bare', path.join(tmp, 'data', 'secret.git')]));
  const work = await initWork(git, path.join(tmp, 'w'));
  await commitFiles(git, work, { 'secret.txt': 'top secret\n' });
  ok(await git(['push', '--force', '-q', path.join(tmp, 'data', 'secret.git'), 'main'], { cwd: work }));
});

afterAll(async () => {
  await srv?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('git HTTP paths', () => {
  const hostile = [
    '/spaces/../x/info/refs?service=git-upload-pack',
    '/spaces/../secret/info/refs?service=git-upload-pack',
    '/spaces/alice/../info/refs?service=git-upload-pack',
    '/spaces/%2e%2e/secret/info/refs?service=git-upload-pack',
    '/spaces/%2E%2E/secret.git/info/refs?service=git-upload-pack',
    '/spaces/alice/%2e%2e%2f%2e%2e%2fsecret/info/refs?service=git-upload-pack',
    '/spaces/alice/..%2Fsecret/info/refs?service=git-upload-pack',
    '/spaces/alice/a..b/info/refs?service=git-upload-pack',
    '/spaces/alice/..secret/info/refs?service=git-upload-pack',
    '/spaces/alice/demo%00/info/refs?service=git-upload-pack',
    '/spaces/alice/de%5cmo/info/refs?service=git-upload-pack',
    '/spaces/al%ice/demo/info/refs?service=git-upload-pack',
    '/spaces/alice/.git/info/refs?service=git-upload-pack',
    '/spaces/-alice/demo/info/refs?service=git-upload-pack',
  ];

  for (const url of hostile) {
    it(`refuses ${url} with 400 InvalidName before authorising`, async () => {
      const calls = srv.authorizeCalls.length;
      const res = await rawRequest(srv.port, { path: url });
      expect(res.status).toBe(400);
      expect(res.headers['x-error-code']).toBe('InvalidName');
      expect(res.body).not.toContain('refs/heads');
      expect(srv.authorizeCalls.length).toBe(calls);
      expect(() => parseGitPath(url)).toThrow(expect.objectContaining({ code: 'InvalidName' }));
    });
  }

  it('does not treat extra segments as a git request at all', async () => {
    for (const url of [
      '/spaces/alice/demo/../../secret/info/refs?service=git-upload-pack',
      '/spaces/a/b/c/info/refs?service=git-upload-pack',
      '/spaces//demo/x/info/refs?service=git-upload-pack',
    ]) {
      expect(parseGitPath(url), url).toBeUndefined();
      const res = await rawRequest(srv.port, { path: url, headers: { 'x-test-direct': '1' } });
      expect(res.status, url).toBe(404);
    }
  });

  it('serves the legitimate repo (control)', async () => {
    const res = await rawRequest(srv.port, { path: '/spaces/alice/demo/info/refs?service=git-upload-pack' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-git-upload-pack-advertisement');
  });
});

describe('CliGitRepos paths', () => {
  it('refuses Space ids cast from unchecked strings', () => {
    for (const id of ['../x', 'alice/../../etc', 'alice/..', '../../secret', 'alice/a/b', '/abs/x', 'alice/.git', 'alice/x\0']) {
      expect(() => srv.repos.pathOf(id as SpaceId), id).toThrow(expect.objectContaining({ code: 'InvalidName' }));
    }
  });

  it('keeps every repo inside the root', () => {
    const p = srv.repos.pathOf(toSpaceId('alice', 'demo'));
    expect(p.startsWith(srv.repos.root + path.sep)).toBe(true);
  });

  it('refuses file paths that climb out of the tree', async () => {
    const repos = new CliGitRepos({ root: path.join(tmp, 'files') });
    const space = toSpaceId('alice', 'files');
    await repos.create(space);
    const git = gitClient(tmp);
    const work = await initWork(git, path.join(tmp, 'w-files'));
    await commitFiles(git, work, { 'a.txt': 'a\n' });
    ok(await git(['push', '--force', '-q', repos.pathOf(space), 'main'], { cwd: work }));
    const head = (await repos.head(space))!;
    for (const file of ['../secret.git/HEAD', '../../etc/passwd', '/etc/passwd', 'x/../../a.txt', '..']) {
      const err = await repos.readFile(space, head.commit, file).then(() => undefined, (e: unknown) => e);
      expect(isSpaceportError(err, 'BadRequest'), file).toBe(true);
    }
  });
});

describe('exportTree extraction', () => {
  type Entry = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; linkname?: string; content?: string };

  function tarOf(entries: Entry[]): Readable {
    const pack = tar.pack();
    for (const e of entries) {
      if (e.type === 'symlink' || e.type === 'link') pack.entry({ name: e.name, type: e.type, linkname: e.linkname ?? '' });
      else if (e.type === 'directory') pack.entry({ name: e.name, type: 'directory' });
      else pack.entry({ name: e.name, mode: 0o644 }, e.content ?? 'x');
    }
    pack.finalize();
    return Readable.from(pack);
  }

  async function extractInto(entries: Entry[]): Promise<{ err: unknown; base: string; dir: string }> {
    const base = await makeTempDir('spaceport-extract-');
    const dir = path.join(base, 'out');
    await fs.mkdir(dir);
    const err = await extractTar(tarOf(entries), dir).then(() => undefined, (e: unknown) => e);
    return { err, base, dir };
  }

  const cases: [string, Entry[]][] = [
    ['a ../ entry', [{ name: '../evil.txt' }]],
    ['a nested ../ entry', [{ name: 'a/../../evil.txt' }]],
    ['an absolute entry', [{ name: '/tmp/spaceport-evil.txt' }]],
    ['a symlink to an absolute path', [{ name: 'link', type: 'symlink', linkname: '/etc' }]],
    ['a symlink climbing out', [{ name: 'link', type: 'symlink', linkname: '../' }]],
    ['a file written through a symlinked directory', [{ name: 'd', type: 'directory' }, { name: 'link', type: 'symlink', linkname: 'd' }, { name: 'link/evil.txt' }]],
    [
      'a chain of symlinks that escapes only when resolved',
      [
        { name: 'a/b/c/s', type: 'symlink', linkname: '../../x' },
        { name: 'a/x', type: 'directory' },
        { name: 'a/b/c/y', type: 'symlink', linkname: 's/../../..' },
      ],
    ],
    ['a file over an existing symlink', [{ name: 'f', type: 'symlink', linkname: 'g' }, { name: 'f', content: 'through the link' }]],
    ['a hard link to a file outside', [{ name: 'passwd', type: 'link', linkname: '../../../../etc/passwd' }]],
    ['a hard link to an absolute path', [{ name: 'passwd', type: 'link', linkname: '/etc/passwd' }]],
    ['a hard link to a symlink (that points out once resolved)', [{ name: 's', type: 'symlink', linkname: 'g' }, { name: 'h', type: 'link', linkname: 's' }]],
    ['a hard link through a symlinked directory', [{ name: 'd/f' }, { name: 'l', type: 'symlink', linkname: 'd' }, { name: 'h', type: 'link', linkname: 'l/f' }]],
    ['a hard link to a name not given before it', [{ name: 'h', type: 'link', linkname: 'later' }, { name: 'later' }]],
    ['a hard link over an existing file', [{ name: 'a' }, { name: 'b' }, { name: 'b', type: 'link', linkname: 'a' }]],
  ];

  for (const [label, entries] of cases) {
    it(`refuses ${label} and writes nothing outside`, async () => {
      const { err, base, dir } = await extractInto(entries);
      try {
        expect(isSpaceportError(err, 'InvalidConfig'), String(err)).toBe(true);
        expect((await fs.readdir(base)).sort()).toEqual(['out']);
        await expect(fs.stat('/tmp/spaceport-evil.txt')).rejects.toThrow(/ENOENT/);
        await expect(fs.stat(path.join(dir, 'g'))).rejects.toThrow(/ENOENT/);
      } finally {
        await fs.rm(base, { recursive: true, force: true });
      }
    });
  }

  it('extracts ordinary entries and in-tree symlinks (control)', async () => {
    const { err, base, dir } = await extractInto([
      { name: 'app/', type: 'directory' },
      { name: 'app/main.py', content: 'print(1)\n' },
      { name: 'app/link.py', type: 'symlink', linkname: 'main.py' },
    ]);
    try {
      expect(err).toBeUndefined();
      expect(await fs.readFile(path.join(dir, 'app/link.py'), 'utf8')).toBe('print(1)\n');
    } finally {
      await fs.rm(base, { recursive: true, force: true });
    }
  });

  it("extracts a hard link (an engine's archive gives a file's second name so) as a file of its own", async () => {
    const { err, base, dir } = await extractInto([
      { name: 'site/', type: 'directory' },
      { name: 'site/index.html', content: '<h1>one</h1>\n' },
      { name: 'site/copy/index.html', type: 'link', linkname: 'site/index.html' },
    ]);
    try {
      expect(err).toBeUndefined();
      expect(await fs.readFile(path.join(dir, 'site/copy/index.html'), 'utf8')).toBe('<h1>one</h1>\n');
      // Each name is a file of its own: writing one leaves the other as it was.
      await fs.writeFile(path.join(dir, 'site/copy/index.html'), 'changed');
      expect(await fs.readFile(path.join(dir, 'site/index.html'), 'utf8')).toBe('<h1>one</h1>\n');
    } finally {
      await fs.rm(base, { recursive: true, force: true });
    }
  });
});
