import type { Flavor, LogLine, ReleaseId, SpaceId } from '../../core/index.js';
import type { Instance, InstanceSpec, RunLogOptions, Runtime, StopOptions } from './runtime.js';
import { staticTreeOf } from './static-instance.js';

/** Is a static tree materialised (its directory complete, ready to serve)? */
export type TreePresent = (tree: string) => Promise<boolean>;

/**
 * A runtime that runs no container for a static release (`static-tree:` image): the proxy serves
 * its tree, so the release is "ready" as soon as its tree is there; a stop (sleep, which only an
 * owner's explicit sleep time asks for) costs nothing and the next apply is ready at once. Everything else goes to the runtime it wraps; removing a Space's other releases
 * removes their containers, so a Space that moved to a tree keeps none.
 */
export class StaticTreeRuntime implements Runtime {
  readonly #inner: Runtime;
  readonly #present: TreePresent;
  /** The static releases applied, by Space: in memory only (a restart's first pass applies them again). */
  readonly #applied = new Map<SpaceId, Map<ReleaseId, Instance>>();
  /** The wrapped runtime's, when it has one (the reconciler's schedule depends on whether it does). */
  readonly resync?: () => Promise<void>;
  readonly dropSnapshots?: (space: SpaceId) => Promise<void>;

  constructor(inner: Runtime, present: TreePresent) {
    this.#inner = inner;
    this.#present = present;
    if (inner.resync) this.resync = () => inner.resync!();
    if (inner.dropSnapshots) this.dropSnapshots = (space) => inner.dropSnapshots!(space);
  }

  get name(): string {
    return this.#inner.name;
  }

  async apply(spec: InstanceSpec): Promise<void> {
    const ref = staticTreeOf(spec.image);
    if (ref === undefined) return this.#inner.apply(spec);
    const present = await this.#present(ref.tree);
    const state: Instance['state'] = present ? { kind: 'ready' } : { kind: 'failed', reason: `The files of tree ${ref.tree} are missing.` };
    let mine = this.#applied.get(spec.space);
    if (mine === undefined) this.#applied.set(spec.space, (mine = new Map()));
    mine.set(spec.release, { space: spec.space, release: spec.release, image: spec.image, state, startedAt: Date.now(), restartCount: 0 });
  }

  async list(space?: SpaceId): Promise<Instance[]> {
    const inner = await this.#inner.list(space);
    const mine = space === undefined ? [...this.#applied.values()].flatMap((m) => [...m.values()]) : [...(this.#applied.get(space)?.values() ?? [])];
    return [...inner, ...mine];
  }

  async stop(space: SpaceId, release: ReleaseId, opts?: StopOptions): Promise<void> {
    // Nothing runs: "stopped" only until the next apply (a visit wakes it at once).
    const inst = this.#applied.get(space)?.get(release);
    if (inst) {
      inst.state = { kind: 'stopped' };
      return;
    }
    return this.#inner.stop(space, release, opts);
  }

  async remove(space: SpaceId, opts?: { keep?: ReleaseId }): Promise<void> {
    const mine = this.#applied.get(space);
    if (mine !== undefined) {
      for (const release of [...mine.keys()]) if (release !== opts?.keep) mine.delete(release);
      if (mine.size === 0) this.#applied.delete(space);
    }
    await this.#inner.remove(space, opts);
  }

  logs(space: SpaceId, release: ReleaseId, opts: RunLogOptions): AsyncIterable<LogLine> {
    if (this.#applied.get(space)?.has(release)) return (async function* () {})();
    return this.#inner.logs(space, release, opts);
  }

  removeStorage(key: string): Promise<void> {
    return this.#inner.removeStorage(key);
  }

  refuseFlavor(flavor: Flavor): string | undefined {
    return this.#inner.refuseFlavor(flavor);
  }

  watch(onChange: (space: SpaceId) => void): () => void {
    return this.#inner.watch(onChange);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
