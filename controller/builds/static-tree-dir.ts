import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { SpaceId } from '../../core/index.js';
import { extractTar, type GitRepos } from '../git/index.js';
import { TREE_HASH } from '../../proxy/index.js';

const TMP_PREFIX = '.tmp-';

/** A materialised tree as GC sees it. */
export interface StoredTree {
  tree: string;
  /** Epoch ms it was made (a tree just made may not have its release written yet). */
  madeAt: number;
}

/**
 * Static Spaces' trees on disk, content-addressed: `{root}/{tree hash}` holds the files of that git
 * tree. A tree is written whole into a temp dir and renamed into place, so its directory either
 * does not exist or is complete; it never changes after (a push is a new hash), only GC removes it.
 */
export class StaticTreeDir {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  pathOf(tree: string): string {
    return path.join(this.root, tree);
  }

  async has(tree: string): Promise<boolean> {
    if (!TREE_HASH.test(tree)) return false;
    try {
      return (await stat(this.pathOf(tree))).isDirectory();
    } catch {
      return false;
    }
  }

  /** Export `commit` (whose tree is `tree`) into `{root}/{tree}` unless it is there already. */
  materialise(repos: Pick<GitRepos, 'exportTree'>, space: SpaceId, commit: string, tree: string, signal?: AbortSignal): Promise<'made' | 'present'> {
    return this.#put(tree, async (tmp) => {
      await repos.exportTree(space, commit, tmp);
      return tmp;
    }, signal);
  }

  /**
   * A static build's output (a tar stream whose entries lie below `top`, as `ImageBuilder.imageFiles`
   * gives them) into `{root}/{key}` unless it is there already; the stream is destroyed unread then.
   */
  async materialiseFiles(key: string, tar: Readable, top: string, signal?: AbortSignal): Promise<'made' | 'present'> {
    if (await this.has(key)) {
      tar.destroy();
      return 'present';
    }
    return this.#put(key, async (tmp) => {
      await extractTar(tar, tmp);
      return path.join(tmp, top);
    }, signal);
  }

  /** Fill a temp dir and rename the files' directory (`fill`'s answer, inside it) into `{root}/{key}`. */
  async #put(key: string, fill: (tmp: string) => Promise<string>, signal?: AbortSignal): Promise<'made' | 'present'> {
    if (await this.has(key)) return 'present';
    await mkdir(this.root, { recursive: true });
    const tmp = path.join(this.root, `${TMP_PREFIX}${key}-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(tmp);
      const filled = await fill(tmp);
      signal?.throwIfAborted();
      try {
        await rename(filled, this.pathOf(key));
      } catch (err) {
        // Another build of the same tree got there first: its copy is the same files.
        if (!(await this.has(key))) throw err;
      }
      return 'made';
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** The trees here, and leftover temp dirs (named `.tmp-…`) of exports a stop interrupted. */
  async list(): Promise<{ trees: StoredTree[]; temps: StoredTree[] }> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch {
      return { trees: [], temps: [] };
    }
    const trees: StoredTree[] = [];
    const temps: StoredTree[] = [];
    for (const name of names) {
      const st = await stat(path.join(this.root, name)).catch(() => undefined);
      if (!st) continue;
      if (TREE_HASH.test(name)) trees.push({ tree: name, madeAt: st.mtimeMs });
      else if (name.startsWith(TMP_PREFIX)) temps.push({ tree: name, madeAt: st.mtimeMs });
    }
    return { trees, temps };
  }

  /** Remove a tree (or a temp dir by its name). */
  async remove(name: string): Promise<void> {
    if (!TREE_HASH.test(name) && !name.startsWith(TMP_PREFIX)) return;
    // Renamed away first: a reader never sees a half-removed tree under its hash.
    const doomed = path.join(this.root, `${TMP_PREFIX}gc-${name}-${randomBytes(4).toString('hex')}`);
    await rename(path.join(this.root, name), doomed).catch(() => undefined);
    await rm(doomed, { recursive: true, force: true });
  }
}
