import type { CommitDetail, CommitEntry, FileDiff } from '../git/index.js';
import { html, type SafeHtml } from './html.js';
import { pathHref, renderDiff } from './render-diff.js';

/** A commit list: the Space's (`/commits/main`) or one path's history (`/commits/main/{path}`). */
export interface CommitListView {
  space: string;
  /** The path whose history this is; absent for the whole Space. */
  path?: string;
  commits: CommitEntry[];
  total: number;
  /** 0-based page number and the page size. */
  page: number;
  pageSize: number;
}

export interface CommitPageView {
  space: string;
  commit: CommitDetail;
  files: FileDiff[];
}

/** `2026-12-03 13:07 UTC` in a `<time>` (rendered on the server: no script, the same for everyone). */
export function renderTime(iso: string): SafeHtml {
  const d = new Date(iso);
  const shown = Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return html`<time datetime="${iso}">${shown}</time>`;
}

export function renderCommitList(v: CommitListView): SafeHtml {
  const base = `/spaces/${v.space}/commits/main${v.path ? `/${pathHref(v.path)}` : ''}`;
  const pages = Math.max(1, Math.ceil(v.total / v.pageSize));
  const back = v.path
    ? html`<p><a href="/spaces/${v.space}/blob/main/${pathHref(v.path)}">← ${v.path}</a></p>`
    : html`<p><a href="/spaces/${v.space}/tree/main">← Files</a></p>`;
  return html`${back}
<h2 data-history-of="${v.path ?? ''}">${v.path ? html`History of <span class="path">${v.path}</span>` : 'Commits'}</h2>
<p class="count">${v.total} ${v.total === 1 ? 'commit' : 'commits'}</p>
${v.commits.length
  ? html`<ol class="commit-list">${v.commits.map(
      (c) => html`<li><a href="/spaces/${v.space}/commit/${c.id}">${c.title || '(no message)'}</a>
<span class="meta">${c.authors[0]?.user ?? ''} · ${renderTime(c.date)} · <code>${c.id.slice(0, 7)}</code></span></li>`,
    )}</ol>`
  : html`<p class="empty">No commits yet.</p>`}
${pages > 1
  ? html`<nav class="pager" aria-label="Pages">${v.page > 0 ? html`<a href="${base}?p=${v.page - 1}" rel="prev">Newer</a>` : null} <span>Page ${v.page + 1} of ${pages}</span> ${
      v.page + 1 < pages ? html`<a href="${base}?p=${v.page + 1}" rel="next">Older</a>` : null
    }</nav>`
  : null}`;
}

export function renderCommitPage(v: CommitPageView): SafeHtml {
  const c = v.commit;
  const added = v.files.reduce((n, f) => n + (f.added ?? 0), 0);
  const removed = v.files.reduce((n, f) => n + (f.removed ?? 0), 0);
  return html`<p><a href="/spaces/${v.space}/commits/main">← Commits</a></p>
<h2 class="commit-title">${c.title || '(no message)'}</h2>
${c.body ? html`<pre class="commit-body">${c.body}</pre>` : null}
<p class="meta" data-commit="${c.id}">${c.author.name} committed on ${renderTime(c.date)} · <code>${c.id}</code>${c.parents.length
    ? html` · parent ${c.parents.map((p) => html`<a href="/spaces/${v.space}/commit/${p}"><code>${p.slice(0, 7)}</code></a> `)}`
    : null}</p>
<p class="count">${v.files.length} ${v.files.length === 1 ? 'file' : 'files'} changed, ${added} ${added === 1 ? 'line' : 'lines'} added, ${removed} removed</p>
${renderDiff(v.space, v.files)}`;
}
