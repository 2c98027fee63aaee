/**
 * Failed sign-ins per source address in a sliding window: past `maxFailures`, sign-in from that
 * address is refused until the window has passed. In memory (one controller process).
 */
export class SignInLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(opts: { maxFailures: number; windowMs?: number; now?: () => number }) {
    this.#max = opts.maxFailures;
    this.#windowMs = opts.windowMs ?? 15 * 60_000;
    this.#now = opts.now ?? Date.now;
  }

  #recent(address: string): number[] {
    const since = this.#now() - this.#windowMs;
    const list = (this.#failures.get(address) ?? []).filter((t) => t > since);
    if (list.length) this.#failures.set(address, list);
    else this.#failures.delete(address);
    return list;
  }

  /** Whether this address may try now. */
  allowed(address: string): boolean {
    return this.#recent(address).length < this.#max;
  }

  fail(address: string): void {
    const list = this.#recent(address);
    list.push(this.#now());
    this.#failures.set(address, list);
    // Bound the memory a flood of addresses can take.
    if (this.#failures.size > 100_000) this.#failures.delete(this.#failures.keys().next().value!);
  }

  succeed(address: string): void {
    this.#failures.delete(address);
  }
}
