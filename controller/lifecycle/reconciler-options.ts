import type { Clock, Flavor, Logger } from '../../core/index.js';
import type { Runtime } from '../runtime/runtime.js';
import type { SpaceRecord } from '../store/records.js';
import type { SpaceStore } from '../store/space-store.js';
import type { ProbeTarget } from '../runtime/index.js';
import type { CrashPolicy } from './crash-history.js';
import type { LivenessPolicy } from './liveness-check.js';
import type { InProcessRouteTable } from './route-table.js';

export interface ReconcilerOptions {
  store: SpaceStore;
  runtime: Runtime;
  routes: InProcessRouteTable;
  logger: Logger;
  clock: Clock;
  domain: string;
  /** The port visitors reach Spaces on (SPACE_HOST carries it unless 80 or 443); read when an instance is made. */
  publicPort?: () => number | undefined;
  flavorFor(hardware: string): Flavor;
  /** Idle seconds before sleep for this Space; -1 = never. */
  sleepSecondsFor(space: SpaceRecord): number;
  /** Latest app activity (epoch ms) the proxy reported for a Space. */
  lastActivity(uid: string): number | undefined;
  /** How often to look again while something is starting. */
  pollMs?: number;
  /**
   * How often to look for missed changes. With a runtime that can `resync` (one list, changes
   * reported through `watch`), that is all a tick costs; every Space gets a pass only every
   * `fullResyncMs`. Without one, every Space gets a pass every tick.
   */
  resyncMs?: number;
  /** How often every Space gets a pass when the runtime can `resync` (a safety net: events and timers drive the rest). */
  fullResyncMs?: number;
  /** How long a replaced release keeps running after traffic moved off it (in-flight requests finish). */
  drainMs?: number;
  /** Restart delays and when repeated crashes are a crash loop (default: `DEFAULT_CRASH_POLICY`). */
  crashPolicy?: CrashPolicy;
  /** How a ready app is probed for a hang; undefined: not probed (no liveness check). */
  livenessPolicy?: LivenessPolicy;
  /** The liveness probe (default: an HTTP GET `/` at the instance's endpoint). */
  livenessProbe?: (target: ProbeTarget, timeoutMs: number) => Promise<boolean>;
  /** Told of every reconcile pass of one Space (metrics). */
  onPass?(): void;
}
