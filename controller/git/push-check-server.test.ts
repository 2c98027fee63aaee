import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type SpaceId } from '../../core/index.js';
import { PushCheckServer, type PushCheckRequest, type PushVerdict } from './push-check-server.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'push-check-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const gitIn = (repo: string, args: string[], input?: string): string =>
  execFileSync('git', [`--git-dir=${repo}`, ...args], { input, env: { PATH: process.env.PATH, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } })
    .toString()
    .trim();

/** A bare repo holding one commit (README.md = `readme`) that no ref names yet: as a push's objects are before its refs move. */
function repoWithCommit(name: string, readme: string): { repo: string; commit: string } {
  const repo = path.join(tmp, `${name}.git`);
  execFileSync('git', ['init', '-q', '--bare', repo]);
  const blob = gitIn(repo, ['hash-object', '-w', '--stdin'], readme);
  const tree = gitIn(repo, ['mktree'], `100644 blob ${blob}\tREADME.md\n`);
  return { repo, commit: gitIn(repo, ['commit-tree', tree, '-m', 'c']) };
}

describe('PushCheckServer', () => {
  const servers: PushCheckServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  function start(check?: (p: PushCheckRequest) => PushVerdict | Promise<PushVerdict>, o: { requestTimeoutMs?: number } = {}): PushCheckServer {
    const s = new PushCheckServer(check, silentLogger(), o);
    servers.push(s);
    return s;
  }

  /** What the bash hook sends: the quarantine directory, then git's ref updates. */
  const post = (port: string, token: string | undefined, body: string, url = '/push-hook') =>
    fetch(`http://127.0.0.1:${port}${url}`, { method: 'POST', headers: { 'content-type': 'text/plain', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });

  it('judges a push handed over by its hook, in-process: README.md at the new main to the check, the rules\' lines and verdict back', async () => {
    const { repo, commit } = repoWithCommit('judge', '---\nsdk: bad\n---\n');
    const seen: PushCheckRequest[] = [];
    const s = start((p) => {
      seen.push(p);
      return { refusals: p.readme?.includes('bad') ? ['"sdk" is wrong.'] : [], missingLfs: [] };
    });
    const push = await s.open('alice/demo' as SpaceId, { repo, maxFileBytes: 1024 });
    const port = push.env.SPACEPORT_PUSH_HOOK_PORT!;
    const token = push.env.SPACEPORT_PUSH_CHECK_TOKEN!;
    expect(port).toMatch(/^\d+$/);
    const zero = '0'.repeat(40);
    const refused = await post(port, token, `\n${zero} ${commit} refs/heads/main\n`);
    expect(refused.status).toBe(200);
    expect(await refused.text()).toBe(
      [
        'refuse',
        'Your push was rejected because README.md has invalid metadata:',
        '  - "sdk" is wrong.',
        'Fix these fields in the YAML block at the top of README.md, commit, and push again.',
        'Reference: https://huggingface.co/docs/hub/spaces-config-reference',
        '',
      ].join('\n'),
    );
    expect(seen).toEqual([{ space: 'alice/demo', readme: '---\nsdk: bad\n---\n', pointers: [] }]);
    // Another branch: no README check; refs outside heads and tags are refused by the rules.
    expect(await (await post(port, token, `\n${zero} ${commit} refs/heads/dev\n`)).text()).toBe('ok\n');
    expect(await (await post(port, token, `\n${zero} ${commit} refs/notes/x\n`)).text()).toBe(
      'refuse\nOnly branches and tags can be pushed; "refs/notes/x" is not under refs/heads/ or refs/tags/.\n',
    );
    push.release();
    expect((await post(port, token, `\n${zero} ${commit} refs/heads/dev\n`)).status).toBe(404);
  });

  it('refuses requests without a live token, on other paths, and a quarantine directory that is not this repo\'s', async () => {
    const { repo, commit } = repoWithCommit('refuse', '---\nsdk: static\n---\n');
    const other = repoWithCommit('other', 'x');
    const s = start();
    const push = await s.open('alice/demo' as SpaceId, { repo, maxFileBytes: 1024 });
    const port = push.env.SPACEPORT_PUSH_HOOK_PORT!;
    const token = push.env.SPACEPORT_PUSH_CHECK_TOKEN!;
    const update = `${'0'.repeat(40)} ${commit} refs/heads/main\n`;
    expect((await post(port, undefined, `\n${update}`)).status).toBe(404);
    expect((await post(port, 'f'.repeat(48), `\n${update}`)).status).toBe(404);
    expect((await post(port, token, `\n${update}`, '/push-check')).status).toBe(404);
    const inOther = path.join(other.repo, 'objects', 'tmp_objdir-incoming-abc123');
    mkdirSync(inOther);
    const mine = path.join(repo, 'objects', 'tmp_objdir-incoming-abc123');
    mkdirSync(mine);
    for (const bad of [inOther, '/tmp/tmp_objdir-incoming-abc123', path.join(repo, 'objects', 'pack'), 'objects/tmp_objdir-incoming-abc123', `${mine}/../../..`, path.join(repo, 'objects', 'tmp_objdir-incoming-nothere')]) {
      const res = await post(port, token, `${bad}\n${update}`);
      expect(res.status, bad).toBe(400);
      expect(await res.text()).not.toContain(tmp); // never a path of ours in an answer
    }
    expect(await (await post(port, token, `${mine}\n${update}`)).text()).toBe('ok\n');
    push.release();
  });

  it('a check that throws lets the push through with a note (the build reports it), never our details', async () => {
    const { repo, commit } = repoWithCommit('throws', '---\nsdk: static\n---\n');
    const s = start(() => {
      throw new Error(`boom at ${repo}`);
    });
    const push = await s.open('alice/demo' as SpaceId, { repo, maxFileBytes: 1024 });
    const res = await post(push.env.SPACEPORT_PUSH_HOOK_PORT!, push.env.SPACEPORT_PUSH_CHECK_TOKEN!, `\n${'0'.repeat(40)} ${commit} refs/heads/main\n`);
    expect(await res.text()).toBe('ok\nNote: the push could not be checked (internal error); the build will check it.\n');
    push.release();
  });

  it('cuts off a client that stalls while sending its request (a deadline, not a held socket)', async () => {
    const { repo } = repoWithCommit('stall', '---\nsdk: static\n---\n');
    const s = start(undefined, { requestTimeoutMs: 300 });
    const push = await s.open('alice/demo' as SpaceId, { repo, maxFileBytes: 1024 });
    const socket = net.connect(Number(push.env.SPACEPORT_PUSH_HOOK_PORT), '127.0.0.1');
    await once(socket, 'connect');
    const t0 = performance.now();
    // A valid token, a body announced and never finished.
    socket.write(`POST /push-hook HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${push.env.SPACEPORT_PUSH_CHECK_TOKEN}\r\nContent-Length: 100\r\n\r\npartial`);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    await once(socket, 'close');
    expect(Buffer.concat(chunks).toString('latin1')).toMatch(/^HTTP\/1\.1 408 /);
    // Well within 10 s (Node's own default would hold it for 300 s).
    expect(performance.now() - t0).toBeLessThan(10_000);
    push.release();
  });
});
