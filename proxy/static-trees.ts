import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** A tree hash as routes carry it: a git object id (SHA-1 or SHA-256), lower-case hex. */
export const TREE_HASH = /^[0-9a-f]{40,64}$/;

/**
 * Where a static Space's files are, by tree hash. In-process: the controller's own tree directory
 * (`LocalStaticTrees`); a proxy replica fetches trees from the controller into a bounded cache.
 */
export interface StaticTrees {
  /** The real path of the tree's directory, or undefined when it is not (yet) here. */
  dirOf(tree: string): Promise<string | undefined>;
}

/** Trees materialised under one directory, one sub-directory per tree hash (`{root}/{tree}`). */
export class LocalStaticTrees implements StaticTrees {
  readonly #root: string;
  readonly #known = new Map<string, string>();

  constructor(root: string) {
    this.#root = root;
  }

  async dirOf(tree: string): Promise<string | undefined> {
    if (!TREE_HASH.test(tree)) return undefined;
    const hit = this.#known.get(tree);
    if (hit !== undefined) return hit;
    try {
      const dir = await realpath(path.join(this.#root, tree));
      if (!(await stat(dir)).isDirectory()) return undefined;
      // A tree is never changed once there (a new push is a new hash), only removed by GC.
      if (this.#known.size >= 10_000) this.#known.clear();
      this.#known.set(tree, dir);
      return dir;
    } catch {
      return undefined;
    }
  }

  /** Forget a tree (removed by GC). */
  forget(tree: string): void {
    this.#known.delete(tree);
  }
}
