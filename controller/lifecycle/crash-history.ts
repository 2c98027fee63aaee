import type { ReleaseId } from '../../core/index.js';
import type { InPlaceRestarts } from '../runtime/runtime.js';

/** How crashes of an app that had been running are counted and spaced out. */
export interface CrashPolicy {
  /** The first restart delay; each crash doubles it. */
  baseMs: number;
  /** No delay is longer (the kubelet: 5 min). */
  maxMs: number;
  /** Running this long without a crash counts as healthy: the count starts over (the kubelet: 10 min). */
  stableMs: number;
  /** This many crashes without a healthy run in between is a crash loop, reported as `RUNTIME_ERROR`. */
  loopAfter: number;
}

export const DEFAULT_CRASH_POLICY: CrashPolicy = { baseMs: 1_000, maxMs: 5 * 60_000, stableMs: 10 * 60_000, loopAfter: 3 };

interface Crashes {
  /** Crashes since the last healthy run. */
  count: number;
  /** No restart before this. */
  nextAt: number;
  /** The last crash, as shown to readers (reason and the app's last lines, secrets masked). */
  message: string;
  /** When the current run became ready (undefined: not ready since the last crash). */
  readySince?: number;
}

/**
 * The crash history of the releases whose app ran and then exited (pure bookkeeping; the
 * reconciler acts on it). A run that answers for a while and then dies is not health: the count
 * resets only after `stableMs` of running, so an app that serves for ten seconds and exits, over
 * and over, becomes a crash loop instead of flipping between RUNNING and APP_STARTING.
 */
export class CrashHistory {
  readonly #policy: CrashPolicy;
  readonly #byRelease = new Map<ReleaseId, Crashes>();
  /** The in-place restarts already counted, per release: of which run, how many. */
  readonly #inPlace = new Map<ReleaseId, { run: string; count: number }>();

  constructor(policy: CrashPolicy = DEFAULT_CRASH_POLICY) {
    this.#policy = policy;
  }

  /** The release's app answers now. */
  ready(release: ReleaseId, now: number): void {
    const c = this.#byRelease.get(release);
    if (!c) return;
    c.readySince ??= now;
    if (now - c.readySince >= this.#policy.stableMs) this.#byRelease.delete(release);
  }

  /** Its app exited after it had run: which attempt the restart is, and when it may happen. */
  crashed(release: ReleaseId, now: number, message: string): { attempt: number; restartAt: number } {
    const prior = this.#byRelease.get(release);
    const healthy = prior?.readySince !== undefined && now - prior.readySince >= this.#policy.stableMs;
    const count = healthy || !prior ? 1 : prior.count + 1;
    const delay = Math.min(this.#policy.maxMs, this.#policy.baseMs * 2 ** (count - 1));
    this.#byRelease.set(release, { count, nextAt: now + delay, message });
    return { attempt: count, restartAt: now + delay };
  }

  /**
   * The runtime restarted the app by itself, in place (the kubelet, in the same pod): each restart
   * of the run not counted yet is a crash, so a crash loop is one whether or not a pass ever saw the
   * app exited. A run first seen here whose last restart is older than the stable period is past
   * history (the controller restarted since): nothing is counted. Returns how many crashes it added.
   */
  restartedInPlace(release: ReleaseId, r: InPlaceRestarts, now: number, message: () => string): number {
    const seen = this.#inPlace.get(release);
    const before = seen?.run === r.run ? seen.count : now - r.lastAt >= this.#policy.stableMs ? r.count : 0;
    if (this.#inPlace.size > 10_000) this.#inPlace.clear();
    this.#inPlace.set(release, { run: r.run, count: Math.max(before, r.count) });
    if (r.count <= before) return 0;
    const text = message();
    for (let i = before; i < r.count; i++) this.crashed(release, now, text);
    return r.count - before;
  }

  /** When the release may be restarted (undefined: no crash on record). */
  restartAt(release: ReleaseId): number | undefined {
    return this.#byRelease.get(release)?.nextAt;
  }

  /** The last crash's message while the release is in a crash loop, else undefined. */
  loop(release: ReleaseId): string | undefined {
    const c = this.#byRelease.get(release);
    return c && c.count >= this.#policy.loopAfter ? c.message : undefined;
  }

  forget(release: ReleaseId): void {
    this.#byRelease.delete(release);
  }
}
