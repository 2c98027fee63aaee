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

/** A folder of the Files tab: what it holds in all (its files' sizes summed) and its newest last commit. */
export interface FolderEntry {
  path: string;
  size: number;
  lastCommit?: FileEntry['lastCommit'];
}

/**
 * One folder's view of the repository's files, as the Hub lists a tree: the folders directly under
 * `dir` (each with the total size and newest last commit of what it holds), then its files, both by
 * name. `dir` is '' for the root. Undefined when no file lies under `dir` (no such folder). Pure.
 */
export function folderView(entries: readonly FileEntry[], dir: string): { folders: FolderEntry[]; files: FileEntry[] } | undefined {
  const prefix = dir === '' ? '' : `${dir}/`;
  const folders = new Map<string, FolderEntry>();
  const files: FileEntry[] = [];
  for (const e of entries) {
    if (!e.path.startsWith(prefix)) continue;
    const rest = e.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) {
      files.push(e);
      continue;
    }
    const path = prefix + rest.slice(0, slash);
    const f = folders.get(path) ?? { path, size: 0 };
    f.size += e.size;
    if (e.lastCommit && (!f.lastCommit || e.lastCommit.date > f.lastCommit.date)) f.lastCommit = e.lastCommit;
    folders.set(path, f);
  }
  if (files.length === 0 && folders.size === 0) return undefined;
  const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return { folders: [...folders.values()].sort(byPath), files: files.sort(byPath) };
}

/** "Files / src / app": each ancestor of `dir` linked to its tree page, the folder itself not. Pure. */
export function renderBreadcrumbs(space: string, dir: string): SafeHtml {
  if (dir === '') return html``;
  const parts = dir.split('/');
  return html`<nav class="breadcrumbs" aria-label="Folder"><a href="/spaces/${space}/tree/main">Files</a>${parts.map((name, i) =>
    i === parts.length - 1
      ? html` / <span aria-current="page">${name}</span>`
      : html` / <a href="/spaces/${space}/tree/main/${pathHref(parts.slice(0, i + 1).join('/'))}">${name}</a>`,
  )}</nav>`;
}

function lastCommitCells(space: string, c: FileEntry['lastCommit']): SafeHtml {
  return html`<td>${c ? html`<a class="last-commit" href="/spaces/${space}/commit/${c.id}">${c.title || c.id.slice(0, 7)}</a>` : null}</td><td>${c ? renderTime(c.date) : null}</td>`;
}

/** Leaf name of a path (what a folder's row shows). */
function leaf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The Files tab's list of one folder, as the Hub's: its folders, then its files, each with its size and last commit (linked to its page). Pure. */
export function renderFileList(space: string, view: { folders: readonly FolderEntry[]; files: readonly FileEntry[] }): SafeHtml {
  return html`<table class="file-list">
<thead><tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">Last commit</th><th scope="col">Date</th></tr></thead>
<tbody>${view.folders.map(
    (f) => html`<tr class="folder"><td><a href="/spaces/${space}/tree/main/${pathHref(f.path)}"><span aria-hidden="true">📁 </span>${leaf(f.path)}/</a></td><td>${formatBytes(f.size)}</td>${lastCommitCells(space, f.lastCommit)}</tr>`,
  )}${view.files.map(
    (e) => html`<tr><td><a href="/spaces/${space}/blob/main/${pathHref(e.path)}">${leaf(e.path)}</a></td><td>${formatBytes(e.size)}${e.lfs ? html` <span class="badge idle">LFS</span>` : null}</td>${lastCommitCells(space, e.lastCommit)}</tr>`,
  )}</tbody>
</table>`;
}
