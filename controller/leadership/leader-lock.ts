/** Where this replica stands: it leads (in a numbered term) or it follows. */
export type Leadership = { kind: 'follower' } | { kind: 'leader'; term: number };

/**
 * A change only the leader acts on, made on any replica: a pass over a Space (a restart, a wake, a
 * settings change) or a build of its head (a push, a factory rebuild).
 */
export type Kick =
  | { kind: 'pass'; space: string }
  | { kind: 'build'; space: string; noCache?: boolean; force?: boolean };

/**
 * Who leads among the controller replicas. Exactly one replica leads at a time: it runs the work that
 * must not run twice (reconciler passes, builds, housekeeping, upstream follow). Losing the lock's
 * connection is losing leadership: `onLose` fires at once, before another replica can gain.
 *
 * Implementations: `AlwaysLeader` (one process, SQLite: the default) and `PostgresLeaderLock`
 * (a session-level advisory lock). Both run `runLeaderLockContract` (testing/leader-lock-contract.ts).
 */
export interface LeaderLock {
  readonly name: string;
  readonly state: Leadership;
  /** Begin trying to lead (in the background; `onGain` says when it does). */
  start(): void;
  /** Called with the new term each time this replica becomes leader. Returns an unsubscribe function. */
  onGain(fn: (term: number) => void): () => void;
  /** Called each time this replica stops being leader (connection lost, `close()`). */
  onLose(fn: (reason: string) => void): () => void;
  /**
   * Hand a change to the leader: handled here when this replica leads, else recorded for the leader
   * (it resolves once recorded, so a caller that awaits it knows the change will not be lost).
   */
  sendKick(kick: Kick): Promise<void>;
  /** Called on the leader for every kick, from any replica. */
  onKick(fn: (kick: Kick) => void): () => void;
  /** Stop leading (`onLose` fires) and release the lock. */
  close(): Promise<void>;
}

/** A set of listeners, each called in turn; one that throws is reported and the others still run. */
export class Listeners<T extends unknown[]> {
  readonly #fns = new Set<(...args: T) => void>();
  constructor(readonly onError: (err: unknown) => void) {}

  add(fn: (...args: T) => void): () => void {
    this.#fns.add(fn);
    return () => this.#fns.delete(fn);
  }

  emit(...args: T): void {
    for (const fn of [...this.#fns]) {
      try {
        fn(...args);
      } catch (err) {
        this.onError(err);
      }
    }
  }
}

/**
 * What every `LeaderLock` shares: its three event streams (gain, lose, kick) and their `on…` methods.
 * A listener that throws is reported through `report`; the others still run.
 */
export abstract class LockEvents {
  protected readonly gains: Listeners<[number]>;
  protected readonly losses: Listeners<[string]>;
  protected readonly kicks: Listeners<[Kick]>;

  constructor(report: (err: unknown) => void) {
    this.gains = new Listeners(report);
    this.losses = new Listeners(report);
    this.kicks = new Listeners(report);
  }

  onGain(fn: (term: number) => void): () => void {
    return this.gains.add(fn);
  }

  onLose(fn: (reason: string) => void): () => void {
    return this.losses.add(fn);
  }

  onKick(fn: (kick: Kick) => void): () => void {
    return this.kicks.add(fn);
  }
}
