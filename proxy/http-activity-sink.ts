import type { Logger } from 'pino';
import type { ControllerClient } from './controller-client.js';
import type { Activity, ActivitySink } from './route.js';
import { ACTIVITY_PATH } from './route-stream-protocol.js';

export interface HttpActivitySinkOptions {
  client: ControllerClient;
  logger: Logger;
  /** Spaces held while the controller is unreachable; activity of further Spaces is dropped (default 10 000). */
  maxSpaces?: number;
  /** Retry delay after a failed POST: doubles from `initialMs` up to `maxMs` (defaults 1000 and 30 000). */
  retry?: { initialMs?: number; maxMs?: number };
}

export interface ActivitySinkStats {
  pending: number;
  /** Activity entries dropped because the buffer was full. */
  dropped: number;
  /** Consecutive failed POSTs. */
  failures: number;
}

const MAX_BATCH = 10_000;

/**
 * Sends the proxy's activity batches to the controller (`POST /internal/activity`). One POST in
 * flight at a time; what arrives meanwhile, or what a failed POST carried, is merged per Space
 * (latest time wins) into a bounded buffer and sent next, with backoff while the controller is away.
 */
export class HttpActivitySink implements ActivitySink {
  readonly #o: HttpActivitySinkOptions;
  readonly #log: Logger;
  readonly #pending = new Map<string, number>();
  #inFlight: Promise<void> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  #dropped = 0;
  #closed = false;

  constructor(opts: HttpActivitySinkOptions) {
    this.#o = opts;
    this.#log = opts.logger.child({ module: 'activity-sink' });
  }

  report(batch: Activity[]): void {
    this.#merge(batch);
    if (!this.#inFlight && !this.#retryTimer && !this.#closed) this.#send();
  }

  stats(): ActivitySinkStats {
    return { pending: this.#pending.size, dropped: this.#dropped, failures: this.#failures };
  }

  /** Wait for the POST in flight, then try once more to send what is pending (no retries after). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    await this.#inFlight;
    if (this.#pending.size > 0) {
      this.#send();
      await this.#inFlight;
    }
  }

  #merge(batch: Activity[]): void {
    const max = this.#o.maxSpaces ?? 10_000;
    for (const a of batch) {
      const prev = this.#pending.get(a.space);
      if (prev !== undefined) {
        if (a.at > prev) this.#pending.set(a.space, a.at);
      } else if (this.#pending.size < max) {
        this.#pending.set(a.space, a.at);
      } else {
        this.#dropped++;
      }
    }
  }

  #send(): void {
    const batch: Activity[] = [];
    for (const [space, at] of this.#pending) {
      batch.push({ space, at });
      this.#pending.delete(space);
      if (batch.length === MAX_BATCH) break;
    }
    this.#inFlight = this.#o.client.post(ACTIVITY_PATH, batch).then(
      () => {
        if (this.#failures > 0) this.#log.info({ after: this.#failures }, 'activity reaches the controller again');
        this.#failures = 0;
        this.#inFlight = undefined;
        if (this.#pending.size > 0 && !this.#closed) this.#send();
      },
      (err: unknown) => {
        this.#inFlight = undefined;
        this.#merge(batch);
        this.#failures++;
        if (this.#closed) return;
        const initial = this.#o.retry?.initialMs ?? 1000;
        const delay = Math.min(this.#o.retry?.maxMs ?? 30_000, initial * 2 ** Math.min(this.#failures - 1, 20));
        const level = this.#failures === 1 ? 'warn' : 'debug';
        this.#log[level]({ err: (err as Error)?.message, pending: this.#pending.size, retryInMs: delay }, 'activity not delivered; will retry');
        this.#retryTimer = setTimeout(() => {
          this.#retryTimer = undefined;
          if (this.#pending.size > 0) this.#send();
        }, delay);
      },
    );
  }
}
