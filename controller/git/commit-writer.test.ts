import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSpaceportError } from '../../core/index.js';
import { writeCommit, type CommitOp } from './commit-writer.js';
import { runGit } from './run-git.js';
import { listCommits, listTree, resolveRevision } from './tree-reader.js';

const author = { name: 'alice', email: 'alice@users.noreply.localhost' };
const add = (p: string, text: string): CommitOp => ({ kind: 'add', path: p, content: Buffer.from(text) });

describe('writeCommit (git plumbing, no work tree)', () => {
  let root: string;
  let gitDir: string;
  beforeEach(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'spaceport-commit-'));
    gitDir = path.join(root, 'repo.git');
    await runGit(['init', '--quiet', '--bare', '-b', 'main', gitDir]);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const files = async (rev = 'main') => {
    const commit = await resolveRevision(gitDir, rev);
    const out = await runGit(['ls-tree', '-r', '--name-only', commit], { gitDir });
    return out.stdout.toString().trim().split('\n').filter(Boolean);
  };
  const show = async (p: string) => (await runGit(['show', `main:${p}`], { gitDir })).stdout.toString();

  it('makes the first commit, then adds, replaces and deletes files and folders on top', async () => {
    const first = await writeCommit({ gitDir, branch: 'main', ops: [add('README.md', '# hi\n'), add('src/a.py', 'a'), add('src/b/c.py', 'c')], message: 'first', author });
    expect(first.parent).toBeUndefined();
    expect(await files()).toEqual(['README.md', 'src/a.py', 'src/b/c.py']);
    const second = await writeCommit({
      gitDir,
      branch: 'main',
      ops: [add('README.md', '# new\n'), { kind: 'deleteFolder', path: 'src/b' }, { kind: 'delete', path: 'src/a.py' }, add('x.txt', 'x')],
      message: 'second\n\nwith a body',
      author,
    });
    expect(second.parent).toBe(first.commit);
    expect(await files()).toEqual(['README.md', 'x.txt']);
    expect(await show('README.md')).toBe('# new\n');
    const log = await listCommits(gitDir, second.commit, { skip: 0, limit: 10 });
    expect(log.total).toBe(2);
    expect(log.commits[0]).toMatchObject({ id: second.commit, title: 'second', message: 'with a body', authors: [{ user: 'alice', email: author.email }] });
    // fsck: the objects written are well-formed
    await runGit(['fsck', '--strict'], { gitDir });
  });

  it('refuses a stale parentCommit with 412 and leaves the branch alone', async () => {
    const first = await writeCommit({ gitDir, branch: 'main', ops: [add('a', '1')], message: 'one', author });
    const second = await writeCommit({ gitDir, branch: 'main', ops: [add('a', '2')], message: 'two', author, parentCommit: first.commit });
    const err = await writeCommit({ gitDir, branch: 'main', ops: [add('a', '3')], message: 'three', author, parentCommit: first.commit }).catch((e: unknown) => e);
    expect(isSpaceportError(err, 'PreconditionFailed')).toBe(true);
    expect(await resolveRevision(gitDir, 'main')).toBe(second.commit);
  });

  it('serialises concurrent commits without a parentCommit (none is lost)', async () => {
    await writeCommit({ gitDir, branch: 'main', ops: [add('base', 'b')], message: 'base', author });
    await Promise.all(Array.from({ length: 4 }, (_, i) => writeCommit({ gitDir, branch: 'main', ops: [add(`f${i}`, String(i))], message: `c${i}`, author })));
    expect(await files()).toEqual(['base', 'f0', 'f1', 'f2', 'f3']);
  });

  it.each([
    ['a missing file', { kind: 'delete', path: 'nope' } as CommitOp, 'EntryNotFound'],
    ['a missing folder', { kind: 'deleteFolder', path: 'nope' } as CommitOp, 'EntryNotFound'],
    ['a path that climbs out', add('../x', 'x'), 'BadRequest'],
    ['an absolute path', add('/etc/x', 'x'), 'BadRequest'],
    ['a file under a file', add('a/b', 'x'), 'BadRequest'],
  ])('refuses %s', async (_what, op, code) => {
    const first = await writeCommit({ gitDir, branch: 'main', ops: [add('a', '1')], message: 'one', author });
    const err = await writeCommit({ gitDir, branch: 'main', ops: [op], message: 'bad', author }).catch((e: unknown) => e);
    expect(isSpaceportError(err, code as 'BadRequest'), String(err)).toBe(true);
    expect(await resolveRevision(gitDir, 'main')).toBe(first.commit);
  });

  it('lists trees with folders, and never lets a revision reach git as an option or expression', async () => {
    await writeCommit({ gitDir, branch: 'main', ops: [add('d/e/f.txt', 'f'), add('g.txt', 'g')], message: 'tree', author });
    const commit = await resolveRevision(gitDir, 'main');
    expect((await listTree(gitDir, commit)).map((e) => `${e.type}:${e.path}`)).toEqual(['directory:d', 'file:g.txt']);
    expect((await listTree(gitDir, commit, { recursive: true })).map((e) => e.path)).toEqual(['d', 'd/e', 'd/e/f.txt', 'g.txt']);
    expect((await listTree(gitDir, commit, { dir: 'd' })).map((e) => e.path)).toEqual(['d/e']);
    expect(await listTree(gitDir, commit, { dir: '*' })).toEqual([]); // a pattern is a literal name
    expect(await listTree(gitDir, commit, { dir: ':(glob)d' })).toEqual([]);
    for (const rev of ['main~1', 'main^', '--all', 'HEAD', '@{-1}', 'refs/../x', 'a'.repeat(39)]) {
      const err = await resolveRevision(gitDir, rev).catch((e: unknown) => e);
      expect(isSpaceportError(err, 'RevisionNotFound'), rev).toBe(true);
    }
  });
});
