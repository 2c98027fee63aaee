import { html, type SafeHtml } from './html.js';
import { renderTime } from './render-commit-pages.js';
import { formatBytes, pathHref } from './render-diff.js';

/** A file of the Files tab: its size (an LFS file's object size) and the last commit that changed it. */
export interface FileEntry {
  path: string;
  size: number;
  lfs: boolean;
  lastCommit?: { id: string; title: string; date: string };
}

/** The Files tab's list, as the Hub's: each file with its size and last commit (linked to its page). Pure. */
export function renderFileList(space: string, entries: readonly FileEntry[]): SafeHtml {
  return html`<table class="file-list">
<thead><tr><th scope="col">File</th><th scope="col">Size</th><th scope="col">Last commit</th><th scope="col">Date</th></tr></thead>
<tbody>${entries.map(
    (e) => html`<tr><td><a href="/spaces/${space}/blob/main/${pathHref(e.path)}">${e.path}</a></td><td>${formatBytes(e.size)}${e.lfs ? html` <span class="badge idle">LFS</span>` : null}</td><td>${
      e.lastCommit ? html`<a class="last-commit" href="/spaces/${space}/commit/${e.lastCommit.id}">${e.lastCommit.title || e.lastCommit.id.slice(0, 7)}</a>` : null
    }</td><td>${e.lastCommit ? renderTime(e.lastCommit.date) : null}</td></tr>`,
  )}</tbody>
</table>`;
}
