import type { DiffLine, FileDiff } from '../git/index.js';
import { html, type SafeHtml } from './html.js';

/** The most diff lines one file shows, and the whole page: past them a note says what is left out. */
export const DIFF_MAX_LINES_PER_FILE = 1_000;
export const DIFF_MAX_LINES = 5_000;

const CHANGE_WORD = { added: 'added', deleted: 'deleted', modified: 'modified' } as const;

/** `/spaces/{id}/…/a%20b/c.py`: each path segment encoded for a URL. */
export function pathHref(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** 1.2 KB, 3.4 MB: a size as a person reads it. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** One line: old and new numbers, a +/- sign (with words for screen readers: never colour alone), the text. */
function renderLine(l: DiffLine): SafeHtml {
  const sign = l.kind === 'add' ? html`<span aria-hidden="true">+</span><span class="sr">added</span>` : l.kind === 'del' ? html`<span aria-hidden="true">-</span><span class="sr">removed</span>` : null;
  return html`<tr class="${l.kind}"><td class="ln">${l.old ?? ''}</td><td class="ln">${l.new ?? ''}</td><td class="mark">${sign}</td><td class="lc"><code>${l.text}</code></td></tr>`;
}

function counts(f: FileDiff): SafeHtml | null {
  if (f.added === null || f.removed === null) return null;
  return html`<span class="meta"><span class="plus">+${f.added}</span> <span class="minus">−${f.removed}</span><span class="sr"> (${f.added} lines added, ${f.removed} removed)</span></span>`;
}

/**
 * A commit's diff, file by file (unified, as git prints it): added and removed lines carry a sign and
 * words, not only a colour; binary and Git LFS files are named, not diffed; past the caps (per file,
 * per page) a note says how many lines are left out. `budget` is the page's remaining line count. Pure.
 */
export function renderDiff(spaceId: string, files: readonly FileDiff[], opts: { maxLines?: number; maxLinesPerFile?: number } = {}): SafeHtml {
  let budget = opts.maxLines ?? DIFF_MAX_LINES;
  const perFile = opts.maxLinesPerFile ?? DIFF_MAX_LINES_PER_FILE;
  const sections = files.map((f, i) => {
    const title = f.change === 'deleted' ? html`${f.path}` : html`<a href="/spaces/${spaceId}/blob/main/${pathHref(f.path)}">${f.path}</a>`;
    let content: SafeHtml;
    if (f.kind === 'binary') content = html`<p class="hint" data-diff-kind="binary">Binary file: not shown.</p>`;
    else if (f.kind === 'lfs') content = html`<p class="hint" data-diff-kind="lfs">Stored with Git LFS${f.lfsSize !== undefined ? ` (${formatBytes(f.lfsSize)})` : ''}: not shown.</p>`;
    else if (f.kind === 'omitted') content = html`<p class="notice" data-diff-kind="omitted">Not shown: this commit's diff is too large.</p>`;
    else {
      const allowed = Math.max(0, Math.min(perFile, budget));
      let shown = 0;
      let left = 0;
      const bodies = f.hunks.map((h) => {
        const rows: SafeHtml[] = [];
        for (const l of h.lines) {
          if (shown < allowed) {
            rows.push(renderLine(l));
            shown++;
          } else left++;
        }
        return rows.length ? html`<tbody><tr class="hunk"><td colspan="4"><code>${h.header}</code></td></tr>${rows}</tbody>` : null;
      });
      budget -= shown;
      const table = shown ? html`<div class="code-view" role="region" aria-label="Changes in ${f.path}" tabindex="0"><table class="diff" role="presentation">${bodies}</table></div>` : null;
      const note =
        left > 0 || f.cut
          ? html`<p class="notice" data-diff-capped>${left > 0 ? `${left} more lines not shown: the diff is too large. ` : 'The rest of this diff is not shown: it is too large. '}${
              f.change === 'deleted' ? null : html`<a href="/spaces/${spaceId}/raw/main/${pathHref(f.path)}">See the file</a>`
            }</p>`
          : null;
      content = shown || note ? html`${table}${note}` : html`<p class="hint">No line changed (file mode only, or an empty file).</p>`;
    }
    return html`<section class="diff-file" aria-labelledby="diff-${i}" data-diff-file="${f.path}">
<h3 id="diff-${i}"><span class="badge idle">${CHANGE_WORD[f.change]}</span> ${title} ${counts(f)}</h3>
${content}
</section>`;
  });
  return html`${sections}`;
}
