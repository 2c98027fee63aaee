import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSpaceId, type SpaceId } from '../../core/index.js';
import http from 'node:http';
import { commitFiles, gitClient, initWork, makeTempDir, ok, pidsWithEnv, rawRequest, startGitServer, type GitClient, type GitServer } from './fixtures.js';

let tmp: string;
let srv: GitServer;
let git: GitClient;
let n = 0;

const fresh = (label: string): string => path.join(tmp, `${label}-${++n}`);

interface TestSpace {
  id: SpaceId;
  url(cred?: string): string;
}

/** A new public Space owned by alice; with `seed`, main has one commit. */
async function newSpace(name: string, seed = true): Promise<TestSpace> {
  const id = toSpaceId('alice', name);
  await srv.repos.create(id);
  srv.known.add(id);
  const url = (cred?: string): string => `http://${cred ? `${cred}@` : ''}127.0.0.1:${srv.port}/spaces/alice/${name}`;
  if (seed) {
    const work = await initWork(git, fresh(`seed-${name}`));
    await commitFiles(git, work, { 'README.md': '---\nsdk: static\n---\n' });
    ok(await git(['push', '--force', '-q', url('x:hf_write_alice'), 'main'], { cwd: work }));
  }
  return { id, url };
}

async function cloneOf(s: TestSpace, cred?: string): Promise<string> {
  const dir = fresh('clone');
  ok(await git(['clone', '-q', s.url(cred), dir]));
  return dir;
}

beforeAll(async () => {
  tmp = await makeTempDir();
  srv = await startGitServer(path.join(tmp, 'repos'));
  git = gitClient(tmp);
});

