/** Where the proxy sends a request for a Space's subdomain: the controller decides, the proxy obeys. */
export interface Endpoint {
  host: string;
  port: number;
}

export type RouteTarget =
  /** A release is ready: forward (even while a newer one builds or starts). */
  | { kind: 'running'; endpoint: Endpoint }
  /**
   * A static Space: the proxy serves the files of the tree named by its hash itself (no container).
   * `index` is the file `/` answers with (`app_file`), relative to the tree.
   */
  | { kind: 'static'; tree: string; index: string }
  /** Asleep (no container): the first request wakes it. */
  | { kind: 'sleeping' }
  /** Waking: a start is under way after a visit. */
  | { kind: 'waking' }
  /** Paused by its owner: never woken by visitors. */
  | { kind: 'paused' }
  /** Nothing serves yet: building or starting. The page names the stage and refreshes. */
  | { kind: 'pending'; stage: string; message?: string }
  /** Nothing serves and the last attempt failed. */
  | { kind: 'failed'; stage: string; message: string };

/**
 * Who may use the app: `public` (anyone), or `private` (only a browser holding the Space host's
 * grant cookie, or a client sending `Authorization: Bearer <token>` that the `AccessChecker` accepts;
 * everyone else gets the 404 page and the Space is never woken for them).
 */
export type AppAccess = 'public' | 'private';

export interface Route {
  /** The label before the domain, e.g. `alice-demo`. */
  subdomain: string;
  /** `owner/name`. */
  space: string;
  /** The Hub stage, for pages and the status endpoint. */
  stage: string;
  target: RouteTarget;
  /** Absent: `public` (routes from controllers that predate private apps). */
  access?: AppAccess;
  /**
   * The Space's unique id and visibility generation (`uid.gen`): private-app grants and cookies are
   * bound to it as well as to the subdomain, so none opens a later Space that takes the same
   * subdomain, nor the same Space after it was made public and private again. Absent: the subdomain alone.
   */
  grantScope?: string;
}

/** What a private-app grant or cookie for this route is bound to. */
export function appScopeOf(route: Pick<Route, 'subdomain' | 'grantScope'>): string {
  return route.grantScope === undefined ? route.subdomain : `${route.subdomain} ${route.grantScope}`;
}

export type RouteChange = { kind: 'upsert'; route: Route } | { kind: 'remove'; subdomain: string };

/** The controller's route table as the proxy sees it: in-process now, a websocket stream later. */
export interface RouteSource {
  snapshot(): Route[];
  subscribe(onChange: (change: RouteChange) => void): () => void;
}

/** When a Space last served a response from its app. Reported in coalesced batches. */
export interface Activity {
  space: string;
  /** Epoch ms of the latest activity in this batch. */
  at: number;
}

export interface ActivitySink {
  report(batch: Activity[]): void;
}

/**
 * The controller's answer to "may the holder of this token use this Space's app?" (a private Space's
 * app reached with `Authorization: Bearer <token>`, as gradio_client sends `hf_token`). In-process the
 * controller itself; for proxy replicas `HttpAccessChecker` over `POST /internal/access`.
 */
export interface AccessChecker {
  canUseApp(space: string, token: string): Promise<boolean>;
}

/** The controller side of waking: start a sleeping Space (idempotent; many calls, one start). */
export interface Waker {
  wake(space: string): Promise<void>;
}
