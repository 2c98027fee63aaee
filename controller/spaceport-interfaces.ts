import type http from 'node:http';
import type { LogSink } from '../core/index.js';
import type { ImageBuilder } from '../builder/index.js';
import type { BuildPipeline, PlanRelease } from './builds/index.js';
import type { HousekeepingTask, Housekeeper } from './gc/index.js';
import type { ActivityLedger, InProcessRouteTable, Reconciler } from './lifecycle/index.js';
import type { LeaderLock } from './leadership/index.js';
import type { SpaceportMetrics } from './metrics/index.js';
import type { Runtime } from './runtime/runtime.js';
import type { SnapshotWake } from './runtime/index.js';
import type { SpaceStore } from './store/index.js';

/* What the composition root (`startSpaceport` in main.ts) takes and gives back. */

/** The parts that talk to outside systems, chosen by the caller (real ones in `spaceport up`, fakes in tests). */
export interface SpaceportAdapters {
  runtime: Runtime;
  builder: ImageBuilder & { ensureBaseImages?(images: string[], log: LogSink): Promise<void> };
  plan: PlanRelease;
  /** Base images to make ready in the background at start, so a first push does not wait for them. */
  baseImages?: string[];
  /** Image removal and build-cache pruning for garbage collection (Docker); absent: only logs are collected. */
  housekeeper?: Housekeeper;
  /**
   * Static Spaces as images run in containers, as before they were served from their trees by the
   * proxy (tests of the move at start use it). Default: trees, no container.
   */
  staticSpacesAsImages?: boolean;
  /** Snapshot wake (Docker): called once per wake of a stopped container, restored or cold and why (for the metrics). */
  onSnapshotWake?(listener: (wake: SnapshotWake) => void): void;
}

export interface RunningSpaceport {
  /** The port the hub and the proxy listen on. */
  port: number;
  url: string;
  server: http.Server;
  store: SpaceStore;
  reconciler: Reconciler;
  pipeline: BuildPipeline;
  /** The route table every proxy follows (in-process, and over `/internal/routes` when SPACEPORT_INTERNAL_TOKEN is set). */
  routes: InProcessRouteTable;
  /** Where proxies' activity lands. */
  ledger: ActivityLedger;
  /** Prometheus metrics of this process (served at /metrics as SPACEPORT_METRICS allows). */
  metrics: SpaceportMetrics;
  /** Periodic garbage collection (`runOnce()` for tests and operators). */
  housekeeping: HousekeepingTask;
  /** Whether this replica leads (only the leader reconciles and builds: controller/leadership/). */
  leader: LeaderLock;
  /** Set on a first start without SPACEPORT_ADMIN_TOKEN: shown once, never stored in clear. */
  generatedAdminToken?: string;
  close(): Promise<void>;
}
