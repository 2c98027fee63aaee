import type { Logger } from '../../core/index.js';
import { staticTreeOf } from '../runtime/static-instance.js';
import type { SpaceStore } from '../store/space-store.js';
import type { BuildPipeline } from './build-pipeline.js';

/**
 * At start: every static Space still released as a container image is built again from its current
 * commit, which releases its tree (with `app_build_command`, the build's output, when the builder can
 * read images back: `builtFiles`); the reconciler then switches its route to the tree and removes its
 * container. No push needed. Returns how many were queued.
 */
export async function moveStaticSpacesToTrees(opts: { store: SpaceStore; pipeline: Pick<BuildPipeline, 'enqueue'>; logger: Logger; builtFiles: boolean }): Promise<number> {
  const { store, pipeline, logger, builtFiles } = opts;
  let moved = 0;
  for (const space of store.listSpaces()) {
    if (space.sdk !== 'static' || !space.targetRelease) continue;
    const release = store.getRelease(space.targetRelease);
    if (!release || staticTreeOf(release.image) || (release.config.app_build_command && !builtFiles)) continue;
    try {
      if (await pipeline.enqueue(space.uid, { force: true })) moved++;
    } catch (err) {
      logger.warn({ err, space: space.id }, 'cannot move a static Space to its tree; it keeps its container');
    }
  }
  if (moved > 0) logger.info({ spaces: moved }, 'static Spaces moving from containers to trees');
  return moved;
}
