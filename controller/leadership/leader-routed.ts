import type { LeaderLock } from './leader-lock.js';

/** The calls the API, git and the proxies make on the reconciler (structural: any replica has them). */
export interface ReconcilerCalls<Stage> {
  kick(uid: string): Promise<void>;
  wake(uid: string): Promise<boolean>;
  currentStage(uid: string): Promise<Stage | undefined>;
  stageOf(uid: string): Stage | undefined;
  clearFailure(release: string): void;
}

/** The call that queues a build. */
export interface PipelineCalls<Build> {
  enqueue(uid: string, opts?: { noCache?: boolean; force?: boolean }): Promise<Build | undefined>;
}

export interface RoutedToLeaderOptions<Stage, Build> {
  lock: LeaderLock;
  reconciler: ReconcilerCalls<Stage>;
  pipeline: PipelineCalls<Build>;
  /** A sleeping Space is awake (the status write any replica may make); true for the call that woke it. */
  markAwake(uid: string): boolean;
  /** Stages as a replica that does not lead sees them (`Observer`). */
  observer: Pick<ReconcilerCalls<Stage>, 'currentStage' | 'stageOf'>;
}

/**
 * The reconciler and the build queue as every replica's API, git handler and proxies see them: on
 * the leader, the real ones; elsewhere, the change is handed to the leader (`LeaderLock.sendKick`,
 * resolved once recorded) and nothing runs here. Stages there come from its `Observer`.
 */
export function routedToLeader<Stage, Build>(o: RoutedToLeaderOptions<Stage, Build>): { reconciler: ReconcilerCalls<Stage>; pipeline: PipelineCalls<Build> } {
  const leads = (): boolean => o.lock.state.kind === 'leader';
  return {
    reconciler: {
      kick: (uid) => (leads() ? o.reconciler.kick(uid) : o.lock.sendKick({ kind: 'pass', space: uid })),
      wake: async (uid) => {
        if (leads()) return o.reconciler.wake(uid);
        if (!o.markAwake(uid)) return false;
        await o.lock.sendKick({ kind: 'pass', space: uid });
        return true;
      },
      currentStage: (uid) => (leads() ? o.reconciler.currentStage(uid) : o.observer.currentStage(uid)),
      stageOf: (uid) => (leads() ? o.reconciler.stageOf(uid) : o.observer.stageOf(uid)),
      // The failure is a store fact (any replica); the crash history it also forgets is the leader's.
      clearFailure: (release) => o.reconciler.clearFailure(release),
    },
    pipeline: {
      enqueue: async (uid, opts = {}) => {
        if (leads()) return o.pipeline.enqueue(uid, opts);
        await o.lock.sendKick({ kind: 'build', space: uid, ...opts });
        return undefined;
      },
    },
  };
}
