import { fail } from '../../core/index.js';
import type { BuildState } from './records.js';

type Status = BuildState['status'];

/** The one table of allowed build transitions. */
const ALLOWED: Record<Status, readonly Status[]> = {
  queued: ['running', 'failed'],
  running: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
};

export function assertBuildTransition(from: Status, to: Status): void {
  if (!ALLOWED[from].includes(to)) {
    throw fail('buildTransitionInvalid', { from, to });
  }
}

export function isBuildActive(state: BuildState): boolean {
  return state.status === 'queued' || state.status === 'running';
}
