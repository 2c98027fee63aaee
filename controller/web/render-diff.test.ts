import { describe, expect, it } from 'vitest';
import { parseDiff, type DiffStat } from '../git/index.js';
import { renderDiff } from './render-diff.js';

const PATCH = [
  'diff --git a/app.py b/app.py',
  'index 1111111..2222222 100644',
  '--- a/app.py',
  '+++ b/app.py',
  '@@ -1,3 +1,3 @@',
  ' import gradio as gr',
  '-print("old")',
  '+print("<new>")',
  ' gr.Interface()',
  'diff --git a/logo.png b/logo.png',
  'new file mode 100644',
  'index 0000000..3333333',
  'Binary files /dev/null and b/logo.png differ',
  'diff --git a/model.bin b/model.bin',
  'new file mode 100644',
  'index 0000000..4444444',
  '--- /dev/null',
  '+++ b/model.bin',
  '@@ -0,0 +1,3 @@',
  '+version https://git-lfs.github.com/spec/v1',
  '+oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393',
  '+size 12345678',
  'diff --git a/old.txt b/old.txt',
  'deleted file mode 100644',
  'index 5555555..0000000',
  '--- a/old.txt',
  '+++ /dev/null',
  '@@ -1 +0,0 @@',
  '-bye',
  '',
].join('\n');

const STATS: DiffStat[] = [
  { path: 'app.py', added: 1, removed: 1 },
  { path: 'logo.png', added: null, removed: null },
  { path: 'model.bin', added: 3, removed: 0 },
  { path: 'old.txt', added: 0, removed: 1 },
];

describe('commit diffs (parseDiff, renderDiff)', () => {
  it('parses files, hunks and line numbers; names binary and LFS files without a diff', () => {
    const files = parseDiff(PATCH, STATS, false);
    expect(files.map((f) => [f.path, f.change, f.kind])).toEqual([
      ['app.py', 'modified', 'text'],
      ['logo.png', 'added', 'binary'],
      ['model.bin', 'added', 'lfs'],
      ['old.txt', 'deleted', 'text'],
    ]);
    expect(files[0]!.hunks[0]!.lines).toEqual([
      { kind: 'ctx', old: 1, new: 1, text: 'import gradio as gr' },
      { kind: 'del', old: 2, text: 'print("old")' },
      { kind: 'add', new: 2, text: 'print("<new>")' },
      { kind: 'ctx', old: 3, new: 3, text: 'gr.Interface()' },
    ]);
    expect(files[2]!.hunks).toEqual([]);
    expect(files[2]!.lfsSize).toBe(12345678);
  });

  it('a cut patch: the last file read is marked cut, the files after it omitted', () => {
    const cut = PATCH.slice(0, PATCH.indexOf('+print'));
    const files = parseDiff(cut, STATS, true);
    expect(files[0]!.cut).toBe(true);
    expect(files.slice(1).map((f) => f.kind)).toEqual(['omitted', 'omitted', 'omitted']);
  });

  it('renders added and removed lines with a sign and words (not colour alone), escaped', () => {
    const out = renderDiff('alice/demo', parseDiff(PATCH, STATS, false)).value;
    expect(out).toContain('<tr class="add"><td class="ln"></td><td class="ln">2</td><td class="mark"><span aria-hidden="true">+</span><span class="sr">added</span></td>');
    expect(out).toContain('<span aria-hidden="true">-</span><span class="sr">removed</span>');
    expect(out).toContain('print(&quot;&lt;new&gt;&quot;)');
    expect(out).not.toContain('<new>');
    expect(out).toContain('Binary file: not shown.');
    expect(out).toContain('Stored with Git LFS (12 MB): not shown.');
    expect(out).not.toContain('oid sha256:');
    expect(out).toContain('href="/spaces/alice/demo/blob/main/app.py"');
    // A deleted file is named, not linked (it is not at main).
    expect(out).not.toContain('blob/main/old.txt');
  });

  it('caps big diffs with a note that says how much is left out', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `+line ${i}`);
    const patch = ['diff --git a/big.txt b/big.txt', '--- a/big.txt', '+++ b/big.txt', '@@ -0,0 +1,30 @@', ...lines].join('\n');
    const out = renderDiff('alice/demo', parseDiff(patch, [{ path: 'big.txt', added: 30, removed: 0 }], false), { maxLines: 100, maxLinesPerFile: 10 }).value;
    expect(out.match(/<tr class="add">/g)).toHaveLength(10);
    expect(out).toContain('20 more lines not shown: the diff is too large.');
    expect(out).toContain('href="/spaces/alice/demo/raw/main/big.txt"');
    const omitted = renderDiff('alice/demo', [{ path: 'x', change: 'modified', added: 1, removed: 1, kind: 'omitted', hunks: [] }]).value;
    expect(omitted).toContain("Not shown: this commit's diff is too large.");
  });
});
