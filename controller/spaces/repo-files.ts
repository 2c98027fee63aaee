import type { Readable } from 'node:stream';
import { fail, type SpaceId } from '../../core/index.js';
import { checkRepoPath } from '../git/commit-writer.js';
import { lastCommits, type LastCommit } from '../git/last-commits.js';
import { runGit } from '../git/run-git.js';
import { listCommits, listRefs, listTree, readBlob, resolveRevision, statPath, type CommitEntry, type TreeEntry } from '../git/tree-reader.js';
import type { LfsStore } from '../lfs/index.js';
import type { SpaceRecord } from '../store/records.js';

/** `pathsInfo` lists folders one by one up to this many, then the whole tree at once. */
const PATHS_INFO_LISTINGS = 8;
/** The history walk of an expanded listing ends within this (a request's deadline). */
const EXPAND_TIMEOUT_MS = 20_000;

/** What a download answers with: headers the Hub's client reads, and the body (or a range of it). */
export interface ResolvedFile {
  commit: string;
  entry: Extract<TreeEntry, { type: 'file' }>;
  /** The bytes served: the LFS object's size for pointer files. */
  size: number;
  /** The Hub's ETag: the LFS sha256 for LFS files, the git blob id otherwise. */
  etag: string;
  open(range?: { start: number; end: number }): Promise<Readable | Buffer>;
}

/** The Hub's sibling / tree JSON of a file or folder; with `lastCommit` when expanded. */
export function entryJson(e: TreeEntry, lastCommit?: LastCommit): Record<string, unknown> {
  const last = lastCommit ? { lastCommit } : {};
  if (e.type === 'directory') return { type: 'directory', oid: e.oid, size: 0, path: e.path, ...last };
  return {
    type: 'file',
    oid: e.oid,
    size: e.lfs ? e.lfs.size : e.size,
    path: e.path,
    ...(e.lfs ? { lfs: { oid: e.lfs.oid, size: e.lfs.size, pointerSize: e.lfs.pointerSize } } : {}),
    ...last,
  };
}

/**
 * Reading a Space's repo the way the Hub's file API does: revisions, trees with LFS metadata,
 * files (LFS ones from the store), commits and refs. Callers check permissions first (SpaceService.get).
 */
export class RepoFiles {
  readonly #pathOf: (id: SpaceId) => string;
  readonly #lfs: LfsStore;

  constructor(opts: { pathOf(id: SpaceId): string; lfs: LfsStore }) {
    this.#pathOf = opts.pathOf;
    this.#lfs = opts.lfs;
  }

  gitDir(space: SpaceRecord): string {
    return this.#pathOf(space.id);
  }

  get lfs(): LfsStore {
    return this.#lfs;
  }

  /** The commit a revision names, or RevisionNotFound (also for a repo with no commit yet). */
  resolve(space: SpaceRecord, rev: string): Promise<string> {
    return resolveRevision(this.gitDir(space), rev);
  }

  async tree(space: SpaceRecord, commit: string, opts: { dir?: string; recursive?: boolean }): Promise<TreeEntry[]> {
    const dir = opts.dir ? checkRepoPath(opts.dir.replace(/\/+$/, '')) : '';
    const gitDir = this.gitDir(space);
    if (dir) {
      const st = await statPath(gitDir, commit, dir);
      if (st?.type !== 'directory') throw fail('pathNotOnCommit', { path: dir, commit });
    }
    return listTree(gitDir, commit, { dir, recursive: opts.recursive });
  }

