/**
 * Runs work for one key at a time and coalesces bursts: a `run(key)` while that key's work is under
 * way schedules exactly one more run after it, however many calls arrive.
 */
export class KeyedSerializer {
  readonly #running = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  readonly #work: (key: string) => Promise<void>;
  readonly #onError: (key: string, err: unknown) => void;

  constructor(work: (key: string) => Promise<void>, onError: (key: string, err: unknown) => void) {
    this.#work = work;
    this.#onError = onError;
  }

  run(key: string): Promise<void> {
    const current = this.#running.get(key);
    if (current) {
      this.#again.add(key);
      return current;
    }
    const p = (async () => {
      try {
        do {
          this.#again.delete(key);
          try {
            await this.#work(key);
          } catch (err) {
            this.#onError(key, err);
          }
        } while (this.#again.has(key));
      } finally {
        this.#running.delete(key);
      }
    })();
    this.#running.set(key, p);
    return p;
  }

  /** Wait for everything under way. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()]);
  }
}
