import type { AppAccess, Route, RouteChange, RouteSource } from '../../proxy/index.js';
import type { SpaceRecord } from '../store/records.js';

/** Who may use a Space's app on its subdomain: private Spaces' apps are for members; protected ones keep a public app. */
export function appAccessOf(space: Pick<SpaceRecord, 'visibility'>): AppAccess {
  return space.visibility === 'private' ? 'private' : 'public';
}

/** The controller's route table, served in-process to the proxy (a network RouteSource can wrap it later). */
export class InProcessRouteTable implements RouteSource {
  readonly #routes = new Map<string, Route>();
  readonly #subscribers = new Set<(change: RouteChange) => void>();

  snapshot(): Route[] {
    return [...this.#routes.values()];
  }

  get(subdomain: string): Route | undefined {
    return this.#routes.get(subdomain);
  }

  subscribe(onChange: (change: RouteChange) => void): () => void {
    this.#subscribers.add(onChange);
    return () => this.#subscribers.delete(onChange);
  }

  /** Publish a route; subscribers hear of it only when it changed. */
  upsert(route: Route): void {
    const prev = this.#routes.get(route.subdomain);
    if (prev && JSON.stringify(prev) === JSON.stringify(route)) return;
    this.#routes.set(route.subdomain, route);
    this.#emit({ kind: 'upsert', route });
  }

  remove(subdomain: string): void {
    if (!this.#routes.delete(subdomain)) return;
    this.#emit({ kind: 'remove', subdomain });
  }

  /** Remove every route of a Space other than `keepSubdomain` (after a rename). */
  removeSpace(space: string, keepSubdomain?: string): void {
    for (const r of [...this.#routes.values()]) {
      if (r.space === space && r.subdomain !== keepSubdomain) this.remove(r.subdomain);
    }
  }

  #emit(change: RouteChange): void {
    for (const s of this.#subscribers) s(change);
  }
}
