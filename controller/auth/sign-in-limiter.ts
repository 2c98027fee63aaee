/**
 * Failed sign-ins in a sliding window, per source address and user name (`maxFailures`), and per
 * address whatever the name (10 × `maxFailures`, against spraying many names). Keyed by name too so
 * that, behind an ingress where everyone shares one address, failures against one account do not
 * lock everybody out. In memory (one controller process).
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

  #recent(key: string): number[] {
    const since = this.#now() - this.#windowMs;
    const list = (this.#failures.get(key) ?? []).filter((t) => t > since);
    if (list.length) this.#failures.set(key, list);
    else this.#failures.delete(key);
    return list;
  }

  #push(key: string): void {
    const list = this.#recent(key);
    list.push(this.#now());
    this.#failures.set(key, list);
  }

  /** Whether `user` may try to sign in from `address` now. */
  allowed(address: string, user: string): boolean {
    return this.#recent(`${address}\n${user.toLowerCase()}`).length < this.#max && this.#recent(address).length < this.#max * 10;
  }

  fail(address: string, user: string): void {
    this.#push(`${address}\n${user.toLowerCase()}`);
    this.#push(address);
    // Bound the memory a flood of addresses can take.
    while (this.#failures.size > 100_000) this.#failures.delete(this.#failures.keys().next().value!);
  }

  succeed(address: string, user: string): void {
    this.#failures.delete(`${address}\n${user.toLowerCase()}`);
  }
}
