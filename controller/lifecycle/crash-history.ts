import type { ReleaseId } from '../../core/index.js';

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
