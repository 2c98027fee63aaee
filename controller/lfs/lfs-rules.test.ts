import { describe, expect, it } from 'vitest';
import { clientUsesXet, ignoredBy, shouldUseLfs, trackedByLfs } from './lfs-rules.js';

describe('which files go to LFS', () => {
  const attrs = '*.bin filter=lfs diff=lfs merge=lfs -text\nmodels/** filter=lfs\n/top.dat filter=lfs\nkeep.bin -filter\n';
  it('follows .gitattributes patterns (the last match wins)', () => {
    expect(trackedByLfs('a.bin', attrs)).toBe(true);
    expect(trackedByLfs('deep/dir/a.bin', attrs)).toBe(true);
    expect(trackedByLfs('models/x/y.txt', attrs)).toBe(true);
    expect(trackedByLfs('top.dat', attrs)).toBe(true);
    expect(trackedByLfs('sub/top.dat', attrs)).toBe(false);
    expect(trackedByLfs('keep.bin', attrs)).toBe(false);
    expect(trackedByLfs('a.txt', attrs)).toBe(false);
  });
  it('sends large and binary files to LFS, never empty ones', () => {
    expect(shouldUseLfs({ path: 'a.txt', size: 11 * 1024 * 1024, sample: Buffer.from('aaa') }, undefined)).toBe(true);
    expect(shouldUseLfs({ path: 'a.txt', size: 4, sample: Buffer.from([1, 0, 2, 3]) }, undefined)).toBe(true);
    expect(shouldUseLfs({ path: 'a.txt', size: 4, sample: Buffer.from('text') }, undefined)).toBe(false);
    expect(shouldUseLfs({ path: 'a.bin', size: 0, sample: Buffer.alloc(0) }, attrs)).toBe(false);
  });
  it('knows which huggingface_hub versions upload through Xet', () => {
    expect(clientUsesXet('unknown/None; hf_hub/2.4.0; python/3.11.7')).toBe(true);
    expect(clientUsesXet('unknown/None; hf_hub/1.33.0; python/3.11.7')).toBe(true);
    expect(clientUsesXet('unknown/None; hf_hub/0.32.0; python/3.11.7')).toBe(true);
    expect(clientUsesXet('unknown/None; hf_hub/0.31.4; python/3.11.7')).toBe(false);
    expect(clientUsesXet('git-lfs/3.3.0')).toBe(false);
    expect(clientUsesXet(undefined)).toBe(false);
  });
});

describe('.gitignore (preupload shouldIgnore)', () => {
  const ignore = '# comment\n*.log\nbuild/\n/secret.txt\n!keep.log\ncache\n';
  it.each([
    ['debug.log', true],
    ['a/b/debug.log', true],
    ['keep.log', false],
    ['build/out.js', true],
    ['build', false],
    ['src/build/x', true],
    ['secret.txt', true],
    ['a/secret.txt', false],
    ['cache/x', true],
    ['a/cache', true],
    ['app.py', false],
  ])('%s → %s', (p, want) => {
    expect(ignoredBy(p, ignore)).toBe(want);
  });
});
