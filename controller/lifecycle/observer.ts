import type { Clock, Logger } from '../../core/index.js';
import type { Runtime } from '../runtime/runtime.js';
import { staticTreeOf } from '../runtime/static-instance.js';
import type { SpaceStore } from '../store/space-store.js';
import { PassScheduler } from './pass-scheduler.js';
import type { InProcessRouteTable } from './route-table.js';
import { spaceRoute } from './space-route.js';
import type { StageResult } from './stage.js';

export interface ObserverOptions {
  store: SpaceStore;
  runtime: Runtime;
  routes: InProcessRouteTable;
  clock: Clock;
  logger: Logger;
  /** How often every Space is looked at again (ms; default 5 s): changes made through the leader show within it. */
  resyncMs?: number;
  /**
   * Is a static tree on disk (the shared data dir)? A static release runs no instance: the leader's
   * runtime knows it as applied in memory only, so here it is ready when its tree is there.
   */
  treePresent?: (tree: string) => Promise<boolean>;
}

/**
 * A replica that does not lead still answers for every Space (the API's stage, its proxy's routes):
 * it looks (store and runtime reads, never a write or a runtime action) and computes the stage and
 * the route with the leader's pure function (`spaceRoute`). What only the leader knows in memory
 * (a crash loop's count, a wake under way, room being made on a full pool) is not seen here, so a
 * stage can differ from the leader's for as long as those last, and lag it by up to `resyncMs`.
 */
export class Observer {
  readonly #o: ObserverOptions;
  readonly #passes: PassScheduler;
  readonly #stages = new Map<string, StageResult>();
  #unwatch?: () => void;

  constructor(opts: ObserverOptions) {
    this.#o = opts;
    const { runtime } = opts;
    this.#passes = new PassScheduler({
      pass: (uid) => this.#look(uid),
      uids: () => this.#sweepList(),
      resync: runtime.resync ? () => runtime.resync!() : undefined,
      clock: opts.clock,
      logger: opts.logger,
      resyncMs: opts.resyncMs ?? 5_000,
      // Every tick is a sweep: store changes made through the leader have no event here.
      fullResyncMs: opts.resyncMs ?? 5_000,
    });
  }

  /** Look at every Space now (in the background), then on runtime events and every `resyncMs`. */
  start(): void {
    this.#unwatch = this.#o.runtime.watch((spaceId) => {
      const space = this.#o.store.getSpace(spaceId);
      if (space) void this.#passes.kick(space.uid);
    });
    void this.#passes.start().catch((err: unknown) => this.#o.logger.warn({ err }, 'observer: first look failed'));
  }

  async close(): Promise<void> {
    this.#unwatch?.();
    this.#unwatch = undefined;
    await this.#passes.close();
  }

  stageOf = (uid: string): StageResult | undefined => this.#stages.get(uid);

  /** The stage as last seen; a Space not seen yet is looked at first. */
  async currentStage(uid: string): Promise<StageResult | undefined> {
    const seen = this.#stages.get(uid);
    if (seen) return seen;
    await this.#passes.kick(uid);
    return this.#stages.get(uid);
  }

  /**
   * Every Space's uid, for a sweep; routes of Spaces that are gone (deleted or renamed through another
   * replica) are dropped here, as the replica that made the change dropped its own.
   */
  #sweepList(): string[] {
    const spaces = this.#o.store.listSpaces();
    const ids = new Set<string>(spaces.map((s) => s.id));
    for (const route of this.#o.routes.snapshot()) if (!ids.has(route.space)) this.#o.routes.removeSpace(route.space);
    const uids = new Set(spaces.map((s) => s.uid));
    for (const uid of this.#stages.keys()) if (!uids.has(uid)) this.#stages.delete(uid);
    return [...uids];
  }

  async #look(uid: string): Promise<void> {
    const { store, runtime, routes } = this.#o;
    const space = store.getSpaceByUid(uid);
    if (!space) {
      this.#stages.delete(uid);
      return routes.removeSpaceUid(uid);
    }
    const instances = await runtime.list(space.id);
    const byRelease = new Map(instances.map((i) => [i.release, i]));
    const target = space.targetRelease ? store.getRelease(space.targetRelease) : undefined;
    const previous = space.servingRelease && space.servingRelease !== space.targetRelease ? store.getRelease(space.servingRelease) : undefined;
    for (const release of [target, previous]) {
      const tree = release && !byRelease.has(release.id) ? staticTreeOf(release.image)?.tree : undefined;
      if (tree !== undefined && space.lifecycle === 'active' && (await this.#o.treePresent?.(tree))) {
        byRelease.set(release!.id, { space: space.id, release: release!.id, image: release!.image, state: { kind: 'ready' }, startedAt: 0, restartCount: 0 });
      }
    }
    const { result, route } = spaceRoute({
      space,
      build: store.latestBuild(space.uid),
      target,
      targetInst: target ? byRelease.get(target.id) : undefined,
      prevInst: previous ? byRelease.get(previous.id) : undefined,
      waitingForRoom: false,
      waking: false,
    });
    this.#stages.set(uid, result);
    routes.publish(route);
  }
}
