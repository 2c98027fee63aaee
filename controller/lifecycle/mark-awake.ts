import type { Logger } from '../../core/index.js';
import type { SpaceStore } from '../store/space-store.js';

/**
 * A visit to a sleeping Space: record that it is awake (a status fact, at the version read, retried on
 * a conflict). True for the call that woke it. The pass that starts it is the leader's
 * (`Reconciler.wake` on the leader, a kick from another replica).
 */
export function markAwake(store: SpaceStore, uid: string, logger: Logger): boolean {
  for (;;) {
    const space = store.getSpaceByUid(uid);
    if (!space || space.lifecycle !== 'asleep') return false;
    if (store.updateStatus(uid, space.version, { asleepSince: undefined }) === 'conflict') continue;
    logger.info({ space: space.id }, 'waking');
    return true;
  }
}
