import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ProxyMetrics } from '../../proxy/index.js';
import type { DataPlaneState } from '../../proxy/data-plane/index.js';
import { ProxyRequestTally, type RegistryMetric } from './proxy-request-tally.js';

/** Seconds: proxy answers (fast apps to slow model calls). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Seconds: wakes and builds (a container start to a long image build). */
const SLOW_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 3600];

export interface MetricsSources {
  /** Requests held while their Space wakes, now. */
  heldRequests(): number;
  /** How many Spaces are in each Hub stage, now (from the route table). */
  spacesByStage(): Record<string, number>;
  /** Builds queued and running, now. */
  buildsInFlight?(): { queued: number; running: number };
  /** git requests running (a `git http-backend` each) and waiting for a place, now. */
  gitRequests?(): { running: number; waiting: number };
  /** Whether this replica leads (reconciles and builds), now. */
  leader?(): boolean;
  /** Who carries requests to running public Spaces, now (docs/data-plane.md). */
  dataPlane?(): DataPlaneState;
}

/** Every value of `spaceport_data_plane{plane}` (one is 1, the other 0). */
const DATA_PLANES = ['node', 'haproxy'] as const;

/**
 * Every Prometheus metric of one Spaceport process, in its own registry (several in one test
 * process never mix). Counters move where things happen; gauges are read from `sources` at scrape.
 */
export class SpaceportMetrics implements ProxyMetrics {
  readonly registry = new Registry();
  /** Counted per request in plain arrays (proxy-request-tally.ts), read by the registry at scrape. */
  readonly #proxyRequests = new ProxyRequestTally(LATENCY_BUCKETS);
  readonly #wakes: Counter<never>;
  readonly #woken: Counter<never>;
  readonly #snapshotWakes: Counter<'outcome' | 'reason'>;
  readonly #wakeTime: Histogram<'outcome'>;
  readonly #hubRequests: Counter<'code'>;
  readonly #builds: Counter<'outcome'>;
  readonly #buildTime: Histogram<'outcome'>;
  readonly #passes: Counter<never>;
  readonly #gc: Counter<'kind'>;

