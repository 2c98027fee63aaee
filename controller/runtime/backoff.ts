/** How a thing that fails and restarts waits between tries. */
export interface BackoffPolicy {
  /** The longest first delay. */
  baseMs: number;
  /** No delay is longer. */
  maxMs: number;
  /** Running this long since its last restart without failing counts as healthy: the next failure starts over. */
  resetAfterMs: number;
}

/** A Kubernetes informer whose watch failed (the API server restarting, a network cut). */
export const INFORMER_RESTART: BackoffPolicy = { baseMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

/**
 * Exponential backoff with full jitter: a delay drawn uniformly from [0, min(maxMs, baseMs·2^attempt)),
 * `attempt` counting from 0, so many clients failing at once do not retry in step.
 */
export function backoffDelay(attempt: number, policy: Pick<BackoffPolicy, 'baseMs' | 'maxMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(attempt, 0), 52));
  return Math.floor(random() * ceiling);
}

/** The delays of one thing that keeps failing: longer each time, back to short after a healthy run. */
export class RestartBackoff {
  readonly #policy: BackoffPolicy;
  readonly #now: () => number;
  readonly #random: () => number;
  #attempt = 0;
  #restartAt?: number;

  constructor(policy: BackoffPolicy, opts: { now?: () => number; random?: () => number } = {}) {
    this.#policy = policy;
    this.#now = opts.now ?? Date.now;
    this.#random = opts.random ?? Math.random;
  }

  /** It failed now: how long to wait before the next restart. */
  next(): number {
    const now = this.#now();
    if (this.#restartAt !== undefined && now - this.#restartAt >= this.#policy.resetAfterMs) this.#attempt = 0;
    const delay = backoffDelay(this.#attempt, this.#policy, this.#random);
    this.#attempt += 1;
    this.#restartAt = now + delay;
    return delay;
  }
}
