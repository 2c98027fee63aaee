import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diffPatch, diffStats, readCommit } from './commit-diff.js';
import { writeCommit, type CommitOp } from './commit-writer.js';
import { parseDiff } from './parse-diff.js';
import { runGit } from './run-git.js';
import { listCommits } from './tree-reader.js';

const author = { name: 'alice', email: 'alice@users.noreply.localhost' };
const add = (p: string, content: string | Buffer): CommitOp => ({ kind: 'add', path: p, content: Buffer.from(content) });

/** The commit page's git reads (stock git, a bare repo): a commit, its changed paths and its patch, a path's history. */
describe('commit pages from git (readCommit, diffStats, diffPatch, listCommits by path)', () => {
  let root: string;
  let gitDir: string;
  beforeEach(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'spaceport-diff-'));
    gitDir = path.join(root, 'repo.git');
    await runGit(['init', '--quiet', '--bare', '-b', 'main', gitDir]);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const commit = (ops: CommitOp[], message: string) => writeCommit({ gitDir, branch: 'main', ops, message, author });

  it('reads a commit by its full or short id, its message and parent; a bad or unknown id is undefined, never an error', async () => {
    const one = await commit([add('app.py', 'print(1)\n')], 'first');
    const two = await commit([add('app.py', 'print(2)\n')], 'second\n\nwith a body');
    const c = await readCommit(gitDir, two.commit.slice(0, 8), two.commit);
    expect(c).toMatchObject({ id: two.commit, parents: [one.commit], author, title: 'second', body: 'with a body' });
    expect((await readCommit(gitDir, one.commit, two.commit))?.parents).toEqual([]);
    for (const bad of ['HEAD', 'main', '--output=/tmp/x', 'HEAD~1', '0'.repeat(40), 'abc', `${one.commit}^`]) {
      expect(await readCommit(gitDir, bad, two.commit), bad).toBeUndefined();
    }
  });

  it('does not show a commit that the head does not reach (history rewritten)', async () => {
    const one = await commit([add('a.txt', 'a\n')], 'first');
    const two = await commit([add('a.txt', 'secret\n')], 'oops');
    await runGit(['update-ref', 'refs/heads/main', one.commit, two.commit], { gitDir });
    expect(await readCommit(gitDir, two.commit, one.commit)).toBeUndefined();
  });

  it('lists changed paths exactly, whatever their names, and cuts the patch at the byte cap', async () => {
    const one = await commit([add('a.txt', 'a\n')], 'first');
    const names = ['sp ace.txt', 'ünï.txt', 'paren (1).txt', 'quote".txt', 'bin.dat'];
    const two = await commit([...names.map((n) => add(n, n === 'bin.dat' ? Buffer.from([0, 1, 2]) : `${n}\n`)), add('a.txt', 'b\n')], 'second');
    const c = (await readCommit(gitDir, two.commit, two.commit))!;
    const stats = await diffStats(gitDir, c);
    expect(stats.map((s) => s.path).sort()).toEqual(['a.txt', ...names].sort());
    expect(stats.find((s) => s.path === 'bin.dat')).toMatchObject({ added: null, removed: null });
    const { patch, truncated } = await diffPatch(gitDir, c, 1024 * 1024);
    expect(truncated).toBe(false);
    const files = parseDiff(patch, stats, truncated);
    expect(files.find((f) => f.path === 'a.txt')!.hunks[0]!.lines.map((l) => `${l.kind}:${l.text}`)).toEqual(['del:a', 'add:b']);
    expect(files.find((f) => f.path === 'bin.dat')!.kind).toBe('binary');
    expect(files.find((f) => f.path === 'paren (1).txt')!.change).toBe('added');
    // The first commit's diff is against nothing: everything added.
    const first = (await readCommit(gitDir, one.commit, two.commit))!;
    expect(parseDiff((await diffPatch(gitDir, first, 4096)).patch, await diffStats(gitDir, first), false)[0]).toMatchObject({ path: 'a.txt', change: 'added' });
    // A patch over the cap is cut there.
    const big = await commit([add('big.txt', 'x'.repeat(200_000).replace(/x{99}/g, (m) => `${m}\n`))], 'big');
    const bigCommit = (await readCommit(gitDir, big.commit, big.commit))!;
    const cut = await diffPatch(gitDir, bigCommit, 10_000);
    expect(cut.truncated).toBe(true);
    expect(cut.patch.length).toBeLessThanOrEqual(10_000);
  });

  it('lists a path\'s history (a file, or a folder), literally (no glob)', async () => {
    await commit([add('src/a.py', '1'), add('b.txt', '1'), add('*', 'star')], 'first');
    await commit([add('src/a.py', '2')], 'second');
    const head = await commit([add('b.txt', '2')], 'third');
    const titles = async (p: string) => (await listCommits(gitDir, head.commit, { skip: 0, limit: 10, path: p })).commits.map((c) => c.title);
    expect(await titles('src/a.py')).toEqual(['second', 'first']);
    expect(await titles('src')).toEqual(['second', 'first']);
    expect(await titles('b.txt')).toEqual(['third', 'first']);
    expect(await titles('*')).toEqual(['first']);
    expect((await listCommits(gitDir, head.commit, { skip: 0, limit: 1, path: 'b.txt' })).total).toBe(2);
  });
});
