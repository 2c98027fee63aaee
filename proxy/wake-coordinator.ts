import type { Logger } from 'pino';
import type { ProxyMetrics } from './proxy-metrics.js';
import type { Route, Waker } from './route.js';
import type { RouteTable } from './route-table.js';

/** How a held request ends. */
export type HoldOutcome =
  /** The route is running: forward now. */
  | { kind: 'ready'; route: Route }
  /** The route left the wake path (paused, failed, removed): answer with its page. */
  | { kind: 'gone'; route: Route | undefined }
  /** Not running within the wake timeout, the wake call failed, or the proxy is closing: 503 + Retry-After. */
  | { kind: 'unavailable'; reason: 'timeout' | 'wake-failed' | 'closing' };

export interface HoldHandle {
  /** The client went away: drop the entry without settling it. */
  cancel(): void;
}

/** Delays between tries of a failed wake call: doubling from the first, never longer than the cap. */
const WAKE_RETRY_BASE_MS = 250;
const WAKE_RETRY_MAX_MS = 2_000;

interface Held {
  settle: (outcome: HoldOutcome) => void;
  timer: NodeJS.Timeout;
}

export interface WakeCoordinatorOptions {
  routes: RouteTable;
  waker: Waker;
  logger: Logger;
  /** How long a held request waits for the route to run. */
  timeoutMs: number;
  /** Held requests per Space; more get 503 at once. */
  queueMax: number;
  metrics?: ProxyMetrics;
  /** Monotonic seconds, for wake durations (default `performance.now`). */
  now?: () => number;
}

/**
 * Wakes sleeping Spaces once per sleep (concurrent visits share one `waker.wake` call) and holds
 * non-browser requests in a bounded per-Space queue until the route runs, leaves the wake path, or
 * the timeout passes.
 */
export class WakeCoordinator {
  readonly #opts: WakeCoordinatorOptions;
  /** Subdomains whose wake was requested during the current sleep. */
  readonly #woken = new Set<string>();
  /** When each pending wake was asked (seconds), for the wake-time histogram. */
  readonly #wakeStarted = new Map<string, number>();
  readonly #queues = new Map<string, Set<Held>>();
  /** Wake calls waiting to be tried again. */
  readonly #retries = new Map<string, NodeJS.Timeout>();
  readonly #offRoutes: () => void;

  constructor(opts: WakeCoordinatorOptions) {
    this.#opts = opts;
    this.#offRoutes = opts.routes.onChange((sub, route) => this.#onRoute(sub, route));
  }

  /**
   * Ask the controller to wake this Space, unless already asked during this sleep. A failed call
   * (the controller restarting, a network blip) is tried again with growing delays for as long as
   * the wake timeout allows; held requests end only when that is spent.
   */
  wake(route: Route): void {
    const sub = route.subdomain;
    if (this.#woken.has(sub)) return;
    this.#woken.add(sub);
    const started = this.#now();
    this.#wakeStarted.set(sub, started);
    this.#opts.metrics?.wakeStarted();
    this.#opts.logger.info({ space: route.space }, 'waking space');
    this.#callWake(route, started, 0);
  }

  #callWake(route: Route, started: number, attempt: number): void {
    const sub = route.subdomain;
    this.#opts.waker.wake(route.space).catch((err: unknown) => {
      // The route left the sleep meanwhile (it runs, or the proxy closed): nothing to retry.
      if (!this.#woken.has(sub) || this.#wakeStarted.get(sub) !== started) return;
      const delayMs = Math.min(WAKE_RETRY_MAX_MS, WAKE_RETRY_BASE_MS * 2 ** attempt);
      if ((this.#now() - started) * 1000 + delayMs < this.#opts.timeoutMs) {
        this.#opts.logger.warn({ space: route.space, err: (err as Error)?.message, attempt: attempt + 1, delayMs }, 'wake failed; trying again');
        const timer = setTimeout(() => {
          this.#retries.delete(sub);
          if (this.#woken.has(sub) && this.#wakeStarted.get(sub) === started) this.#callWake(route, started, attempt + 1);
        }, delayMs);
        this.#retries.set(sub, timer);
        return;
      }
      this.#opts.logger.warn({ space: route.space, err: (err as Error)?.message, attempts: attempt + 1 }, 'wake failed');
      this.#woken.delete(sub);
      this.#endWake(sub, 'failed');
      this.#settleAll(sub, { kind: 'unavailable', reason: 'wake-failed' });
    });
  }

  /** Hold a request until its route runs; undefined when the queue is full. */
  hold(subdomain: string, settle: (outcome: HoldOutcome) => void): HoldHandle | undefined {
    let queue = this.#queues.get(subdomain);
    if (queue === undefined) {
      queue = new Set();
      this.#queues.set(subdomain, queue);
    }
    if (queue.size >= this.#opts.queueMax) return undefined;
    const q = queue;
    const held: Held = {
      settle,
      timer: setTimeout(() => {
        this.#remove(subdomain, q, held);
        settle({ kind: 'unavailable', reason: 'timeout' });
      }, this.#opts.timeoutMs),
    };
    queue.add(held);
    return { cancel: () => this.#remove(subdomain, q, held) };
  }

  /** Held requests for one Space (all Spaces without an argument). */
  heldCount(subdomain?: string): number {
    if (subdomain !== undefined) return this.#queues.get(subdomain)?.size ?? 0;
    let n = 0;
    for (const q of this.#queues.values()) n += q.size;
    return n;
  }

  /** Answer every held request with 503 and stop listening to route changes. */
  close(): void {
    this.#offRoutes();
    for (const t of this.#retries.values()) clearTimeout(t);
    this.#retries.clear();
    for (const sub of [...this.#queues.keys()]) this.#settleAll(sub, { kind: 'unavailable', reason: 'closing' });
    this.#woken.clear();
  }

  #onRoute(sub: string, route: Route | undefined): void {
    const kind = route?.target.kind;
    if (kind === 'sleeping' || kind === 'waking') return;
    // Anything else ends this sleep: the next one wakes again.
    this.#woken.delete(sub);
    clearTimeout(this.#retries.get(sub));
    this.#retries.delete(sub);
    if (kind === 'pending') return; // starting: keep holding
    this.#endWake(sub, kind === 'running' ? 'running' : 'failed');
    if (route !== undefined && kind === 'running') this.#settleAll(sub, { kind: 'ready', route });
    else this.#settleAll(sub, { kind: 'gone', route });
  }

  #now(): number {
    return this.#opts.now ? this.#opts.now() : performance.now() / 1000;
  }

  #endWake(sub: string, outcome: 'running' | 'failed'): void {
    const started = this.#wakeStarted.get(sub);
    if (started === undefined) return;
    this.#wakeStarted.delete(sub);
    this.#opts.metrics?.wakeEnded(outcome, this.#now() - started);
  }

  #settleAll(sub: string, outcome: HoldOutcome): void {
    const queue = this.#queues.get(sub);
    if (queue === undefined) return;
    this.#queues.delete(sub);
    for (const held of queue) {
      clearTimeout(held.timer);
      try {
        held.settle(outcome);
      } catch (err) {
        this.#opts.logger.error({ err }, 'settling a held request failed');
      }
    }
  }

  #remove(sub: string, queue: Set<Held>, held: Held): void {
    clearTimeout(held.timer);
    queue.delete(held);
    if (queue.size === 0 && this.#queues.get(sub) === queue) this.#queues.delete(sub);
  }
}
