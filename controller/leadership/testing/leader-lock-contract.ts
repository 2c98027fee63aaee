import { afterEach, describe, expect, it } from 'vitest';
import type { Kick, LeaderLock } from '../leader-lock.js';

/** Resolves with the first value `subscribe` reports, or rejects after `ms`. */
export function nextEvent<T>(subscribe: (fn: (v: T) => void) => () => void, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no event within ${ms} ms`));
    }, ms);
    const off = subscribe((v) => {
      clearTimeout(timer);
      off();
      resolve(v);
    });
  });
}

/**
 * What every LeaderLock does, alone: it leads once started, hands kicks to its own listeners while it
 * leads, and `close()` ends the term with `onLose`. `make` gives a fresh lock on a fresh backend.
 */
export function runLeaderLockContract(name: string, make: () => Promise<LeaderLock> | LeaderLock, opts: { gainWithinMs: number }): void {
  describe(`LeaderLock contract: ${name}`, () => {
    const open: LeaderLock[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((l) => l.close()));
    });
    const fresh = async (): Promise<LeaderLock> => {
      const lock = await make();
      open.push(lock);
      return lock;
    };

    it('follows until started, then leads in a positive term', async () => {
      const lock = await fresh();
      expect(lock.state).toEqual({ kind: 'follower' });
      const gained = nextEvent<number>((fn) => lock.onGain(fn), opts.gainWithinMs);
      lock.start();
      const term = await gained;
      expect(term).toBeGreaterThan(0);
      expect(lock.state).toEqual({ kind: 'leader', term });
    });

    it('hands a kick sent on the leader to its kick listeners', async () => {
      const lock = await fresh();
      const gained = nextEvent<number>((fn) => lock.onGain(fn), opts.gainWithinMs);
      lock.start();
      await gained;
      const seen: Kick[] = [];
      lock.onKick((k) => seen.push(k));
      await lock.sendKick({ kind: 'build', space: 'uid-1', force: true });
      await lock.sendKick({ kind: 'pass', space: 'uid-2' });
      expect(seen).toEqual([{ kind: 'build', space: 'uid-1', force: true }, { kind: 'pass', space: 'uid-2' }]);
    });

    it('close() ends the term: onLose fires once, and the lock follows', async () => {
      const lock = await fresh();
      const gained = nextEvent<number>((fn) => lock.onGain(fn), opts.gainWithinMs);
      lock.start();
      await gained;
      const reasons: string[] = [];
      lock.onLose((r) => reasons.push(r));
      await lock.close();
      await lock.close();
      expect(reasons).toHaveLength(1);
      expect(lock.state).toEqual({ kind: 'follower' });
    });

    it('a listener that throws does not stop the others, and an unsubscribed one is not called', async () => {
      const lock = await fresh();
      const calls: string[] = [];
      lock.onGain(() => {
        throw new Error('listener bug');
      });
      const off = lock.onGain(() => calls.push('removed'));
      off();
      const gained = nextEvent<number>((fn) => lock.onGain(fn), opts.gainWithinMs);
      lock.start();
      await gained;
      expect(calls).toEqual([]);
    });
  });
}
