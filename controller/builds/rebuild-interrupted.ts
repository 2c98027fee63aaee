import type { Logger } from '../../core/index.js';
import type { SpaceStore } from '../store/space-store.js';
import type { BuildPipeline } from './build-pipeline.js';

export interface RebuildInterruptedOptions {
  store: SpaceStore;
  pipeline: Pick<BuildPipeline, 'enqueue'>;
  /** Spaces (by uid) with a push a previous process never finished (`PushJournal.takeLeftOver`). */
  pushes: { takeLeftOver(): Iterable<string> };
  logger: Logger;
}

/**
 * At start, before the port opens: builds the previous process did not finish are marked failed and
 * their heads built again, so no client ever sees the interrupted one as BUILD_ERROR
 * (huggingface_hub's wait_for_space stops at the first error stage). Then pushes it was killed
 * during: their refs may have landed with no build queued, so the head is built unless its tree
 * already was. A Space is queued once, a build that cannot be queued is logged.
 */
export async function rebuildInterrupted({ store, pipeline, pushes, logger }: RebuildInterruptedOptions): Promise<void> {
  const interrupted = new Set<string>();
  for (const b of store.unfinishedBuilds()) {
    if (b.status === 'queued') store.setBuildState(b.id, { status: 'running' });
    store.setBuildState(b.id, { status: 'failed', failure: 'BUILD_ERROR', message: 'Interrupted by a Spaceport restart; building again.' });
    interrupted.add(b.spaceUid);
  }
  for (const uid of interrupted) {
    await pipeline.enqueue(uid, { force: true }).catch((err: unknown) => logger.error({ err, space: uid }, 'could not queue an interrupted build again'));
  }
  for (const uid of pushes.takeLeftOver()) {
    if (interrupted.has(uid)) continue;
    await pipeline.enqueue(uid).catch((err: unknown) => logger.error({ err, space: uid }, 'could not look at the head after an interrupted push'));
  }
}
