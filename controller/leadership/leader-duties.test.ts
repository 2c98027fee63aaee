import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { LeaderDuties } from './leader-duties.js';
import type { Kick } from './leader-lock.js';
import { routedToLeader } from './leader-routed.js';
import { FakeLeaderLock } from './testing/fake-leader-lock.js';

/** Duties that log what they do; `start` waits on `gate` between its two steps when one is set. */
function recorder() {
  const log: string[] = [];
  let gate: Promise<void> | undefined;
  const lock = new FakeLeaderLock();
  const duties = new LeaderDuties({
    lock,
    logger: silentLogger(),
    start: async (term, signal) => {
      log.push(`prepare ${term}`);
      await gate;
      if (signal.aborted) return;
      log.push(`run ${term}`);
    },
    stop: async () => {
      log.push('stop');
    },
    handle: async (kick: Kick) => {
      log.push(`kick ${kick.kind} ${kick.space}`);
    },
  });
  return { log, lock, duties, hold: (p: Promise<void>) => (gate = p) };
}

describe('LeaderDuties', () => {
  it('starts the work at each gain and stops it at each loss; a second term starts it again', async () => {
    const { log, lock, duties } = recorder();
    lock.gain();
    await duties.settled();
    lock.lose();
    await duties.settled();
    lock.gain();
    await duties.settled();
    await duties.close();
    expect(log).toEqual(['prepare 1', 'run 1', 'stop', 'prepare 2', 'run 2', 'stop']);
  });

  it('a loss during a start stops at once, and the rest of that start never runs', async () => {
    const { log, lock, duties, hold } = recorder();
    let release!: () => void;
    hold(new Promise<void>((r) => (release = r)));
    lock.gain();
    await new Promise((r) => setImmediate(r));
    lock.lose();
    // Stopped while the start still waits.
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['prepare 1', 'stop']);
    release();
    await duties.settled();
    expect(log).toEqual(['prepare 1', 'stop']);
  });

  it('follows (looks only) from start() until it leads, and again after a loss', async () => {
    const lock = new FakeLeaderLock();
    const log: string[] = [];
    const duties = new LeaderDuties({
      lock,
      logger: silentLogger(),
      start: async () => void log.push('lead'),
      stop: async () => void log.push('stop'),
      handle: async () => undefined,
      following: { start: () => void log.push('follow'), stop: async () => void log.push('unfollow') },
    });
    await duties.start();
    lock.gain();
    await duties.settled();
    lock.lose();
    await duties.settled();
    await duties.close();
    expect(log).toEqual(['follow', 'unfollow', 'lead', 'stop', 'follow', 'unfollow']);
  });

  it('handles kicks only while this replica leads', async () => {
    const { log, lock, duties } = recorder();
    lock.deliver({ kind: 'pass', space: 'u0' });
    lock.gain();
    await duties.settled();
    lock.deliver({ kind: 'build', space: 'u1' });
    lock.lose();
    lock.deliver({ kind: 'pass', space: 'u2' });
    await duties.settled();
    expect(log.filter((l) => l.startsWith('kick'))).toEqual(['kick build u1']);
  });
});

describe('routedToLeader', () => {
  function routed() {
    const lock = new FakeLeaderLock();
    const calls: string[] = [];
    const asleep = new Set(['sleeping']);
    const r = routedToLeader({
      lock,
      reconciler: {
        kick: async (uid) => void calls.push(`pass ${uid}`),
        wake: async (uid) => (calls.push(`wake ${uid}`), true),
        currentStage: async (uid) => (calls.push(`stage ${uid}`), 'RUNNING'),
        stageOf: () => 'SEEN',
        clearFailure: (release) => void calls.push(`clear ${release}`),
      },
      pipeline: { enqueue: async (uid, opts) => (calls.push(`build ${uid} ${JSON.stringify(opts)}`), 'build-1') },
      markAwake: (uid) => asleep.delete(uid),
      observer: { currentStage: async () => 'SEEN', stageOf: () => 'SEEN' },
    });
    return { lock, calls, r };
  }

  it('on a replica that does not lead, nothing runs here: builds, passes and wakes are handed to the leader', async () => {
    const { lock, calls, r } = routed();
    expect(await r.pipeline.enqueue('u1', { force: true })).toBeUndefined();
    await r.reconciler.kick('u2');
    expect(await r.reconciler.wake('sleeping')).toBe(true);
    expect(await r.reconciler.wake('sleeping')).toBe(false);
    expect(await r.reconciler.currentStage('u3')).toBe('SEEN');
    expect(calls).toEqual([]);
    expect(lock.sent).toEqual([{ kind: 'build', space: 'u1', force: true }, { kind: 'pass', space: 'u2' }, { kind: 'pass', space: 'sleeping' }]);
  });

  it('on the leader, the real reconciler and build queue', async () => {
    const { lock, calls, r } = routed();
    lock.gain();
    expect(await r.pipeline.enqueue('u1')).toBe('build-1');
    await r.reconciler.kick('u2');
    await r.reconciler.wake('u3');
    expect(await r.reconciler.currentStage('u4')).toBe('RUNNING');
    expect(calls).toEqual(['build u1 {}', 'pass u2', 'wake u3', 'stage u4']);
    expect(lock.sent).toEqual([]);
  });
});
