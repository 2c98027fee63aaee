import type { AppAccess, Route, RouteChange, RouteSource } from '../../proxy/index.js';
import type { SpaceRecord } from '../store/records.js';

/** Who may use a Space's app on its subdomain: private Spaces' apps are for members; protected ones keep a public app. */
export function appAccessOf(space: Pick<SpaceRecord, 'visibility'>): AppAccess {
  return space.visibility === 'private' ? 'private' : 'public';
}

/** What a Space's private-app grants and cookies are bound to besides its subdomain: its uid and visibility generation. */
export function grantScopeOf(space: Pick<SpaceRecord, 'uid' | 'visibilityGen'>): string {
  return `${space.uid}.${space.visibilityGen}`;
}

/** Whether a route's grant scope is that of the Space with this uid (any visibility generation). */
function grantScopeIsOf(scope: string | undefined, uid: string): boolean {
  return scope !== undefined && scope.slice(0, scope.lastIndexOf('.')) === uid;
}

/** The controller's route table, served in-process to the proxy (a network RouteSource can wrap it later). */
export class InProcessRouteTable implements RouteSource {
  readonly #routes = new Map<string, Route>();
  /** Subdomains routed to each Space: `removeSpace` (every reconcile pass) looks at one Space's, not every route. */
  readonly #bySpace = new Map<string, Set<string>>();
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
    if (prev && prev.space !== route.space) this.#unindex(prev);
    this.#routes.set(route.subdomain, route);
    let subs = this.#bySpace.get(route.space);
    if (!subs) this.#bySpace.set(route.space, (subs = new Set()));
    subs.add(route.subdomain);
    this.#emit({ kind: 'upsert', route });
  }

  remove(subdomain: string): void {
    const prev = this.#routes.get(subdomain);
    if (!prev) return;
    this.#routes.delete(subdomain);
    this.#unindex(prev);
    this.#emit({ kind: 'remove', subdomain });
  }

  /** Remove the routes of a Space known by its uid only (it is gone from the store: deleted through another replica). */
  removeSpaceUid(uid: string): void {
    for (const route of [...this.#routes.values()]) if (grantScopeIsOf(route.grantScope, uid)) this.remove(route.subdomain);
  }

  /** A Space's route as a pass computed it: the only route of that Space (an old subdomain goes). */
  publish(route: Route): void {
    this.removeSpace(route.space, route.subdomain);
    this.upsert(route);
  }

  /** Remove every route of a Space other than `keepSubdomain` (after a rename). */
  removeSpace(space: string, keepSubdomain?: string): void {
    const subs = this.#bySpace.get(space);
    if (!subs) return;
    for (const sub of [...subs]) if (sub !== keepSubdomain) this.remove(sub);
  }

  #unindex(route: Route): void {
    const subs = this.#bySpace.get(route.space);
    subs?.delete(route.subdomain);
    if (subs?.size === 0) this.#bySpace.delete(route.space);
  }

  #emit(change: RouteChange): void {
    for (const s of this.#subscribers) s(change);
  }
}
