import net from 'node:net';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { ActivitySink, Endpoint, Route, RouteChange, RouteSource } from '../route.js';
import type { DataPlaneApi, HostCounters } from './data-plane-api.js';

export interface DataPlaneDriverOptions {
  routes: RouteSource;
  api: DataPlaneApi;
  activity: ActivitySink;
  clock: Clock;
  logger: Logger;
  /** Spaces are `{subdomain}.{domain}`. */
  domain: string;
  /** Host names that are never a Space's (the hub's): never mapped. */
  hubHosts?: ReadonlySet<string>;
  /** Counters read this often (default 1 s; 0: only `pollActivity()`). */
  pollMs?: number;
  /** Does the app answer at this endpoint? (default: a TCP connect within 1 s). Mapped only once it does. */
  probe?: (endpoint: Endpoint) => Promise<boolean>;
  /** A route whose probe failed is probed again after this long (default 500 ms). */
  reprobeMs?: number;
}

/** Map only what the data plane can serve alone: a running, public app at an IP address. */
function servable(route: Route): Endpoint | undefined {
  if (route.target.kind !== 'running' || route.access === 'private') return undefined;
  const { endpoint } = route.target;
  return net.isIP(endpoint.host) === 4 ? endpoint : undefined;
}

const same = (a: Endpoint | undefined, b: Endpoint | undefined): boolean => a?.host === b?.host && a?.port === b?.port;

