import type { BuildState, Lifecycle } from '../store/records.js';

/** The Hub's stage names (SPACES-SPEC §4). */
export type Stage =
  | 'NO_APP_FILE'
  | 'CONFIG_ERROR'
  | 'BUILDING'
  | 'BUILD_ERROR'
  | 'APP_STARTING'
  | 'RUNNING'
  | 'RUNNING_BUILDING'
  | 'RUNNING_APP_STARTING'
  | 'RUNTIME_ERROR'
  | 'DELETING'
  | 'SLEEPING'
  | 'PAUSED';

export const INTERMEDIATE_STAGES: readonly Stage[] = ['BUILDING', 'RUNNING_BUILDING', 'APP_STARTING', 'RUNNING_APP_STARTING'];

/** What the runtime says of one release's instance. */
export type ObservedInstance =
  | { kind: 'absent' }
  | { kind: 'starting' }
  | { kind: 'ready' }
  | { kind: 'stopped' }
  | { kind: 'exited'; reason: string }
  | { kind: 'failed'; reason: string };

/** Every fact the stage depends on: stored facts plus what the runtime reports now. */
export interface StageFacts {
  lifecycle: Lifecycle;
  /** The latest build, if any. */
  build?: BuildState;
  /** The newest release built successfully (what should run), with its instance and recorded runtime failure. */
  target?: { instance: ObservedInstance; failure?: string; crashLoop?: string };
  /** An older release still taking traffic while the target starts, if any. */
  previousServing: boolean;
}

export interface StageResult {
  stage: Stage;
  /** `errorMessage` in the runtime JSON. */
  message?: string;
  /** Whether some release answers requests now. */
  serving: boolean;
  /** The serving instance runs on a simulated node (kwok): RUNNING for the cluster, but its app cannot answer. */
  simulatedNode?: boolean;
}

/** What a reader is told of a Space on a simulated node (the runtime JSON's `node.message`, the Space page). */
export const SIMULATED_NODE_MESSAGE =
  'This Space runs on a simulated node (kwok): the cluster scheduled it and reports it running, but no container runs there, so the app cannot answer. ' +
  'Simulated nodes stand in for hardware (GPUs) this cluster does not have; pick hardware that real nodes offer to use the app.';

/**
 * The Hub stage, computed from facts: the only place that decides it.
 * Order matters: paused wins; then a build under way; then a failed latest build (the last good
 * release keeps serving); then sleep; then a crash loop; then the target release's instance, whose
 * being ready now wins over a failure recorded earlier.
 */
export function computeStage(f: StageFacts): StageResult {
  const targetReady = f.target?.instance.kind === 'ready';
  const serving = f.lifecycle !== 'paused' && f.lifecycle !== 'asleep' && (targetReady || f.previousServing);

  if (f.lifecycle === 'paused') return { stage: 'PAUSED', serving: false };

  if (f.build && (f.build.status === 'queued' || f.build.status === 'running')) {
    return { stage: serving ? 'RUNNING_BUILDING' : 'BUILDING', serving };
  }
  if (f.build?.status === 'failed') {
    return { stage: f.build.failure, message: f.build.message, serving };
  }
  // The Hub reports a Space asleep after its sleep time as SLEEPING (huggingface.js's SpaceStage; the
  // Python enum's older STOPPED is no longer sent, and huggingface_hub keeps the stage as a raw string).
  if (f.lifecycle === 'asleep') return { stage: 'SLEEPING', serving: false };

  if (!f.target) {
    // Nothing was ever built: an empty repo has no app file yet.
    return { stage: 'NO_APP_FILE', message: f.build ? undefined : 'Push an app (README.md with an sdk and its app file) to start.', serving: false };
  }
  // A crash loop is an error even in the seconds its app answers between crashes.
  if (f.target.crashLoop !== undefined) return { stage: 'RUNTIME_ERROR', message: f.target.crashLoop, serving };
  // What runs now wins over a failure recorded before (a pod scheduled after no node could run it).
  if (f.target.instance.kind === 'ready') return { stage: 'RUNNING', serving: true };
  if (f.target.failure) return { stage: 'RUNTIME_ERROR', message: f.target.failure, serving };

  switch (f.target.instance.kind) {
    case 'exited':
    case 'failed':
      return { stage: 'RUNTIME_ERROR', message: f.target.instance.reason, serving };
    case 'absent':
    case 'starting':
    case 'stopped':
      return { stage: serving ? 'RUNNING_APP_STARTING' : 'APP_STARTING', serving };
  }
}
