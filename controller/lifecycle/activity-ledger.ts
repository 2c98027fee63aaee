import type { Activity, ActivitySink } from '../../proxy/index.js';
import type { SpaceStore } from '../store/space-store.js';

/**
 * Receives the proxy's activity batches and keeps the latest activity per Space in memory.
 * The store gets a coalesced copy (`flush`, every few seconds) so a restart does not make every
 * Space look idle; never a write per request.
 */
export class ActivityLedger implements ActivitySink {
  readonly #latest = new Map<string, number>();
  readonly #dirty = new Set<string>();
  readonly #store: SpaceStore;
  #timer?: NodeJS.Timeout;

  constructor(store: SpaceStore, opts: { flushMs?: number } = {}) {
    this.#store = store;
    this.#timer = setInterval(() => {
      try {
        this.flush();
      } catch {
        // The store refused (its disk is full): what is not written stays dirty for the next flush.
      }
    }, opts.flushMs ?? 15_000);
    this.#timer.unref();
  }

  report(batch: Activity[]): void {
    for (const a of batch) {
      const space = this.#store.getSpace(a.space as never);
      if (!space) continue;
      if ((this.#latest.get(space.uid) ?? 0) < a.at) {
        this.#latest.set(space.uid, a.at);
        this.#dirty.add(space.uid);
      }
    }
  }

  lastActivity(uid: string): number | undefined {
    return this.#latest.get(uid);
  }

  /**
   * Write the dirty Spaces' latest activity; one the store refuses stays dirty (the error is thrown).
   * Activity is a monotonic status fact (the store keeps the later time): it moves neither the row's
   * version nor its `updatedAt` (the Hub's lastModified, the gallery's order).
   */
  flush(): void {
    for (const uid of [...this.#dirty]) {
      const at = this.#latest.get(uid);
      if (at !== undefined) this.#store.recordActivity(uid, at);
      this.#dirty.delete(uid);
    }
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    try {
      this.flush();
    } catch {
      // A full disk at shutdown: the activity of the last seconds is lost, nothing else.
    }
  }
}
