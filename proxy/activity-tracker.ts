import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Activity, ActivitySink } from './route.js';

export interface ActivityTrackerOptions {
  sink: ActivitySink;
  clock: Clock;
  logger: Logger;
  /** Flush period; 0 disables the timer (tests call `flush()`). */
  flushMs: number;
}

/**
 * Last-active time per Space, in memory: `mark` is O(1) and never reaches the sink; the pending
 * marks go to the sink as one batch every `flushMs` and on `close()`.
 */
export class ActivityTracker {
  readonly #pending = new Map<string, number>();
  readonly #opts: ActivityTrackerOptions;
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(opts: ActivityTrackerOptions) {
    this.#opts = opts;
    if (opts.flushMs > 0) {
      this.#timer = setInterval(() => this.flush(), opts.flushMs);
      this.#timer.unref();
    }
  }

  mark(space: string): void {
    this.#pending.set(space, this.#opts.clock.now());
  }

  /** Send the pending marks as one batch (nothing when there are none). */
  flush(): void {
    if (this.#pending.size === 0) return;
    const batch: Activity[] = [];
    for (const [space, at] of this.#pending) batch.push({ space, at });
    this.#pending.clear();
    try {
      this.#opts.sink.report(batch);
    } catch (err) {
      this.#opts.logger.warn({ err: (err as Error).message, spaces: batch.length }, 'activity report failed');
    }
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.flush();
  }
}
