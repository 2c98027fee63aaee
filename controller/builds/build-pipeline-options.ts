import type { Logger } from '../../core/index.js';
import type { ImageBuilder } from '../../builder/index.js';
import type { GitRepos } from '../git/git-repos.js';
import type { SpaceStore } from '../store/space-store.js';
import type { BuildLogs } from './build-logs.js';
import type { PlanRelease } from './release-plan.js';
import type { StaticTreeDir } from './static-tree-dir.js';

export interface BuildPipelineOptions {
  store: SpaceStore;
  repos: GitRepos;
  builder: ImageBuilder;
  plan: PlanRelease;
  logs: BuildLogs;
  logger: Logger;
  concurrency: number;
  /** Called when a build ends (the reconciler deploys its release). */
  onBuilt(spaceUid: string): void;
  /** How many build logs to keep per Space. */
  keepLogs?: number;
  /** Told when a build ends, with its outcome and duration (metrics). */
  onFinished?(outcome: 'succeeded' | 'failed' | 'cancelled', seconds: number): void;
  /** A build running longer is stopped and fails, saying so (SPACEPORT_BUILD_TIMEOUT_SECONDS). */
  timeoutMs?: number;
  /** How long a Space's next build waits for the engine to end the build it superseded (default 60 s: DRAIN_LIMIT_MS in build-pipeline.ts). */
  drainLimitMs?: number;
  /** SPACEPORT_INSTANCE_NAME: the `spaceport.instance` label of the images (housekeeping collects only its own). */
  instance?: string;
  /**
   * Where static Spaces' trees go. With it, a static Space is released as a tree (its files, or with
   * `app_build_command` the build's output read back from the image) served by the proxy, no
   * container; without it, as an image.
   */
  staticTrees?: StaticTreeDir;
}

