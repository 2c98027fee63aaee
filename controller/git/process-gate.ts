import { fail, type SpaceportError } from '../../core/index.js';

export interface ProcessGateLimits {
  /** Processes at once, in all. */
  max: number;
  /** Processes at once for one client (its socket address). */
  perClient: number;
  /** How long a request waits for a free place before it is refused. */
  queueMs: number;
}

interface Waiter {
  client: string;
  grant: () => void;
}

/**
 * Caps the `git http-backend` processes (or other costly requests) running at once, in all and per client. A request over a
 * cap waits in line (first come, first served) for `queueMs`, then is refused with 503 and
 * `Retry-After` (`ServerBusy`). `acquire` resolves to the function that frees the place.
 */
export class ProcessGate {
  readonly #limits: ProcessGateLimits;
  readonly #busy: (retryAfter: number) => SpaceportError;
  #running = 0;
  readonly #perClient = new Map<string, number>();
  readonly #queue: Waiter[] = [];

  /** `busy`: the error for a request that waited too long (default: too many git requests). */
  constructor(limits: ProcessGateLimits, busy?: (retryAfter: number) => SpaceportError) {
    this.#limits = limits;
    this.#busy = busy ?? ((retryAfter) => fail('gitBusy', { retryAfter }, { details: { retryAfter } }));
  }

  /** Places taken now (a gauge for metrics and tests). */
  get running(): number {
    return this.#running;
  }

  /** Requests waiting for a place. */
  get waiting(): number {
    return this.#queue.length;
  }

  #fits(client: string): boolean {
    return this.#running < this.#limits.max && (this.#perClient.get(client) ?? 0) < this.#limits.perClient;
  }

  #take(client: string): () => void {
    this.#running++;
    this.#perClient.set(client, (this.#perClient.get(client) ?? 0) + 1);
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.#running--;
      const left = (this.#perClient.get(client) ?? 1) - 1;
      if (left === 0) this.#perClient.delete(client);
      else this.#perClient.set(client, left);
      this.#wake();
    };
  }

  #wake(): void {
    for (let i = 0; i < this.#queue.length; ) {
      const w = this.#queue[i]!;
      if (!this.#fits(w.client)) {
        i++;
        continue;
      }
      this.#queue.splice(i, 1);
      w.grant();
    }
  }

  /** Wait for a place for `client`; rejects with `ServerBusy` after `queueMs`, or with the signal's reason. */
  acquire(client: string, signal?: AbortSignal): Promise<() => void> {
    const retryAfter = Math.max(1, Math.ceil(this.#limits.queueMs / 1000));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const leave = (): void => {
        const i = this.#queue.indexOf(waiter);
        if (i >= 0) this.#queue.splice(i, 1);
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        client,
        grant: () => {
          leave();
          resolve(this.#take(client));
        },
      };
      const onAbort = (): void => {
        leave();
        reject(signal?.reason);
      };
      if (signal?.aborted) return void reject(signal.reason);
      this.#queue.push(waiter);
      this.#wake();
      if (!this.#queue.includes(waiter)) return;
      timer = setTimeout(() => {
        leave();
        reject(this.#busy(retryAfter));
      }, this.#limits.queueMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
