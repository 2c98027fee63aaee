import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { dotgitProblem } from '../../controller/git/dotgit-path.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * The commit API never writes a tree `git fsck` flags (issue 15: it stored `.git\u200c`, and dropped
 * `.git/…` paths while answering 200): such paths are a 400, and the repo stays fsck-clean. The pure
 * rule (controller/git/dotgit-path.ts) is checked against stock git's own fsck, path by path.
 */
const REFUSED = ['.git/config', '.GIT/hooks/post-update', 'a/.git/x', '.git\u200c', '\ufeff.git', '.g\u200dit/x', 'git~1/config', '.git.', '.git ', '.git::$INDEX_ALLOCATION/x'];
const ALLOWED = ['.gitignore', 'git~2', '.github/x.yml', 'a.git/b', '.gitx'];

const ndjson = (...lines: unknown[]) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
const header = { key: 'header', value: { summary: 'paths' } };
const file = (p: string) => ({ key: 'file', value: { path: p, content: Buffer.from('x\n').toString('base64'), encoding: 'base64' } });
const git = (gitDir: string, args: string[], input?: string) => execFileSync('git', [`--git-dir=${gitDir}`, ...args], { input, env: { ...process.env, LC_ALL: 'C' }, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
/** What `git fsck` says about one tree entry named `name`. */
function fsckFlags(name: string, dir: string): boolean {
  fs.rmSync(dir, { recursive: true, force: true });
  execFileSync('git', ['init', '-q', '--bare', dir]);
  const blob = git(dir, ['hash-object', '-w', '--stdin'], 'x\n').trim();
  const tree = git(dir, ['mktree', '-z'], `100644 blob ${blob}\t${name}\0`).trim();
  git(dir, ['update-ref', 'refs/heads/main', git(dir, ['commit-tree', '-m', 'x', tree]).trim()]);
  const r = spawnSync('git', [`--git-dir=${dir}`, 'fsck'], { encoding: 'utf8' });
  return /hasDotgit/.test(r.stdout + r.stderr);
}

describe('commit API paths that git refuses', () => {
  let h: Harness;
  let tmp: string;
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spaceport-dotgit-'));
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    expect((await h.api('POST', '/api/repos/create', { name: 'pub', type: 'space', sdk: 'static' })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it.each(REFUSED)('refuses %j with 400 and leaves the repo fsck-clean', async (p) => {
    const r = await h.api('POST', '/api/spaces/admin/pub/commit/main', ndjson(header, file('README.md'), file(p)));
    expect(r.status, r.body).toBe(400);
    expect(r.headers['x-error-code']).toBe('BadRequest');
    const gitDir = path.join(h.dataDir, 'repos', 'admin', 'pub.git');
    const fsck = spawnSync('git', [`--git-dir=${gitDir}`, 'fsck', '--no-dangling'], { encoding: 'utf8' });
    expect(fsck.status).toBe(0);
    expect(fsck.stdout + fsck.stderr).not.toMatch(/hasDot|warning|error/);
  });

  it('the pure rule agrees with stock git fsck on each name', () => {
    for (const p of [...REFUSED, ...ALLOWED]) {
      const first = p.split('/')[0]!;
      expect({ name: first, refused: dotgitProblem(first) !== undefined }).toEqual({ name: first, refused: fsckFlags(first, path.join(tmp, 'fsck')) });
    }
  });
});
