import { SpaceportError } from '../../core/index.js';
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
    throw new SpaceportError('Internal', `A build cannot go from ${from} to ${to}.`);
  }
}

export function isBuildActive(state: BuildState): boolean {
  return state.status === 'queued' || state.status === 'running';
}
