import { expect, it } from 'vitest';
import { hidePaths } from './hide-paths.js';

it('hides absolute paths in any position, keeps URLs and relative paths', () => {
  expect(hidePaths('git --git-dir=/var/lib/spaceport/repos/alice/x.git commit-tree')).toBe('git --git-dir=… commit-tree');
  expect(hidePaths("fatal: could not open '/data/repos/a.git/objects/tmp' for writing")).toBe("fatal: could not open '…' for writing");
  expect(hidePaths('/tmp/x failed (/root/y)')).toBe('… failed (…)');
  expect(hidePaths("repository 'https://github.com/a/b/' not found")).toBe("repository 'https://github.com/a/b/' not found");
  expect(hidePaths('Invalid path "src/app.py": a/b')).toBe('Invalid path "src/app.py": a/b');
  expect(hidePaths('a / b')).toBe('a / b');
});
