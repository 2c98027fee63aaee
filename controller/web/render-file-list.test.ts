import { describe, expect, it } from 'vitest';
import { folderView, renderBreadcrumbs, renderFileList, type FileEntry } from './render-file-list.js';

const c = (id: string, date: string) => ({ id, title: `commit ${id}`, date });
const ENTRIES: FileEntry[] = [
  { path: 'README.md', size: 10, lfs: false, lastCommit: c('a1', '2026-01-01T00:00:00Z') },
  { path: 'src/app/main.py', size: 100, lfs: false, lastCommit: c('b2', '2026-03-01T00:00:00Z') },
  { path: 'src/util.py', size: 5, lfs: false, lastCommit: c('c3', '2026-02-01T00:00:00Z') },
  { path: 'models/w.bin', size: 1000, lfs: true },
];

describe('folderView', () => {
  it('shows the folders directly under a folder (sizes summed, newest last commit), then its files, by name', () => {
    expect(folderView(ENTRIES, '')).toEqual({
      folders: [
        { path: 'models', size: 1000 },
        { path: 'src', size: 105, lastCommit: c('b2', '2026-03-01T00:00:00Z') },
      ],
      files: [ENTRIES[0]],
    });
    expect(folderView(ENTRIES, 'src')).toEqual({ folders: [{ path: 'src/app', size: 100, lastCommit: c('b2', '2026-03-01T00:00:00Z') }], files: [ENTRIES[2]] });
  });

  it('is undefined for a folder no file lies under, a file, or a prefix that is not a whole name', () => {
    expect(folderView(ENTRIES, 'nope')).toBeUndefined();
    expect(folderView(ENTRIES, 'README.md')).toBeUndefined();
    expect(folderView(ENTRIES, 'sr')).toBeUndefined();
  });
});

describe('renderFileList and renderBreadcrumbs', () => {
  it('links folders to their tree page and files to their blob page, names escaped', () => {
    const html = renderFileList('alice/demo', { folders: [{ path: 'src/<b>', size: 1 }], files: [{ path: 'src/a b.py', size: 2, lfs: false }] }).value;
    expect(html).toContain('href="/spaces/alice/demo/tree/main/src/%3Cb%3E"');
    expect(html).toContain('&lt;b&gt;/</a>');
    expect(html).toContain('href="/spaces/alice/demo/blob/main/src/a%20b.py">a b.py</a>');
  });

  it('links each ancestor of a folder, not the folder itself; nothing at the root', () => {
    expect(renderBreadcrumbs('alice/demo', '').value).toBe('');
    const nav = renderBreadcrumbs('alice/demo', 'src/app').value;
    expect(nav).toContain('<a href="/spaces/alice/demo/tree/main">Files</a>');
    expect(nav).toContain('<a href="/spaces/alice/demo/tree/main/src">src</a>');
    expect(nav).toContain('<span aria-current="page">app</span>');
  });
});