afterAll(async () => {
  await srv?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('git smart HTTP (stock git client against the handler)', () => {
  it('pushes with a write token as the Basic password (any username), then clones anonymously', async () => {
    const s = await newSpace('demo', false);
    const empty = await git(['clone', '-q', s.url(), fresh('empty')]);
    expect(empty.code, empty.stderr).toBe(0);
    const work = await initWork(git, fresh('work'));
    const commit = await commitFiles(git, work, { 'README.md': '---\nsdk: static\n---\n', 'index.html': '<p>hi</p>\n' });
    const push = await git(['push', '--force', s.url('whatever-user:hf_write_alice'), 'main'], { cwd: work });
    expect(push.code, push.stderr).toBe(0);
    expect(await srv.repos.head(s.id)).toMatchObject({ commit });
    expect(srv.pushes).toContainEqual({ space: s.id, user: 'alice' });

    const clone = fresh('clone');
    ok(await git(['clone', '-q', `${s.url()}.git`, clone]));
    expect(await fs.readFile(path.join(clone, 'index.html'), 'utf8')).toBe('<p>hi</p>\n');
    expect(srv.authorizeCalls).toContainEqual({ space: s.id, access: 'read' });
  });

  it('pushes with a Bearer token header', async () => {
    const s = await newSpace('bearer');
    const clone = await cloneOf(s);
    const commit = await commitFiles(git, clone, { 'app.txt': 'bearer\n' });
    const push = await git(['-c', 'http.extraHeader=Authorization: Bearer hf_write_alice', 'push', s.url(), 'main'], { cwd: clone });
    expect(push.code, push.stderr).toBe(0);
    expect((await srv.repos.head(s.id))?.commit).toBe(commit);
  });

  it('answers a push without credentials with 401 and WWW-Authenticate: Basic, and git fails', async () => {
    const s = await newSpace('anon');
    const clone = await cloneOf(s);
    const before = await srv.repos.head(s.id);
    const pushesBefore = srv.pushes.length;
    await commitFiles(git, clone, { 'anon.txt': 'x\n' });
    const push = await git(['push', '--force', s.url(), 'main'], { cwd: clone });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/could not read Username|Authentication failed/);
    expect(await srv.repos.head(s.id)).toEqual(before);
    expect(srv.pushes.length).toBe(pushesBefore);

    const res = await rawRequest(srv.port, { path: '/spaces/alice/anon/info/refs?service=git-receive-pack' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic realm="Spaceport"/);
    expect(res.headers['x-error-code']).toBe('Unauthorized');
  });

  it('answers a wrong token with 401', async () => {
    const s = await newSpace('wrong');
    const clone = await cloneOf(s);
    await commitFiles(git, clone, { 'wrong.txt': 'x\n' });
    const push = await git(['push', '--force', s.url('u:hf_not_a_token'), 'main'], { cwd: clone });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('Authentication failed');
    const res = await rawRequest(srv.port, {
      path: '/spaces/alice/wrong/info/refs?service=git-receive-pack',
      headers: { authorization: `Basic ${Buffer.from('u:hf_not_a_token').toString('base64')}` },
    });
    expect(res.status).toBe(401);
    expect(res.headers['x-error-code']).toBe('InvalidToken');
  });

  it('answers a read-only token with 403, and git prints the reason', async () => {
    const s = await newSpace('ro');
    const clone = await cloneOf(s, 'bob:hf_read_bob');
    const before = await srv.repos.head(s.id);
    await commitFiles(git, clone, { 'ro.txt': 'x\n' });
    const push = await git(['push', '--force', s.url('bob:hf_read_bob'), 'main'], { cwd: clone });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('remote: This token is read-only');
    expect(push.stderr).toContain('403');
    expect(await srv.repos.head(s.id)).toEqual(before);
    const res = await rawRequest(srv.port, {
      path: '/spaces/alice/ro/info/refs?service=git-receive-pack',
      headers: { authorization: 'Bearer hf_read_bob' },
    });
    expect(res.status).toBe(403);
    expect(res.headers['x-error-code']).toBe('ReadOnlyToken');
    expect(res.body).toContain('read-only');
  });

  it('rejects a push with a file over 10 MiB with the Hub message naming the file', async () => {
    const s = await newSpace('big');
    const clone = await cloneOf(s);
    const before = await srv.repos.head(s.id);
    const pushesBefore = srv.pushes.length;
    await commitFiles(git, clone, { 'models/big.bin': Buffer.alloc(11 * 1024 * 1024, 7), 'small.txt': 'ok\n' });
    const push = await git(['push', '--force', s.url('hf_user:hf_write_alice'), 'main'], { cwd: clone });
    expect(push.code).not.toBe(0);
    const lines = push.stderr.split('\n').map((l) => l.trimEnd());
    const at = lines.indexOf('remote: Your push was rejected because it contains files larger than 10 MiB.');
    expect(at, push.stderr).toBeGreaterThanOrEqual(0);
    expect(lines.slice(at, at + 4)).toEqual([
      'remote: Your push was rejected because it contains files larger than 10 MiB.',
      'remote: Please use https://git-lfs.github.com/ to store large files.',
      'remote: Offending files:',
      'remote:   - models/big.bin (ref: refs/heads/main)',
    ]);
    expect(push.stderr).toContain('! [remote rejected] main -> main (pre-receive hook declined)');
    expect(await srv.repos.head(s.id)).toEqual(before);
    // receive-pack ran (and answered 200 with the rejection inside), so the controller is told and re-reads the head.
    expect(srv.pushes.length).toBe(pushesBefore + 1);
  });

  it('accepts a file of exactly 10 MiB', async () => {
    const s = await newSpace('edge');
    const clone = await cloneOf(s);
    const commit = await commitFiles(git, clone, { 'edge.bin': Buffer.alloc(10 * 1024 * 1024, 1) });
    const push = await git(['push', '--force', s.url('x:hf_write_alice'), 'main'], { cwd: clone });
    expect(push.code, push.stderr).toBe(0);
    expect((await srv.repos.head(s.id))?.commit).toBe(commit);
  });

  it('clones with protocol v2', async () => {
    const s = await newSpace('v2');
    const clone = fresh('v2');
    const run = await git(['-c', 'protocol.version=2', 'clone', s.url(), clone], { env: { GIT_TRACE_PACKET: '1' } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/clone< version 2/);
    expect(srv.protocols).toContain('version=2');
    expect((await fs.stat(path.join(clone, 'README.md'))).isFile()).toBe(true);
  });

  it('allows other branches and tags (as the Hub does), refuses other refs and deleting main', async () => {
    const s = await newSpace('refs');
    const clone = await cloneOf(s);
    const auth = s.url('x:hf_write_alice');
    ok(await git(['checkout', '-q', '-b', 'dev'], { cwd: clone }));
    const dev = await commitFiles(git, clone, { 'dev.txt': 'dev\n' });
    expect((await git(['push', '--force', auth, 'dev'], { cwd: clone })).code).toBe(0);
    expect((await srv.repos.head(s.id, 'dev'))?.commit).toBe(dev);

    const mainBefore = await srv.repos.head(s.id);
    ok(await git(['tag', 'v1'], { cwd: clone }));
    ok(await git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'tag', '-a', '-m', 'release 2', 'v2'], { cwd: clone }));
    const tag = await git(['push', auth, 'v1', 'v2'], { cwd: clone });
    expect(tag.code, tag.stderr).toBe(0);
    const tags = await git(['ls-remote', '--tags', auth], { cwd: clone });
    expect(tags.stdout).toContain(`${dev}\trefs/tags/v1`);
    expect(tags.stdout).toContain(`${dev}\trefs/tags/v2^{}`);
    expect(await srv.repos.head(s.id)).toEqual(mainBefore);
    expect((await git(['push', auth, ':refs/tags/v1'], { cwd: clone })).code).toBe(0);

    const note = await git(['push', '--force', auth, 'HEAD:refs/notes/x'], { cwd: clone });
    expect(note.code).not.toBe(0);
    expect(note.stderr).toContain('remote: Only branches and tags can be pushed; "refs/notes/x" is not under refs/heads/ or refs/tags/.');

    const del = await git(['push', '--force', auth, ':main'], { cwd: clone });
    expect(del.code).not.toBe(0);
    expect(del.stderr).toMatch(/deletion of the current branch prohibited|The main branch cannot be deleted/);
    expect(await srv.repos.head(s.id)).toBeDefined();

    expect((await git(['push', '--force', auth, ':dev'], { cwd: clone })).code).toBe(0);
    expect(await srv.repos.head(s.id, 'dev')).toBeUndefined();
  });

  it('answers an unknown Space with 404 RepoNotFound', async () => {
    const res = await rawRequest(srv.port, { path: '/spaces/alice/nope/info/refs?service=git-upload-pack' });
    expect(res.status).toBe(404);
    expect(res.headers['x-error-code']).toBe('RepoNotFound');
    const clone = await git(['clone', `http://127.0.0.1:${srv.port}/spaces/alice/nope`, fresh('nope')]);
    expect(clone.code).not.toBe(0);
    expect(clone.stderr).toMatch(/not found/i);
  });

  it('answers a known Space whose repo is missing on disk with 404 RepoNotFound', async () => {
    srv.known.add('alice/ghost');
    const res = await rawRequest(srv.port, { path: '/spaces/alice/ghost/info/refs?service=git-upload-pack' });
    expect(res.status).toBe(404);
    expect(res.headers['x-error-code']).toBe('RepoNotFound');
  });

  it('refuses the dumb protocol, wrong methods and other URLs', async () => {
    await newSpace('dumb', false);
    const direct = { 'x-test-direct': '1' };
    const dumb = await rawRequest(srv.port, { path: '/spaces/alice/dumb/info/refs', headers: direct });
    expect(dumb.status).toBe(400);
    expect(dumb.body).toContain('smart HTTP');
    const get = await rawRequest(srv.port, { path: '/spaces/alice/dumb/git-upload-pack', headers: direct });
    expect(get.status).toBe(400);
    expect(get.body).toContain('Use POST');
    const other = await rawRequest(srv.port, { path: '/spaces/alice/dumb/resolve/main/info/refs', headers: direct });
    expect(other.status).toBe(404);
    expect(other.headers['x-error-code']).toBe('NotFound');
  });

  it('reinstalls a missing hook before a push (repos made by an older version or another process)', async () => {
    const s = await newSpace('rehook');
    await fs.rm(path.join(srv.repos.pathOf(s.id), 'hooks'), { recursive: true });
    const other = await startGitServer(srv.repos.root); // a new process's view of the same repos
    try {
      other.known.add(s.id);
      const clone = await cloneOf(s);
      await commitFiles(git, clone, { 'big.bin': Buffer.alloc(10 * 1024 * 1024 + 1, 2) });
      const push = await git(['push', '--force', `http://x:hf_write_alice@127.0.0.1:${other.port}/spaces/alice/rehook`, 'main'], { cwd: clone });
      expect(push.code).not.toBe(0);
      expect(push.stderr).toContain('remote:   - big.bin (ref: refs/heads/main)');
    } finally {
      await other.close();
    }
  });

  it('judges a push over HTTP in the handler\'s process: the hook is bash and starts no Node program', async () => {
    const s = await newSpace('nonode'); // its seed push installed the hooks
    const hooks = path.join(srv.repos.pathOf(s.id), 'hooks');
    expect(await fs.readlink(path.join(hooks, 'pre-receive'))).toBe('pre-receive.sh');
    // Without the Node hook (and its rules) in the repo, a push over HTTP is still judged: the bash
    // hook hands it to the handler's process. (A Node hook cost 150–250 ms of startup per push.)
    await fs.rm(path.join(hooks, 'pre-receive.mjs'));
    await fs.rm(path.join(hooks, 'push-rules.mjs'));
    const clone = await cloneOf(s);
    const before = await srv.repos.head(s.id);
    await commitFiles(git, clone, { 'big.bin': Buffer.alloc(10 * 1024 * 1024 + 1, 3) });
    const big = await git(['push', '--force', s.url('x:hf_write_alice'), 'main'], { cwd: clone });
    expect(big.code).not.toBe(0);
    expect(big.stderr).toContain('remote:   - big.bin (ref: refs/heads/main)');
    expect(await srv.repos.head(s.id)).toEqual(before);
    const note = await git(['push', '--force', s.url('x:hf_write_alice'), 'HEAD~1:refs/notes/x'], { cwd: clone });
    expect(note.stderr).toContain('remote: Only branches and tags can be pushed; "refs/notes/x" is not under refs/heads/ or refs/tags/.');
    ok(await git(['reset', '-q', '--hard', 'HEAD~1'], { cwd: clone }));
    const good = await commitFiles(git, clone, { 'small.txt': 'fine\n' });
    const push = await git(['push', '--force', s.url('x:hf_write_alice'), 'main'], { cwd: clone });
    expect(push.code, push.stderr).toBe(0);
    expect((await srv.repos.head(s.id))?.commit).toBe(good);
  });

  it('kills git http-backend and its children when the client goes away mid-request', async () => {
    await newSpace('abort');
    const marker = 'PATH_INFO=/alice/abort.git/git-upload-pack';
    const before = srv.handled.length;
    const req = http.request({
      host: '127.0.0.1',
      port: srv.port,
      method: 'POST',
      path: '/spaces/alice/abort/git-upload-pack',
      headers: { 'content-type': 'application/x-git-upload-pack-request', 'transfer-encoding': 'chunked' },
    });
    req.on('error', () => {});
    req.write('0032want '); // a request body that never ends
    let pids: number[] = [];
    for (let i = 0; i < 200 && pids.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      pids = await pidsWithEnv(marker);
    }
    expect(pids.length).toBeGreaterThan(0);
    req.destroy();
    await srv.handled[before]; // settles only once the backend has exited
    for (let i = 0; i < 200 && (await pidsWithEnv(marker)).length > 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await pidsWithEnv(marker)).toEqual([]);
  });
});
