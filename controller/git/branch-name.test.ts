import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { branchNameProblem, validateBranchName } from './branch-name.js';

const samples = [
  'main', 'dev', 'feature/login', 'release-1.2', 'v1.0/rc.1', 'a_b', 'x+y', 'ünïcode', 'a@b', 'a{b}', 'a.b',
  '--foo', '-x', 'main..x', '..', 'a@{1}', '@{-1}', '@', 'a b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[b', 'a\\b',
  '.hidden', 'a/.b', 'a.lock', 'a/b.lock', 'a/', '/a', 'a//b', 'a.', 'a\tb', 'a\x7fb',
];

describe('branchNameProblem', () => {
  it('agrees with `git check-ref-format --branch`, and also refuses a leading "-", "@" and "HEAD"', () => {
    expect(branchNameProblem('@')).toBeDefined(); // git expands it to the current branch
    expect(branchNameProblem('HEAD')).toBeDefined();
    for (const name of samples) {
      // Outside any repo, so `@{-1}` cannot expand to a previous branch.
      const git = spawnSync('git', ['check-ref-format', '--branch', name], {
        encoding: 'utf8',
        cwd: os.tmpdir(),
        env: { PATH: process.env.PATH, GIT_CEILING_DIRECTORIES: os.tmpdir() },
      });
      const gitAccepts = git.status === 0 && !name.startsWith('-') && name !== '@';
      expect(branchNameProblem(name) === undefined, name).toBe(gitAccepts);
    }
  });

  it('explains the rule that fails', () => {
    expect(branchNameProblem('main..x')).toBe('must not contain ".."');
    expect(branchNameProblem('--foo')).toBe('must not start with "-"');
    expect(branchNameProblem('a@{1}')).toBe('must not contain "@{"');
    expect(branchNameProblem('x'.repeat(256))).toMatch(/at most 255/);
  });

  it('validateBranchName returns the name or throws InvalidUpstream', () => {
    expect(validateBranchName('main')).toBe('main');
    expect(() => validateBranchName('a b')).toThrow(expect.objectContaining({ code: 'InvalidUpstream', status: 400 }));
  });
});
