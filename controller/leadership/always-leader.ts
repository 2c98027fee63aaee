import type { Logger } from '../../core/index.js';
import { LockEvents, type Kick, type Leadership, type LeaderLock } from './leader-lock.js';

/**
 * The one process with SQLite (the embedded default): it leads from `start()` to `close()`, in term 1,
 * and kicks are handled in process.
 */
export class AlwaysLeader extends LockEvents implements LeaderLock {
  readonly name = 'always';
  #state: Leadership = { kind: 'follower' };
  #closed = false;

  constructor(logger: Logger) {
    super((err) => logger.error({ err }, 'a leadership listener failed'));
  }

  get state(): Leadership {
    return this.#state;
  }

  start(): void {
    if (this.#closed || this.#state.kind === 'leader') return;
    this.#state = { kind: 'leader', term: 1 };
    this.gains.emit(1);
  }


  async sendKick(kick: Kick): Promise<void> {
    this.kicks.emit(kick);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#state.kind !== 'leader') return;
    this.#state = { kind: 'follower' };
    this.losses.emit('closed');
  }
}
