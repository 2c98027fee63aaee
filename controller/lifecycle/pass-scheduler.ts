import { requestContext, type Clock, type Logger } from '../../core/index.js';
import { KeyedSerializer } from './keyed-serializer.js';

/** The longest delay Node's timers honour. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Spaces reconciled at once in a sweep over all of them. */
const SWEEP_BATCH = 100;

export interface PassSchedulerOptions {
  /** One pass over one Space (by uid). */
  pass(uid: string): Promise<void>;
  /** Every Space's uid, for a sweep. */
  uids(): string[];
  /** One list of what runs (a runtime that can `resync`); absent, every tick is a sweep. */
  resync?: () => Promise<void>;
  clock: Clock;
  logger: Logger;
  /** How often to look for missed changes (a resync, or a sweep without one). Also the retry delay of a failed pass. */
  resyncMs?: number;
  /** How often every Space gets a pass when there is a resync. */
  fullResyncMs?: number;
}

/**
 * When the reconciler's passes run: on request (coalesced, one per Space at a time), when a timer
 * a pass asked for is due, again after a failed pass, and in sweeps over every Space.
 */
export class PassScheduler {
  readonly #o: PassSchedulerOptions;
  readonly #serializer: KeyedSerializer;
  readonly #timers = new Map<string, { timer: NodeJS.Timeout; due: number }>();
  #interval?: NodeJS.Timeout;
  #sweeping?: Promise<void>;
  #closed = false;

  constructor(opts: PassSchedulerOptions) {
    this.#o = opts;
    this.#serializer = new KeyedSerializer(
      (uid) => opts.pass(uid),
      (uid, err) => {
        opts.logger.error({ err, space: uid }, 'reconcile failed');
        // Look again (the engine may be restarting): nothing else may change to trigger a pass.
        this.later(uid, opts.resyncMs ?? 5_000);
      },
    );
  }

  /** A sweep now, then a resync every `resyncMs` and a sweep every `fullResyncMs`. After `close()`, it runs again. */
  async start(): Promise<void> {
    this.#closed = false;
    await this.sweep();
    const resyncMs = this.#o.resyncMs ?? 5_000;
    const fullEvery = this.#o.resync ? Math.max(1, Math.round((this.#o.fullResyncMs ?? 60_000) / resyncMs)) : 1;
    let tick = 0;
    this.#interval = setInterval(() => {
      tick += 1;
      if (tick % fullEvery === 0) void this.sweep();
      else void this.#o.resync?.().catch((err: unknown) => this.#o.logger.debug({ err }, 'runtime resync failed'));
    }, resyncMs);
    this.#interval.unref();
  }

  /**
   * A pass over every Space (after one resync). Never two at once, and in batches, so a sweep over
   * 10,000 Spaces leaves room for requests between them.
   */
  sweep(): Promise<void> {
    if (this.#sweeping) return this.#sweeping;
    this.#sweeping = (async () => {
      // One list of what runs (events missed); a failure (the engine is away) leaves the passes below to report it.
      await this.#o.resync?.().catch((err: unknown) => this.#o.logger.debug({ err }, 'runtime resync failed'));
      const uids = this.#o.uids();
      for (let i = 0; i < uids.length && !this.#closed; i += SWEEP_BATCH) {
        await Promise.all(uids.slice(i, i + SWEEP_BATCH).map((uid) => this.kick(uid)));
        await new Promise((r) => setImmediate(r));
      }
    })().finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  /** A pass over one Space (coalesced). */
  kick(uid: string): Promise<void> {
    if (this.#closed) return Promise.resolve();
    // Passes are shared by everyone who asked (coalesced) and schedule timers of their own: they
    // never carry the id of the request that happened to kick them.
    return requestContext.exit(() => this.#serializer.run(uid));
  }

  /** A pass over a Space in `ms` (an earlier request replaces a later one). */
  later(uid: string, ms: number): void {
    if (this.#closed) return;
    const due = this.#o.clock.now() + ms;
    const existing = this.#timers.get(uid);
    if (existing && existing.due <= due) return;
    if (existing) clearTimeout(existing.timer);
    // Node fires a timer over 2^31-1 ms (~24.8 days, e.g. a sleep time of years) after 1 ms: wake at the cap
    // instead, and the pass then schedules the rest.
    const timer = setTimeout(() => {
      this.#timers.delete(uid);
      void this.kick(uid);
    }, Math.min(Math.max(ms, 0), MAX_TIMER_MS));
    timer.unref();
    this.#timers.set(uid, { timer, due });
  }

  /** No more passes; resolves when the ones under way are done. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#interval) clearInterval(this.#interval);
    for (const t of this.#timers.values()) clearTimeout(t.timer);
    await this.#serializer.idle();
  }
}
