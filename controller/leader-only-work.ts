import type { Config, Logger } from '../core/index.js';
import { moveStaticSpacesToTrees, prepareBaseImages, rebuildInterrupted, type BuildPipeline, type StaticTreeDir } from './builds/index.js';
import type { HousekeepingTask } from './gc/index.js';
import { LeaderDuties, type LeaderLock } from './leadership/index.js';
import type { Observer, Reconciler } from './lifecycle/index.js';
import type { SpaceportAdapters } from './spaceport-interfaces.js';
import type { SpaceStore } from './store/index.js';

export interface LeaderOnlyWorkOptions {
  lock: LeaderLock;
  logger: Logger;
  config: Readonly<Config>;
  store: SpaceStore;
  pipeline: BuildPipeline;
  reconciler: Reconciler;
  housekeeping: HousekeepingTask;
  observer: Observer;
  pushes: { takeLeftOver(): Iterable<string> };
  staticTrees: StaticTreeDir | undefined;
  adapters: SpaceportAdapters;
}

/**
 * What only the leader runs, as the composition root wires it: at each takeover the builds and pushes
 * the previous leader (or process) did not finish are queued again, static Spaces still in containers
 * move to their trees, then (once the port is open: routes name it) the reconciler and housekeeping
 * start, and base images are prepared once per process. At each loss they stop, and the replica
 * looks only (`Observer`). Kicks from other replicas queue a build and/or ask for a pass.
 */
export function leaderOnlyWork(o: LeaderOnlyWorkOptions): { duties: LeaderDuties; prepared: Promise<void>; portOpen(): void } {
  const { store, pipeline, reconciler, housekeeping, logger, config, adapters, staticTrees } = o;
  let portOpen!: () => void;
  const listening = new Promise<void>((resolve) => (portOpen = resolve));
  let prepared!: () => void;
  const preparedFirst = new Promise<void>((resolve) => (prepared = resolve));
  let baseImagesAsked = false;
  const duties = new LeaderDuties({
    lock: o.lock,
    logger,
    start: async (_term, signal) => {
      try {
        pipeline.resume();
        await rebuildInterrupted({ store, pipeline, pushes: o.pushes, logger });
        if (staticTrees && !signal.aborted) await moveStaticSpacesToTrees({ store, pipeline, logger, builtFiles: adapters.builder.imageFiles !== undefined });
      } finally {
        prepared();
      }
      // Not past a loss or a stop: a port that never opens (listen failed) must not hold up close().
      await Promise.race([listening, new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))]);
      if (signal.aborted) return;
      await reconciler.start();
      if (signal.aborted) return;
      housekeeping.start();
      if (config.SPACEPORT_PREPARE_BASE_IMAGES && !baseImagesAsked) {
        baseImagesAsked = true;
        prepareBaseImages({ builder: adapters.builder, images: adapters.baseImages ?? [], logger: logger.child({ module: 'base-images' }) });
      }
    },
    stop: async () => {
      await housekeeping.close();
      await reconciler.close();
      await pipeline.close();
    },
    handle: async (kick) => {
      if (kick.kind === 'build') await pipeline.enqueue(kick.space, { noCache: kick.noCache, force: kick.force });
      await reconciler.kick(kick.space);
    },
    following: { start: () => o.observer.start(), stop: () => o.observer.close() },
  });
  return { duties, prepared: preparedFirst, portOpen };
}
