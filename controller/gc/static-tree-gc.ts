import type { Logger } from '../../core/index.js';
import type { StaticTreeDir } from '../builds/static-tree-dir.js';
import { staticTreeOf } from '../runtime/static-instance.js';

/** A tree (or an interrupted export) younger than this stays: its release may not be written yet. */
export const STATIC_TREE_GRACE_MS = 60 * 60_000;

/**
 * Remove static trees no Space's serving or target release names (`inUseImages`: those releases'
 * images), and temp dirs of interrupted exports, once older than the grace period. Returns the removed names.
 */
export async function collectStaticTrees(opts: {
  dir: StaticTreeDir;
  inUseImages: readonly string[];
  now: number;
  logger: Logger;
  graceMs?: number;
}): Promise<string[]> {
  const { dir, now, logger } = opts;
  const grace = opts.graceMs ?? STATIC_TREE_GRACE_MS;
  const live = new Set(opts.inUseImages.flatMap((i) => staticTreeOf(i)?.tree ?? []));
  const { trees, temps } = await dir.list();
  const doomed = [...trees.filter((t) => !live.has(t.tree)), ...temps].filter((t) => now - t.madeAt >= grace).map((t) => t.tree);
  const removed: string[] = [];
  for (const name of doomed) {
    try {
      await dir.remove(name);
      removed.push(name);
    } catch (err) {
      logger.warn({ tree: name, err: (err as Error).message }, 'gc: could not remove a static tree');
    }
  }
  return removed;
}