  /** The entries among `paths` that exist (missing ones are left out, as the Hub does). */
  async pathsInfo(space: SpaceRecord, commit: string, paths: string[]): Promise<TreeEntry[]> {
    const wanted = paths.map((p) => checkRepoPath(p.replace(/\/+$/, '')));
    // One listing per folder named, or one recursive listing when they are many: a bounded number of
    // git processes whatever the request (1,000 paths one git call each took longer than a client waits).
    const parents = [...new Set(wanted.map((p) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '')))];
    const gitDir = this.gitDir(space);
    const listed = parents.length > PATHS_INFO_LISTINGS
      ? await listTree(gitDir, commit, { recursive: true })
      : (await Promise.all(parents.map((dir) => listTree(gitDir, commit, { dir })))).flat();
    const byPath = new Map(listed.map((e) => [e.path, e]));
    const out: TreeEntry[] = [];
    for (const p of wanted) {
      const st = byPath.get(p);
      if (st) out.push(st);
    }
    return out;
  }

  /** The Hub's expanded JSON of `entries`: each with its `lastCommit` ({id, title, date}) as of `commit`. */
  async expanded(space: SpaceRecord, commit: string, entries: TreeEntry[]): Promise<Record<string, unknown>[]> {
    const last = await lastCommits(this.gitDir(space), commit, entries.map((e) => e.path), { timeoutMs: EXPAND_TIMEOUT_MS });
    return entries.map((e) => entryJson(e, last.get(e.path)));
  }

  /** Every file at a commit, with sizes and LFS metadata (`siblings` of space_info). */
  async siblings(space: SpaceRecord, commit: string): Promise<Record<string, unknown>[]> {
    const files = (await listTree(this.gitDir(space), commit, { recursive: true })).filter((e) => e.type === 'file');
    return files.map((e) => ({
      rfilename: e.path,
      size: e.lfs ? e.lfs.size : e.size,
      blobId: e.oid,
      ...(e.lfs ? { lfs: { size: e.lfs.size, sha256: e.lfs.oid, pointerSize: e.lfs.pointerSize } } : {}),
    }));
  }

  /** A file to download: a git blob, or the LFS object its pointer names. EntryNotFound otherwise. */
  async file(space: SpaceRecord, commit: string, p: string): Promise<ResolvedFile> {
    checkRepoPath(p);
    const gitDir = this.gitDir(space);
    const entry = await statPath(gitDir, commit, p);
    if (entry?.type !== 'file') throw fail('pathNotOnCommit', { path: p, commit });
    const lfs = entry.lfs;
    if (lfs) {
      if ((await this.#lfs.sizeOf(lfs.oid)) !== lfs.size) {
        throw fail('lfsObjectNotOnServer', { path: p, oid: lfs.oid });
      }
      return { commit, entry, size: lfs.size, etag: lfs.oid, open: async (range) => this.#lfs.read(lfs.oid, range) };
    }
    return {
      commit,
      entry,
      size: entry.size,
      etag: entry.oid,
      open: async (range) => {
        const all = await readBlob(gitDir, entry.oid);
        return range ? all.subarray(range.start, range.end + 1) : all;
      },
    };
  }

  commits(space: SpaceRecord, commit: string, page: { skip: number; limit: number }): Promise<{ commits: CommitEntry[]; total: number }> {
    return listCommits(this.gitDir(space), commit, page);
  }

  refs(space: SpaceRecord): ReturnType<typeof listRefs> {
    return listRefs(this.gitDir(space));
  }

  /** The repo is gone: its LFS objects are no longer reachable through it (objects other repos use stay). */
  /** A duplicate: the copy may use every LFS object its source uses. */
  async copyFrom(source: SpaceRecord, copy: SpaceRecord): Promise<void> {
    await this.#lfs.copyLinks(source.uid, copy.uid);
  }

  async forget(space: SpaceRecord): Promise<void> {
    await this.#lfs.unlinkAll(space.uid);
  }

  /** The Hub's `usedStorage`: the git objects on disk plus the LFS objects the repo uses. */
  async usedStorage(space: SpaceRecord): Promise<number> {
    let git = 0;
    try {
      const out = (await runGit(['count-objects', '-v'], { gitDir: this.gitDir(space) })).stdout.toString();
      for (const m of out.matchAll(/^(size|size-pack): (\d+)$/gm)) git += Number(m[2]) * 1024;
    } catch {
      git = 0;
    }
    return git + (await this.#lfs.usedBytes(space.uid));
  }
}
