import type { Endpoint, Route, RouteChange, RouteSource } from './route.js';

export type RouteListener = (subdomain: string, route: Route | undefined, previous: Route | undefined) => void;

export function endpointKey(e: Endpoint): string {
  return `${e.host}:${e.port}`;
}

/**
 * The proxy's copy of the controller's routes, by subdomain: filled from a snapshot, kept current by
 * the subscription. Listeners hear every change after it is applied.
 */
export class RouteTable {
  readonly #routes = new Map<string, Route>();
  /** How many routes run on each endpoint (`host:port`). */
  readonly #endpointRefs = new Map<string, number>();
  readonly #listeners = new Set<RouteListener>();
  #unsubscribe: (() => void) | undefined;

  constructor(source: RouteSource) {
    // Subscribe first so no change between snapshot and subscribe is lost (upserts are idempotent).
    const early: RouteChange[] = [];
    let ready = false;
    this.#unsubscribe = source.subscribe((change) => (ready ? this.#apply(change) : early.push(change)));
    for (const route of source.snapshot()) this.#set(route);
    ready = true;
    for (const change of early) this.#apply(change);
  }

  get(subdomain: string): Route | undefined {
    return this.#routes.get(subdomain);
  }

  get size(): number {
    return this.#routes.size;
  }

  /** Does any running route use this endpoint key (`host:port`)? */
  hasEndpoint(key: string): boolean {
    return this.#endpointRefs.has(key);
  }

  onChange(listener: RouteListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#listeners.clear();
  }

  #apply(change: RouteChange): void {
    if (change.kind === 'upsert') {
      this.#set(change.route);
    } else {
      const sub = change.subdomain.toLowerCase();
      const previous = this.#routes.get(sub);
      if (previous === undefined) return;
      this.#routes.delete(sub);
      this.#count(previous, -1);
      this.#emit(sub, undefined, previous);
    }
  }

  #set(route: Route): void {
    const sub = route.subdomain.toLowerCase();
    const stored = sub === route.subdomain ? route : { ...route, subdomain: sub };
    const previous = this.#routes.get(sub);
    this.#routes.set(sub, stored);
    this.#count(stored, 1);
    if (previous) this.#count(previous, -1);
    this.#emit(sub, stored, previous);
  }

  #count(route: Route, delta: 1 | -1): void {
    if (route.target.kind !== 'running') return;
    const key = endpointKey(route.target.endpoint);
    const n = (this.#endpointRefs.get(key) ?? 0) + delta;
    if (n > 0) this.#endpointRefs.set(key, n);
    else this.#endpointRefs.delete(key);
  }

  #emit(subdomain: string, route: Route | undefined, previous: Route | undefined): void {
    for (const l of this.#listeners) l(subdomain, route, previous);
  }
}
