import type { Logger } from '../../core/index.js';
import type { BuildLogs, StaticTreeDir } from '../builds/index.js';
import { staticTreeOf } from '../runtime/static-instance.js';
import type { SpaceStore } from '../store/space-store.js';
import type { Housekeeper } from './housekeeper.js';
import { planImageGc, type SpaceImages } from './plan-image-gc.js';
import { collectStaticTrees } from './static-tree-gc.js';

export interface HousekeepingOptions {
  store: SpaceStore;
  buildLogs: BuildLogs;
  /** Absent on runtimes whose images live elsewhere (a registry): only logs are collected. */
  housekeeper?: Housekeeper;
  logger: Logger;
  /** Seconds between runs; 0 = never on a timer (`runOnce` still works). */
  intervalSeconds: number;
  /** Release images kept per Space besides the serving and target ones. */
  keepImagesPerSpace: number;
  /** Build logs kept per Space. */
  keepBuildLogs: number;
  /** Build cache cap in bytes; undefined = not pruned. */
  buildCacheMaxBytes?: number;
  /** SPACEPORT_INSTANCE_NAME: images of this install's deleted Spaces are collected, never another install's. */
  instance?: string;
  /** Told what each run removed (metrics). */
  onRemoved?(kind: 'image' | 'build_cache_bytes' | 'build_log', n: number): void;
  /** Static Spaces' trees: those no serving or target release names are removed (after a grace period). */
  staticTrees?: StaticTreeDir;
  /** Epoch ms now (default `Date.now`). */
  now?: () => number;
}

export interface HousekeepingReport {
  imagesRemoved: string[];
  imagesInUse: string[];
  buildCacheReclaimedBytes: number;
  buildLogsRemoved: number;
  /** Static trees (and interrupted exports) removed. */
  staticTreesRemoved: string[];
}

/**
 * Periodic garbage collection: old release images (keep the last few per Space, never the serving or
 * target one), the build cache (a size cap), build logs of builds no Space keeps. One run at a time;
 * each run is one `info` line; a failing part is a `warn` and the others still run.
 */
export class HousekeepingTask {
  readonly #o: HousekeepingOptions;
  #timer?: NodeJS.Timeout;
  #running?: Promise<HousekeepingReport>;

  constructor(opts: HousekeepingOptions) {
    this.#o = opts;
  }

  start(): void {
    if (this.#o.intervalSeconds <= 0 || this.#timer) return;
    this.#timer = setInterval(() => void this.runOnce(), this.#o.intervalSeconds * 1000);
    this.#timer.unref();
  }

  runOnce(): Promise<HousekeepingReport> {
    this.#running ??= this.#run().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** This install's Space images with the Space each was built for; none when the engine cannot tell. */
  async #labelledImages(): Promise<{ ref: string; spaceUid: string }[]> {
    const { housekeeper, instance, logger } = this.#o;
    if (!housekeeper?.listSpaceImages || !instance) return [];
    try {
      return await housekeeper.listSpaceImages(instance);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'gc: could not list the images of deleted Spaces');
      return [];
    }
  }

  async #run(): Promise<HousekeepingReport> {
    const { store, logger } = this.#o;
    const report: HousekeepingReport = { imagesRemoved: [], imagesInUse: [], buildCacheReclaimedBytes: 0, buildLogsRemoved: 0, staticTreesRemoved: [] };
    const inUseTrees: string[] = [];
    // Listed before the Spaces: an image of a Space made meanwhile is then not taken for a deleted one's.
    const labelled = await this.#labelledImages();
    const spaces = store.listSpaces();
    const keepLogIds = new Set<string>();
    const images: SpaceImages[] = [];
    for (const space of spaces) {
      const builds = store.listBuilds(space.uid, 1000);
      builds.slice(0, this.#o.keepBuildLogs).forEach((b) => keepLogIds.add(b.id));
      const inUse = [space.servingRelease, space.targetRelease]
        .map((id) => (id ? store.getRelease(id)?.image : undefined))
        .filter((i): i is string => i !== undefined);
      inUseTrees.push(...inUse.filter((i) => staticTreeOf(i)));
      // A static tree is no image: the engine has nothing to remove for it.
      const built = builds.flatMap((b) => (b.status === 'succeeded' && !staticTreeOf(b.image) ? [b.image] : []));
      images.push({ built, inUse: inUse.filter((i) => !staticTreeOf(i)) });
    }
    const housekeeper = this.#o.housekeeper;
    if (housekeeper) {
      const live = new Set(spaces.map((s) => s.uid as string));
      // A live Space may reuse an image built for a deleted one (same subdomain, tree and template):
      // an image any live Space's build or release names stays.
      const named = new Set(images.flatMap((i) => [...i.built, ...i.inUse]));
      const orphans = labelled.filter((i) => !live.has(i.spaceUid) && !named.has(i.ref)).map((i) => i.ref);
      for (const ref of [...new Set([...planImageGc(images, this.#o.keepImagesPerSpace), ...orphans])]) {
        try {
          const outcome = await housekeeper.removeImage(ref);
          if (outcome === 'removed') report.imagesRemoved.push(ref);
          else if (outcome === 'in-use') report.imagesInUse.push(ref);
        } catch (err) {
          logger.warn({ image: ref, err: (err as Error).message }, 'gc: could not remove an image');
        }
      }
      if (this.#o.buildCacheMaxBytes !== undefined) {
        try {
          report.buildCacheReclaimedBytes = await housekeeper.pruneBuildCache(this.#o.buildCacheMaxBytes);
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'gc: could not prune the build cache');
        }
      }
    }
    try {
      report.buildLogsRemoved = this.#o.buildLogs.retainOnly(keepLogIds);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'gc: could not prune build logs');
    }
    if (this.#o.staticTrees) {
      try {
        report.staticTreesRemoved = await collectStaticTrees({ dir: this.#o.staticTrees, inUseImages: inUseTrees, now: (this.#o.now ?? Date.now)(), logger });
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'gc: could not collect static trees');
      }
    }
    this.#o.onRemoved?.('image', report.imagesRemoved.length);
    this.#o.onRemoved?.('build_cache_bytes', report.buildCacheReclaimedBytes);
    this.#o.onRemoved?.('build_log', report.buildLogsRemoved);
    logger.info(
      {
        imagesRemoved: report.imagesRemoved.length,
        imagesInUse: report.imagesInUse.length,
        buildCacheReclaimedBytes: report.buildCacheReclaimedBytes,
        buildLogsRemoved: report.buildLogsRemoved,
        staticTreesRemoved: report.staticTreesRemoved.length,
      },
      'gc done',
    );
    return report;
  }
}
