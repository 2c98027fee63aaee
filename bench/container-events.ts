import type Dockerode from 'dockerode';

export interface ContainerEvent {
  /** Container id. */
  id: string;
  /** `performance.now()` when the event arrived. */
  at: number;
}

/**
 * Docker container events of one Spaceport install's Space containers (label
 * `spaceport.instance`), handed to whoever waits for the next one of a Space.
 */
export class ContainerEvents {
  readonly #o: { docker: Dockerode; instance: string; actions: readonly string[] };
  readonly #abort = new AbortController();
  readonly #waiters = new Map<string, (e: ContainerEvent) => void>();

  constructor(opts: { docker: Dockerode; instance: string; actions: readonly string[] }) {
    this.#o = opts;
  }

  async open(): Promise<void> {
    const stream = (await this.#o.docker.getEvents({
      filters: { type: ['container'], event: [...this.#o.actions], label: [`spaceport.instance=${this.#o.instance}`] },
      abortSignal: this.#abort.signal,
    } as Dockerode.GetEventsOptions)) as unknown as NodeJS.ReadableStream;
    let buf = '';
    stream.on('data', (chunk: Buffer) => {
      const at = performance.now();
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const ev = JSON.parse(line) as { id: string; Action?: string; Actor?: { Attributes?: Record<string, string> } };
        const key = `${ev.Action ?? ''} ${ev.Actor?.Attributes?.['spaceport.space'] ?? ''}`;
        const waiter = this.#waiters.get(key);
        if (waiter) {
          this.#waiters.delete(key);
          waiter({ id: ev.id, at });
        }
      }
    });
    stream.on('error', () => {});
  }

  /** The next `action` event of a Space's container (ask before causing it). */
  next(action: string, space: string): Promise<ContainerEvent> {
    return new Promise((resolve) => this.#waiters.set(`${action} ${space}`, resolve));
  }

  close(): void {
    this.#abort.abort();
  }
}

/** Resolves with the promise's value, or undefined after `ms`. */
export function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([p, new Promise<undefined>((res) => setTimeout(() => res(undefined), ms).unref())]);
}
