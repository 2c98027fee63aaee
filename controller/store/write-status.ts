import { fail } from '../../core/index.js';
import type { SpaceRecord } from './records.js';
import type { SpaceStore, StatusPatch } from './space-store.js';

/** A status writer that keeps losing the race is a bug (a loop that writes its own input), not load. */
const MAX_TRIES = 8;

/**
 * Read, decide, write with the read's version; on a conflict read again and decide again (as a
 * Kubernetes controller writes status). `decide` returns undefined when there is nothing to write.
 * The Space as written (or as read, when nothing was), or undefined when it is gone.
 */
export function writeStatus(
  store: Pick<SpaceStore, 'getSpaceByUid' | 'updateStatus'>,
  uid: string,
  decide: (space: SpaceRecord) => StatusPatch | undefined,
): SpaceRecord | undefined {
  for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
    const space = store.getSpaceByUid(uid);
    if (!space) return undefined;
    const patch = decide(space);
    if (!patch || Object.keys(patch).length === 0) return space;
    const written = store.updateStatus(uid, space.version, patch);
    if (written !== 'conflict') return written;
  }
  throw fail('statusWriteConflict', { space: uid, tries: MAX_TRIES });
}
