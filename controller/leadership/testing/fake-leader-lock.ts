import { silentLogger } from '../../../core/index.js';
import { Listeners, type Kick, type Leadership, type LeaderLock } from '../leader-lock.js';

/**
 * A lock the test moves by hand: `gain()` and `lose()` as a real one would, and kicks sent while it
 * follows kept in `sent` (what a follower records for the leader).
 */
export class FakeLeaderLock implements LeaderLock {
  readonly name = 'fake';
  readonly sent: Kick[] = [];
  #state: Leadership = { kind: 'follower' };
  #term = 0;
  readonly #gain = new Listeners<[number]>((err) => silentLogger().error({ err }));
  readonly #lose = new Listeners<[string]>((err) => silentLogger().error({ err }));
  readonly #kick = new Listeners<[Kick]>((err) => silentLogger().error({ err }));

  get state(): Leadership {
    return this.#state;
  }

  start(): void {}

  gain(): void {
    this.#term += 1;
    this.#state = { kind: 'leader', term: this.#term };
    this.#gain.emit(this.#term);
  }

  lose(reason = 'connection lost'): void {
    if (this.#state.kind !== 'leader') return;
    this.#state = { kind: 'follower' };
    this.#lose.emit(reason);
  }

  /** A kick arriving from another replica (the leader reads it from pending_kicks). */
  deliver(kick: Kick): void {
    this.#kick.emit(kick);
  }

  onGain(fn: (term: number) => void): () => void {
    return this.#gain.add(fn);
  }

  onLose(fn: (reason: string) => void): () => void {
    return this.#lose.add(fn);
  }

  onKick(fn: (kick: Kick) => void): () => void {
    return this.#kick.add(fn);
  }

  async sendKick(kick: Kick): Promise<void> {
    if (this.#state.kind === 'leader') this.#kick.emit(kick);
    else this.sent.push(kick);
  }

  async close(): Promise<void> {
    this.lose('closed');
  }
}
