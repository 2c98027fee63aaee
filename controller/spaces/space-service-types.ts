import type { Config, Logger, SpaceId, StorageTier } from '../../core/index.js';
import type { BuildPipeline } from '../builds/index.js';
import type { GitRepos } from '../git/index.js';
import type { InProcessRouteTable, Reconciler } from '../lifecycle/index.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Sdk, SpaceRecord, Upstream, Visibility } from '../store/records.js';
import type { SpaceStore } from '../store/space-store.js';

/** What `SpaceService` is built from, and the inputs of its create and duplicate. */
export interface SpaceServiceOptions {
  store: SpaceStore;
  repos: GitRepos;
  runtime: Runtime;
  /** The build queue (on a replica that does not lead, builds are handed to the leader: controller/leadership/). */
  pipeline: Pick<BuildPipeline, 'enqueue'>;
  /** Passes over a Space (likewise handed to the leader). */
  reconciler: Pick<Reconciler, 'kick' | 'currentStage' | 'clearFailure'>;
  routes: InProcessRouteTable;
  config: Readonly<Config>;
  logger: Logger;
  /** Files with sizes and LFS metadata (`siblings`) and `usedStorage`; without it, names only. */
  files?: {
    siblings(space: SpaceRecord, commit: string): Promise<Record<string, unknown>[]>;
    usedStorage(space: SpaceRecord): Promise<number>;
    /** The Space is deleted: drop what its repo held apart from git (its LFS links). */
    forget(space: SpaceRecord): Promise<void>;
    /** A duplicate: the copy's repo may use what the source's holds apart from git (LFS objects). */
    copyFrom(source: SpaceRecord, copy: SpaceRecord): Promise<void>;
  };
  /** Signs private-app grants (see proxy/app-grant.ts); shared with the proxies. */
  grantKey?: Buffer;
  /**
   * Where an upstream URL's host resolves must be allowed (no loopback, private, link-local, …
   * unless the operator allows it): checked when it is set, and by `GitRepos.fetchUpstream` again at
   * each fetch. Throws `InvalidUpstream`; a name that does not resolve now is left to the fetch.
   */
  checkUpstreamAddress?: (url: string) => Promise<void>;
}

export interface CreateSpaceInput {
  name: string;
  organization?: string | null;
  sdk: Sdk;
  visibility: Visibility;
  hardware?: string;
  sleepTimeSeconds?: number;
  /** Persistent storage at `/data` (the Hub's `storageTier`). */
  storageTier?: StorageTier;
  upstream?: Upstream;
  secrets?: { key: string; value: string; description?: string }[];
  variables?: { key: string; value: string; description?: string }[];
}

/** `POST /api/spaces/{from}/duplicate`: what the copy gets besides the source's code and variables. */
export interface DuplicateSpaceInput {
  to: SpaceId;
  /** Default: the source's. */
  visibility?: Visibility;
  /** Default: the source's hardware, sleep time and storage tier (not its data). */
  hardware?: string;
  sleepTimeSeconds?: number;
  storageTier?: StorageTier;
  /** The copy's secrets: only these (the source's are never copied). */
  secrets?: { key: string; value: string; description?: string }[];
  /** Added to (and overriding) the source's variables, which are copied. */
  variables?: { key: string; value: string; description?: string }[];
}