  constructor(sources: MetricsSources, opts: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'spaceport_' });
    registerOwn(this.registry, this.#proxyRequests.counter('spaceport_proxy_requests_total', 'Requests to Space hosts answered by the proxy, by status class (2xx, 3xx, 4xx, 5xx).'));
    registerOwn(this.registry, this.#proxyRequests.histogram('spaceport_proxy_request_duration_seconds', 'Time from a request to a Space host to the end of its response, by status class.'));
    this.#woken = new Counter({ name: 'spaceport_wakes_total', help: 'Sleeping Spaces woken by a visit, whichever proxy asked (this process or a replica): once per wake.', registers });
    this.#snapshotWakes = new Counter({ name: 'spaceport_snapshot_wakes_total', help: 'Starts of a stopped Space (Docker, snapshots on): outcome restored (from its memory snapshot) or cold, with the reason (missing, corrupt, release-changed, settings-changed, expired, restore-failed).', labelNames: ['outcome', 'reason'], registers });
    this.#wakes = new Counter({ name: 'spaceport_proxy_wakes_total', help: 'Wakes of sleeping Spaces asked by visits (once per sleep).', registers });
    this.#wakeTime = new Histogram({ name: 'spaceport_proxy_wake_duration_seconds', help: 'Time from a wake to the Space running (or leaving the wake path: outcome failed).', labelNames: ['outcome'], buckets: SLOW_BUCKETS, registers });
    new Gauge({ name: 'spaceport_proxy_held_requests', help: 'Requests held while their Space wakes.', registers, collect() { this.set(sources.heldRequests()); } });
    this.#hubRequests = new Counter({ name: 'spaceport_hub_requests_total', help: 'Requests to the hub host (API, git), by status class.', labelNames: ['code'], registers });
    this.#builds = new Counter({ name: 'spaceport_builds_total', help: 'Finished builds by outcome (succeeded, failed, cancelled).', labelNames: ['outcome'], registers });
    this.#buildTime = new Histogram({ name: 'spaceport_build_duration_seconds', help: 'Build duration by outcome.', labelNames: ['outcome'], buckets: SLOW_BUCKETS, registers });
    this.#passes = new Counter({ name: 'spaceport_reconcile_passes_total', help: 'Reconcile passes (one Space each).', registers });
    this.#gc = new Counter({ name: 'spaceport_gc_removed_total', help: 'Things garbage collection removed, by kind (image, build_cache_bytes).', labelNames: ['kind'], registers });
    new Gauge({
      name: 'spaceport_spaces',
      help: 'Spaces per Hub stage.',
      labelNames: ['stage'],
      registers,
      collect() {
        this.reset();
        for (const [stage, n] of Object.entries(sources.spacesByStage())) this.set({ stage }, n);
      },
    });
    if (sources.gitRequests) {
      const git = sources.gitRequests;
      new Gauge({
        name: 'spaceport_git_requests',
        help: 'git requests running (one git http-backend each) or waiting for a place (SPACEPORT_GIT_MAX_PROCESSES*).',
        labelNames: ['state'],
        registers,
        collect() {
          const n = git();
          this.set({ state: 'running' }, n.running);
          this.set({ state: 'waiting' }, n.waiting);
        },
      });
    }
    if (sources.leader) {
      const leads = sources.leader;
      new Gauge({ name: 'spaceport_leader', help: 'Whether this controller replica leads (1: it reconciles and builds) or not (0).', registers, collect() { this.set(leads() ? 1 : 0); } });
    }
    if (sources.dataPlane) this.#dataPlaneMetrics(sources.dataPlane, registers);
    if (sources.buildsInFlight) {
      const inFlight = sources.buildsInFlight;
      new Gauge({
        name: 'spaceport_builds_in_flight',
        help: 'Builds queued or running now.',
        labelNames: ['state'],
        registers,
        collect() {
          const n = inFlight();
          this.set({ state: 'queued' }, n.queued);
          this.set({ state: 'running' }, n.running);
        },
      });
    }
    // Every label value that exists, at 0, so rates work from the first scrape.
    for (const code of ['2xx', '3xx', '4xx', '5xx']) this.#hubRequests.inc({ code }, 0);
    for (const outcome of ['succeeded', 'failed', 'cancelled']) this.#builds.inc({ outcome }, 0);
  }

  /**
   * Which data plane serves (`spaceport_data_plane`, 1 for the one in use), how many running public
   * Spaces HAProxy serves itself (`…_mapped_spaces`: 0 on the Node path) and how often HAProxy was
   * started again after it died (`…_restarts_total`).
   */
  #dataPlaneMetrics(read: () => DataPlaneState, registers: Registry[]): void {
    new Gauge({
      name: 'spaceport_data_plane',
      help: 'The data plane carrying requests to running public Spaces: 1 for the one in use (node: Spaceport\'s proxy; haproxy: HAProxy in front, SPACEPORT_DATA_PLANE).',
      labelNames: ['plane'],
      registers,
      collect() {
        const now = read().plane;
        for (const plane of DATA_PLANES) this.set({ plane }, plane === now ? 1 : 0);
      },
    });
    new Gauge({
      name: 'spaceport_data_plane_mapped_spaces',
      help: 'Running public Spaces in HAProxy\'s Host map, served by HAProxy itself (0 on the Node path).',
      registers,
      collect() {
        const s = read();
        this.set(s.plane === 'haproxy' ? s.mappedSpaces : 0);
      },
    });
    let counted = 0;
    new Counter({
      name: 'spaceport_data_plane_restarts_total',
      help: 'Times HAProxy died and was started again (its map pushed whole again).',
      registers,
      collect() {
        const s = read();
        const restarts = s.plane === 'haproxy' ? s.restarts : 0;
        if (restarts > counted) this.inc(restarts - counted);
        counted = Math.max(counted, restarts);
      },
    });
  }

  request(status: number, seconds: number): void {
    this.#proxyRequests.record(status, seconds);
  }

  wakeStarted(): void {
    this.#wakes.inc();
  }

  /** The controller woke a sleeping Space (asked by any proxy: counted once, here). */
  spaceWoken(): void {
    this.#woken.inc();
  }

  /** A stopped Space started again with snapshots on: restored from its snapshot, or cold and why. */
  snapshotWake(outcome: 'restored' | 'cold', reason: string): void {
    this.#snapshotWakes.inc({ outcome, reason });
  }

  wakeEnded(outcome: 'running' | 'failed', seconds: number): void {
    this.#wakeTime.observe({ outcome }, seconds);
  }

  hubRequest(status: number): void {
    this.#hubRequests.inc({ code: statusClass(status) });
  }

  buildFinished(outcome: 'succeeded' | 'failed' | 'cancelled', seconds: number): void {
    this.#builds.inc({ outcome });
    this.#buildTime.observe({ outcome }, seconds);
  }

  reconcilePass(): void {
    this.#passes.inc();
  }

  gcRemoved(kind: 'image' | 'build_cache_bytes' | 'build_log', n: number): void {
    this.#gc.inc({ kind }, n);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Spaces per stage from a route table snapshot (every Space has one route). */
export function countByStage(routes: ReadonlyArray<{ stage: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of routes) counts[r.stage] = (counts[r.stage] ?? 0) + 1;
  return counts;
}

/** prom-client types `registerMetric` for its own classes; its Registry only calls `get()` (and `reset()`), which ours have. */
function registerOwn(registry: Registry, metric: RegistryMetric): void {
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}

function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}
