import type { Endpoint } from '../../route.js';
import type { DataPlaneApi, HostCounters } from '../data-plane-api.js';
import { checkEntry } from '../haproxy-runtime-api.js';

/** The data plane in memory, for tests: routes as HAProxy would hold them, counters set by the test. */
export class FakeDataPlaneApi implements DataPlaneApi {
  readonly #routes = new Map<string, string>();
  readonly #counters = new Map<string, HostCounters>();
  /** Every change in order (`set host ip:port`, `del host`, `replace n`), for tests that check order. */
  readonly log: string[] = [];
  /** While true every call fails (a data plane that went away). */
  down = false;

  async setRoute(host: string, endpoint: Endpoint): Promise<void> {
    this.#check();
    checkEntry(host, endpoint);
    this.#routes.set(host, `${endpoint.host}:${endpoint.port}`);
    this.log.push(`set ${host} ${endpoint.host}:${endpoint.port}`);
  }

  async removeRoute(host: string): Promise<void> {
    this.#check();
    this.#routes.delete(host);
    this.log.push(`del ${host}`);
  }

  async replaceRoutes(routes: ReadonlyMap<string, Endpoint>): Promise<void> {
    this.#check();
    for (const [host, e] of routes) checkEntry(host, e);
    this.#routes.clear();
    for (const [host, e] of routes) this.#routes.set(host, `${e.host}:${e.port}`);
    this.log.push(`replace ${routes.size}`);
  }

  async routes(): Promise<Map<string, string>> {
    this.#check();
    return new Map(this.#routes);
  }

  async counters(): Promise<HostCounters[]> {
    this.#check();
    return [...this.#counters.values()].map((c) => ({ ...c }));
  }

  /** What the next `counters()` reports for `host`. */
  count(host: string, c: { responses?: number; open?: number }): void {
    const held = this.#counters.get(host) ?? { host, responses: 0, open: 0 };
    this.#counters.set(host, { host, responses: c.responses ?? held.responses, open: c.open ?? held.open });
  }

  /** A restart: routes and counters are gone. */
  restart(): void {
    this.#routes.clear();
    this.#counters.clear();
  }

  #check(): void {
    if (this.down) throw Object.assign(new Error('data plane down'), { code: 'ECONNREFUSED' });
  }
}
