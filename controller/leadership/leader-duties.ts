import type { Logger } from '../../core/index.js';
import type { Kick, LeaderLock } from './leader-lock.js';

export interface LeaderDutiesOptions {
  lock: LeaderLock;
  logger: Logger;
  /**
   * Start the leader-only work of a term, step by step; `signal` aborts when the term ends first (the
   * steps check it, so nothing starts after a loss).
   */
  start(term: number, signal: AbortSignal): Promise<void>;
  /** Stop it all, as `close()` does: resolves when none of it runs. */
  stop(): Promise<void>;
  /** A change handed to the leader by any replica (this one included). */
  handle(kick: Kick): Promise<void>;
  /** What runs while this replica does not lead (looking, never acting: `Observer`). */
  following?: { start(): void; stop(): Promise<void> };
}

/**
 * The leader-only work follows the lock: started at each gain (once the previous stop is done),
 * stopped at once at each loss, and kicks handled only while this replica leads.
 */
export class LeaderDuties {
  readonly #o: LeaderDutiesOptions;
  readonly #unsubscribe: (() => void)[];
  #chain: Promise<void> = Promise.resolve();
  #term?: AbortController;
  #running = false;
  #following = false;
  #closed = false;

  constructor(opts: LeaderDutiesOptions) {
    this.#o = opts;
    const { lock, logger } = opts;
    this.#unsubscribe = [
      lock.onGain((term) => this.#gain(term)),
      lock.onLose((reason) => this.#lose(reason)),
      lock.onKick((kick) => {
        if (lock.state.kind !== 'leader') return;
        void opts.handle(kick).catch((err: unknown) => logger.error({ err, space: kick.space, kick: kick.kind }, 'a change handed to the leader failed'));
      }),
    ];
  }

  /**
   * Start the lock and wait up to `waitMs` for it to lead (a lone replica leads before its port opens,
   * as one process does); until it leads, follow.
   */
  async start(waitMs = 0): Promise<void> {
    const { lock } = this.#o;
    let off: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const gained = new Promise<void>((resolve) => {
      off = lock.onGain(() => resolve());
      timer = setTimeout(resolve, waitMs);
    });
    lock.start();
    if (lock.state.kind !== 'leader') await gained;
    off?.();
    clearTimeout(timer);
    if (lock.state.kind !== 'leader') this.#follow();
  }

  /** Resolves once the starts and stops asked so far are done. */
  settled(): Promise<void> {
    return this.#chain;
  }

  /** Stop following the lock, and stop the work if it runs. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const off of this.#unsubscribe) off();
    this.#lose('closed');
    await this.#chain;
    await this.#unfollow();
  }

  #follow(): void {
    if (this.#following || !this.#o.following) return;
    this.#following = true;
    this.#o.following.start();
  }

  async #unfollow(): Promise<void> {
    if (!this.#following) return;
    this.#following = false;
    await this.#o.following?.stop();
  }

  #gain(term: number): void {
    const ac = new AbortController();
    this.#term = ac;
    this.#chain = this.#chain.then(async () => {
      await this.#unfollow();
      if (ac.signal.aborted) return;
      this.#running = true;
      this.#o.logger.info({ term }, 'leader-only work starts');
      await this.#o.start(term, ac.signal).catch((err: unknown) => this.#o.logger.error({ err, term }, 'leader-only work did not start'));
    });
  }

  #lose(reason: string): void {
    this.#term?.abort(new Error(reason));
    let stopped: Promise<void> = Promise.resolve();
    if (this.#running) {
      this.#running = false;
      this.#o.logger.info({ reason }, 'leader-only work stops');
      // At once, not after a start under way (that one sees the abort and starts nothing more).
      stopped = this.#o.stop().catch((err: unknown) => this.#o.logger.error({ err }, 'leader-only work did not stop cleanly'));
    }
    this.#chain = Promise.all([this.#chain, stopped]).then(() => {
      if (!this.#closed && this.#o.lock.state.kind !== 'leader') this.#follow();
    });
  }

}