export function tcpProbe(endpoint: Endpoint, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(endpoint.port, endpoint.host);
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * Drives a native data plane from the route stream: the Host map holds the running public Spaces
 * whose app answers, and nothing else (every other request falls to Spaceport, the default backend).
 * Changes go out one at a time in the stream's order; a wake is routed only after its app answers; a
 * Space going to sleep is removed at once. `resync()` pushes the whole map (after HAProxy restarts).
 * Each second the per-Host counters are read: a Space whose app-response count grew, or that has a
 * stream open, is reported active to the sink, as the Node path's activity batches are.
 */
export class DataPlaneDriver {
  readonly #o: DataPlaneDriverOptions;
  /** What should be mapped (host → route and endpoint), from the stream. */
  readonly #wanted = new Map<string, { space: string; endpoint: Endpoint }>();
  /** What the data plane holds, as far as we pushed it. */
  readonly #held = new Map<string, Endpoint>();
  readonly #lastResponses = new Map<string, number>();
  #queue: Promise<void> = Promise.resolve();
  #unsubscribe: (() => void) | undefined;
  #poll: NodeJS.Timeout | undefined;
  #closed = false;
  /** False until the first `resync()`: before it there is no data plane to send single changes to. */
  #live = false;

  constructor(opts: DataPlaneDriverOptions) {
    this.#o = opts;
  }

  hostOf(subdomain: string): string {
    return `${subdomain}.${this.#o.domain}`.toLowerCase();
  }

  /** Follow the route stream; the whole map is pushed by `resync()` (the data plane calls it once started). */
  start(): void {
    this.#unsubscribe = this.#o.routes.subscribe((change) => this.#onChange(change));
    for (const route of this.#o.routes.snapshot()) this.#onChange({ kind: 'upsert', route });
    const pollMs = this.#o.pollMs ?? 1_000;
    if (pollMs > 0) {
      this.#poll = setInterval(() => void this.pollActivity(), pollMs);
      this.#poll.unref();
    }
  }

  /** How many Spaces the data plane serves alone now. */
  get mapped(): number {
    return this.#held.size;
  }

  /** Push the whole map (HAProxy restarted: its map is empty). Never throws: a failure is logged. */
  resync(): Promise<void> {
    return this.#enqueue(async () => {
      const routes = new Map<string, Endpoint>();
      for (const [host, w] of this.#wanted) if (this.#ready.has(host)) routes.set(host, w.endpoint);
      this.#held.clear();
      this.#lastResponses.clear();
      await this.#o.api.replaceRoutes(routes);
      for (const [host, e] of routes) this.#held.set(host, e);
      this.#live = true;
      this.#o.logger.info({ routes: routes.size }, 'data plane map pushed');
    });
  }

  /** Hosts whose current endpoint answered the probe. */
  readonly #ready = new Set<string>();
  readonly #probing = new Map<string, Endpoint>();

  #onChange(change: RouteChange): void {
    if (this.#closed) return;
    if (change.kind === 'remove') {
      this.#unwant(this.hostOf(change.subdomain));
      return;
    }
    const host = this.hostOf(change.route.subdomain);
    const endpoint = this.#o.hubHosts?.has(host) ? undefined : servable(change.route);
    if (endpoint === undefined) {
      this.#unwant(host);
      return;
    }
    const before = this.#wanted.get(host);
    this.#wanted.set(host, { space: change.route.space, endpoint });
    if (same(before?.endpoint, endpoint) && this.#ready.has(host)) return;
    // A new endpoint. A Space already mapped moves (a new release: the old one serves until the
    // switch, then drains), so it stays on the map while the new endpoint is probed and switches in
    // one `set map` when that answers at once; one that does not answer at once leaves the map, and
    // Spaceport serves the host (it forwards there too, with retries) until it does.
    this.#ready.delete(host);
    void this.#probeThenRoute(host, endpoint, this.#held.has(host));
  }

  #unwant(host: string): void {
    this.#wanted.delete(host);
    this.#ready.delete(host);
    this.#probing.delete(host);
    this.#enqueue(() => this.#remove(host));
  }

  /** Map `host` to `endpoint` once it answers; `mapped`: the host is on the map (at an old endpoint) meanwhile, until a probe fails. */
  async #probeThenRoute(host: string, endpoint: Endpoint, mapped = false): Promise<void> {
    if (same(this.#probing.get(host), endpoint)) return;
    this.#probing.set(host, endpoint);
    const probe = this.#o.probe ?? tcpProbe;
    for (;;) {
      const ok = await probe(endpoint).catch(() => false);
      if (this.#closed || !same(this.#probing.get(host), endpoint) || !same(this.#wanted.get(host)?.endpoint, endpoint)) return;
      if (ok) break;
      if (mapped) {
        mapped = false;
        this.#enqueue(async () => {
          // Still the endpoint wanted (no newer change took over): Spaceport serves the host until it answers.
          if (same(this.#wanted.get(host)?.endpoint, endpoint) && !this.#ready.has(host)) await this.#remove(host);
        });
      }
      await new Promise((r) => setTimeout(r, this.#o.reprobeMs ?? 500).unref());
    }
    this.#probing.delete(host);
    this.#ready.add(host);
    await this.#enqueue(async () => {
      const now = this.#wanted.get(host);
      if (!this.#live) return; // the first resync pushes it
      if (!now || !same(now.endpoint, endpoint) || same(this.#held.get(host), endpoint)) return;
      await this.#o.api.setRoute(host, endpoint);
      this.#held.set(host, endpoint);
    });
  }

  async #remove(host: string): Promise<void> {
    if (!this.#live || !this.#held.has(host)) return;
    this.#held.delete(host);
    await this.#o.api.removeRoute(host);
  }

  /** Changes go out one after another, in order; one that fails is logged (a restart's resync repairs it). */
  #enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(step).catch((err: unknown) => {
      this.#o.logger.warn({ err: (err as Error).message }, 'data plane change failed');
    });
    this.#queue = next;
    return next;
  }

  /** Wait for every change queued so far to reach the data plane. */
  settled(): Promise<void> {
    return this.#queue;
  }

  /** Read the counters once and report the Spaces that served (or hold a stream open) since the last read. */
  async pollActivity(): Promise<void> {
    let counters: HostCounters[];
    try {
      counters = await this.#o.api.counters();
    } catch (err) {
      this.#o.logger.debug({ err: (err as Error).message }, 'data plane counters unreadable');
      return;
    }
    const at = this.#o.clock.now();
    const batch = [];
    for (const c of counters) {
      const last = this.#lastResponses.get(c.host);
      this.#lastResponses.set(c.host, c.responses);
      const grew = last === undefined ? c.responses > 0 : c.responses !== last;
      if (!grew && c.open === 0) continue;
      const space = this.#wanted.get(c.host)?.space;
      if (space !== undefined) batch.push({ space, at });
    }
    if (batch.length > 0) this.#o.activity.report(batch);
  }

  /** Stop following the stream; the counters are read one last time (as the Node path flushes its pending activity). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    if (this.#poll) clearInterval(this.#poll);
    await this.#queue;
    await this.pollActivity();
  }
}
