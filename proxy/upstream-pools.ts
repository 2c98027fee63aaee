import { H1Pool } from './upstream-h1/index.js';
import type { Endpoint } from './route.js';
import { endpointKey } from './route-table.js';

export interface UpstreamPoolsOptions {
  /** Upper bound of connections per endpoint; further requests queue in the pool. */
  connectionsPerEndpoint: number;
  connectTimeoutMs: number;
}

/** One keep-alive connection pool per app endpoint (one request at a time per connection), closed when the endpoint leaves the route table. */
export class UpstreamPools {
  readonly #pools = new Map<string, H1Pool>();
  readonly #byEndpoint = new WeakMap<Endpoint, H1Pool>();
  readonly #opts: UpstreamPoolsOptions;

  constructor(opts: UpstreamPoolsOptions) {
    this.#opts = opts;
  }

  get(endpoint: Endpoint): H1Pool {
    // A route's endpoint object is the same for each of its requests: found by identity, no key built.
    const known = this.#byEndpoint.get(endpoint);
    if (known !== undefined && !known.closed) return known;
    const key = endpointKey(endpoint);
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      pool = new H1Pool({
        host: endpoint.host,
        port: endpoint.port,
        connections: this.#opts.connectionsPerEndpoint,
        connectTimeoutMs: this.#opts.connectTimeoutMs,
      });
      this.#pools.set(key, pool);
    }
    this.#byEndpoint.set(endpoint, pool);
    return pool;
  }

  get size(): number {
    return this.#pools.size;
  }

  has(key: string): boolean {
    return this.#pools.has(key);
  }

  /** Close the pool of an endpoint that left the route table (gracefully: in-flight requests finish). */
  drop(key: string): void {
    const pool = this.#pools.get(key);
    if (pool === undefined) return;
    this.#pools.delete(key);
    void pool.close().catch(() => undefined);
  }

  /** Close every pool; destroy those still busy after `graceMs`. */
  async close(graceMs: number): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(
      pools.map(async (pool) => {
        let timer: NodeJS.Timeout | undefined;
        const forced = new Promise<void>((resolve) => {
          timer = setTimeout(() => void pool.destroy().then(resolve, resolve), graceMs);
        });
        await Promise.race([pool.close().catch(() => undefined), forced]);
        clearTimeout(timer);
      }),
    );
  }
}
