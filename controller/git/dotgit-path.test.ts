import { describe, expect, it } from 'vitest';
import { dotgitProblem, isHfsDotgit, isNtfsDotgit } from './dotgit-path.js';
import { filePathProblem } from './cli-git-repos.js';

/** The table follows git's t/t1014-read-tree-confusing.sh and t/t7415-submodule-names.sh. */
describe('paths git refuses in a tree (verify_path, is_hfs_dotgit, is_ntfs_dotgit)', () => {
  const refused = [
    '.git', '.GIT', '.Git/config', 'a/.git/hooks/pre-commit', 'a/b/.git',
    '.git\u200c', '.g\u200cit', '\ufeff.git', '.gi\u200et/x', '.GI\u206at', // HFS+ ignorables
    'git~1', 'GIT~1/config', '.git.', '.git ', '.git. . .', '.git::$INDEX_ALLOCATION', '.git:stream', 'a/git~1',
  ];
  const allowed = ['.gitignore', '.gitattributes', '.gitmodules', 'git', '.github/workflows/ci.yml', 'my.git', '.git-x', 'git~2', 'a.git/b', '.gitx', '.g\u00efit'];

  it.each(refused)('refuses %j', (p) => {
    expect(dotgitProblem(p)).toMatch(/\.git/);
    expect(filePathProblem(p)).toBeDefined();
  });
  it.each(allowed)('allows %j', (p) => {
    expect(dotgitProblem(p)).toBeUndefined();
    expect(filePathProblem(p)).toBeUndefined();
  });
  it('keeps the older rules: empty, "." and ".." parts, backslashes, control characters', () => {
    for (const p of ['', 'a//b', './a', 'a/../b', '..', 'a\\.git', 'a\u0000b', '/abs', 'dir/']) expect(filePathProblem(p)).toBeDefined();
  });
  it('HFS and NTFS rules separately', () => {
    expect(isHfsDotgit('.gi\u200dt')).toBe(true);
    expect(isHfsDotgit('.git.')).toBe(false);
    expect(isNtfsDotgit('.git.')).toBe(true);
    expect(isNtfsDotgit('.gi\u200dt')).toBe(false);
  });
});
