import type { Endpoint } from '../route.js';

/** What the data plane counted for one Host since it started (counters only grow, until it restarts). */
export interface HostCounters {
  host: string;
  /** App responses with a status under 400. */
  responses: number;
  /** Requests to the app in flight now (an open SSE stream counts until it ends). */
  open: number;
}

/**
 * A native data plane as Spaceport drives it: a Host → app endpoint map, changed one entry at a time
 * or replaced whole, and per-Host counters read back for activity. HAProxy's runtime API
 * (`HaproxyRuntimeApi`) and an in-memory fake (`FakeDataPlaneApi`) implement it; both pass
 * `runDataPlaneApiContract`.
 */
export interface DataPlaneApi {
  /** Route `host` (lowercase, no port) to `endpoint` (an IP address): added or changed. */
  setRoute(host: string, endpoint: Endpoint): Promise<void>;
  /** Stop routing `host` (absent: nothing happens). */
  removeRoute(host: string): Promise<void>;
  /** Replace every route at once (after a restart, or a fresh snapshot). */
  replaceRoutes(routes: ReadonlyMap<string, Endpoint>): Promise<void>;
  /** The routes held now, `host → "ip:port"`. */
  routes(): Promise<Map<string, string>>;
  counters(): Promise<HostCounters[]>;
}
