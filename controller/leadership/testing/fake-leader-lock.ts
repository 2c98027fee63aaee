import { silentLogger } from '../../../core/index.js';
import { LockEvents, type Kick, type Leadership, type LeaderLock } from '../leader-lock.js';

/**
 * A lock the test moves by hand: `gain()` and `lose()` as a real one would, and kicks sent while it
 * follows kept in `sent` (what a follower records for the leader).
 */
export class FakeLeaderLock extends LockEvents implements LeaderLock {
  readonly name = 'fake';
  readonly sent: Kick[] = [];
  #state: Leadership = { kind: 'follower' };
  #term = 0;

  constructor() {
    super((err) => silentLogger().error({ err }));
  }

  get state(): Leadership {
    return this.#state;
  }

  start(): void {}

  gain(): void {
    this.#term += 1;
    this.#state = { kind: 'leader', term: this.#term };
    this.gains.emit(this.#term);
  }

  lose(reason = 'connection lost'): void {
    if (this.#state.kind !== 'leader') return;
    this.#state = { kind: 'follower' };
    this.losses.emit(reason);
  }

  /** A kick arriving from another replica (the leader reads it from pending_kicks). */
  deliver(kick: Kick): void {
    this.kicks.emit(kick);
  }


  async sendKick(kick: Kick): Promise<void> {
    if (this.#state.kind === 'leader') this.kicks.emit(kick);
    else this.sent.push(kick);
  }

  async close(): Promise<void> {
    this.lose('closed');
  }
}
