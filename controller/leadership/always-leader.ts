import type { Logger } from '../../core/index.js';
import { Listeners, type Kick, type Leadership, type LeaderLock } from './leader-lock.js';

/**
 * The one process with SQLite (the embedded default): it leads from `start()` to `close()`, in term 1,
 * and kicks are handled in process.
 */
export class AlwaysLeader implements LeaderLock {
  readonly name = 'always';
  #state: Leadership = { kind: 'follower' };
  #closed = false;
  readonly #gain: Listeners<[number]>;
  readonly #lose: Listeners<[string]>;
  readonly #kick: Listeners<[Kick]>;

  constructor(logger: Logger) {
    const report = (err: unknown): void => logger.error({ err }, 'a leadership listener failed');
    this.#gain = new Listeners(report);
    this.#lose = new Listeners(report);
    this.#kick = new Listeners(report);
  }

  get state(): Leadership {
    return this.#state;
  }

  start(): void {
    if (this.#closed || this.#state.kind === 'leader') return;
    this.#state = { kind: 'leader', term: 1 };
    this.#gain.emit(1);
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
    this.#kick.emit(kick);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#state.kind !== 'leader') return;
    this.#state = { kind: 'follower' };
    this.#lose.emit('closed');
  }
}
