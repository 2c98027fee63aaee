import type { DiffStat } from './commit-diff.js';

export interface DiffLine {
  kind: 'add' | 'del' | 'ctx';
  /** Line number in the old file (context and removed lines). */
  old?: number;
  /** Line number in the new file (context and added lines). */
  new?: number;
  text: string;
}

export interface DiffHunk {
  /** `@@ -12,7 +12,8 @@ def main():` */
  header: string;
  lines: DiffLine[];
}

/**
 * One changed path. `kind`: `text` with hunks; `binary` and `lfs` (a Git LFS pointer: the object
 * changed) are named, not diffed; `omitted` when the patch was cut before this file.
 */
export interface FileDiff {
  path: string;
  change: 'added' | 'deleted' | 'modified';
  added: number | null;
  removed: number | null;
  kind: 'text' | 'binary' | 'lfs' | 'omitted';
  hunks: DiffHunk[];
  /** The LFS object's size (from the pointer). */
  lfsSize?: number;
  /** The patch was cut inside this file: its last hunk is incomplete. */
  cut?: boolean;
}

const LFS_VERSION = 'version https://git-lfs.github.com/spec/';
const HUNK_RE = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** The patch split at each `diff --git` line (content lines never start so: they start with ' ', '+', '-' or '\'). */
function splitFiles(patch: string): string[][] {
  const parts: string[][] = [];
  for (const line of patch.split('\n')) {
    if (line.startsWith('diff --git ')) parts.push([]);
    else parts[parts.length - 1]?.push(line);
  }
  return parts;
}

/**
 * A commit's files as the commit page shows them, from `diff-tree --numstat -z` (the paths, read
 * back exactly) and `diff-tree -p` (the hunks; both list files in the same order). Pure.
 */
export function parseDiff(patch: string, stats: readonly DiffStat[], truncated: boolean): FileDiff[] {
  const parts = splitFiles(patch);
  return stats.map((s, i): FileDiff => {
    const base: FileDiff = { path: s.path, change: 'modified', added: s.added, removed: s.removed, kind: 'text', hunks: [] };
    const lines = parts[i];
    if (!lines) return { ...base, kind: truncated ? 'omitted' : 'text' };
    let hunk: DiffHunk | undefined;
    let oldNo = 0;
    let newNo = 0;
    let binary = s.added === null;
    for (const line of lines) {
      if (!hunk) {
        if (line.startsWith('new file mode')) base.change = 'added';
        else if (line.startsWith('deleted file mode')) base.change = 'deleted';
        else if (line.startsWith('Binary files ') || line === 'GIT binary patch') binary = true;
      }
      const h = HUNK_RE.exec(line);
      if (h) {
        hunk = { header: line, lines: [] };
        base.hunks.push(hunk);
        oldNo = Number(h[1]);
        newNo = Number(h[2]);
        continue;
      }
      if (!hunk) continue;
      const mark = line[0];
      const text = line.slice(1);
      if (mark === '+') hunk.lines.push({ kind: 'add', new: newNo++, text });
      else if (mark === '-') hunk.lines.push({ kind: 'del', old: oldNo++, text });
      else if (mark === ' ') hunk.lines.push({ kind: 'ctx', old: oldNo++, new: newNo++, text });
    }
    if (binary) return { ...base, kind: 'binary', hunks: [] };
    const changed = base.hunks.flatMap((x) => x.lines).filter((l) => l.kind !== 'ctx');
    if (changed.some((l) => l.text.startsWith(LFS_VERSION))) {
      const sizeLine = changed.find((l) => l.kind === (base.change === 'deleted' ? 'del' : 'add') && /^size \d+$/.test(l.text));
      return { ...base, kind: 'lfs', hunks: [], ...(sizeLine ? { lfsSize: Number(sizeLine.text.slice(5)) } : {}) };
    }
    return truncated && i === parts.length - 1 ? { ...base, cut: true } : base;
  });
}
