import type { Flavor, LogLine, ReleaseId, SpaceId, StorageTier } from '../../core/index.js';

/** What to run for one release of a Space. Pure data: adapters translate it. */
export interface InstanceSpec {
  space: SpaceId;
  release: ReleaseId;
  /** Image reference, e.g. `spaceport/alice-demo:3f2a…`. */
  image: string;
  /** The port the app listens on inside the container. */
  port: number;
  /** Env for the app, secrets included: runtime only, never written to an image. */
  env: Record<string, string>;
  /** Which keys of `env` are secrets (Kubernetes keeps them in a Secret, the rest in a ConfigMap). */
  secretKeys?: string[];
  flavor: Flavor;
  /** Extra labels (e.g. the commit), on top of the ones the runtime sets itself. */
  labels?: Record<string, string>;
  /** Persistent storage mounted at `/data`, kept across restarts, sleep and redeploys (one volume per Space). */
  storage?: StorageSpec;
}

/** The Hub's persistent storage tiers (SPACES-SPEC §3); sizes in `core/storage.ts`. */
export type { StorageTier };

export interface StorageSpec {
  /** Stable across renames (the Space's uid): names the volume, so a renamed Space keeps its data. */
  key: string;
  tier: StorageTier;
  sizeBytes: number;
}

export type InstanceState =
  | { kind: 'starting' }
  | { kind: 'ready' }
  /** Stopped on purpose (asleep); it can be started again. */
  | { kind: 'stopped' }
  /**
   * The app exited. `interrupted`: it was stopped from outside, not by the app nor by Spaceport (the
   * engine stopping its containers as it shut down, an operator's `docker stop`): not a crash, so it
   * is started again without crash backoff and without failing a release.
   */
  | { kind: 'exited'; exitCode: number; reason: string; interrupted?: boolean }
  /**
   * It cannot run. `capacity`: nodes of the right kind exist but are full (the scheduler said
   * "Insufficient …"), so it may fit once something else, such as the release it replaces, stops.
   */
  | { kind: 'failed'; reason: string; capacity?: boolean };

export interface Instance {
  space: SpaceId;
  release: ReleaseId;
  image: string;
  state: InstanceState;
  /** Where the app answers, from this host; present while the container runs. It may change on every start. */
  endpoint?: { host: string; port: number };
  /** Epoch ms of the latest start. */
  startedAt?: number;
  /** Starts after the first one (after a stop or an exit). The Docker runtime counts them in memory. */
  restartCount: number;
  /**
   * Exits the runtime restarted by itself, in place: the kubelet restarts a container that exited or
   * failed its liveness probe inside the same pod, often before anyone lists it as exited. `count`
   * restarts of the run `run` so far (a new run starts at 0); the latest ended `lastAt` (epoch ms) with
   * `reason` (how it ended and its last lines). The reconciler counts each new one as a crash
   * (lifecycle/crash-history.ts). Docker and the fake restart only when asked: absent.
   */
  restartedInPlace?: InPlaceRestarts;
  /**
   * It runs on a simulated node (Kubernetes: one kwok manages, as the one-machine trial's GPU pool):
   * scheduled and Ready, but nothing runs, so its app cannot answer. Absent elsewhere.
   */
  simulatedNode?: boolean;
}

export interface InPlaceRestarts {
  run: string;
  count: number;
  lastAt: number;
  reason: string;
}

export interface StopOptions {
  /**
   * The instance goes to sleep answering (not a hang, a start that timed out or a retired release):
   * a runtime that can may keep the app's memory for its next start (Docker: snapshot wake).
   */
  sleep?: boolean;
}

export interface RunLogOptions {
  follow: boolean;
  tail?: number;
  signal?: AbortSignal;
}

/**
 * Where Spaces run: docker (one host), kubernetes, or the fake. One contract suite runs against all.
 * Several instances of one Space may exist at once (one per release) so a new release can start
 * while the old one serves; the reconciler removes the old one when the new one is ready.
 */
export interface Runtime {
  readonly name: string;
  /** Idempotent: make sure the instance for `spec.release` exists and is started. */
  apply(spec: InstanceSpec): Promise<void>;
  /** The instances of one Space, or of every Space, as they are now (readiness probed). */
  list(space?: SpaceId): Promise<Instance[]>;
  /** Stop one release's instance but keep it, so it can start again (sleep). */
  stop(space: SpaceId, release: ReleaseId, opts?: StopOptions): Promise<void>;
  /** Remove the Space's instances; with `keep`, all but that release. */
  remove(space: SpaceId, opts?: { keep?: ReleaseId }): Promise<void>;
  /**
   * The app's output for one release (stdout and stderr): one LogLine per line, without its line
   * ending. With `follow`, it ends when the instance stops or `signal` aborts. Rejects `NotFound`
   * when the release has no instance.
   */
  logs(space: SpaceId, release: ReleaseId, opts: RunLogOptions): AsyncIterable<LogLine>;
  /** Delete a Space's persistent storage (`/data`) by its `StorageSpec.key`; idempotent. Only on request or with the Space. */
  removeStorage(key: string): Promise<void>;
  /**
   * Why this runtime cannot run a flavor here (e.g. a GPU flavor on a Docker engine without GPUs),
   * or undefined when it can. Names the flavor and the reason.
   */
  refuseFlavor(flavor: Flavor): string | undefined;
  /**
   * Optional: one look at everything that runs (a single list), for changes `watch` may have missed;
   * it reports them through `watch`. The reconciler calls it once per resync.
   */
  resync?(): Promise<void>;
  /**
   * Optional: delete what the runtime keeps of the Space's processes for a later start (Docker: its
   * memory snapshots), because their variables or secrets changed: the kept memory holds the old ones.
   */
  dropSnapshots?(space: SpaceId): Promise<void>;
  /** Calls back when an instance of a Space changes (start, exit, die); returns an unsubscribe. */
  watch(onChange: (space: SpaceId) => void): () => void;
  close(): Promise<void>;
}
