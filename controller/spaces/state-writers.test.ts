import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateWorld } from '../../test/support/state-world.js';

/**
 * Issue 19, "one writer per fact": the owner's spec (SpaceChanges) and Spaceport's status (the
 * build pipeline, the reconciler, the activity ledger) written at the same time lose nothing.
 */
describe('spec and status written at the same time', () => {
  let w: StateWorld;

  beforeEach(() => {
    w = new StateWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  /** A Space serving its first release. */
  const running = async (opts: { sleepSeconds?: number } = {}) => {
    const space = await w.createSpace('demo', opts);
    await w.push(space.uid);
    await w.finishBuilds();
    await w.reconcile(space.uid);
    expect(w.reconciler.stageOf(space.uid)?.stage).toBe('RUNNING');
    return w.space(space.uid);
  };
  const runningInstances = async (id: string) =>
    (await w.runtime.list(id as never)).filter((i) => i.state.kind === 'ready' || i.state.kind === 'starting');

  it('a pause during a build stays paused; the build\'s release is recorded', async () => {
    const space = await running({ sleepSeconds: 60 });
    // Asleep when the build starts: the pipeline used to wake it on completion from that old read.
    w.clock.advance(61_000);
    await w.reconcile(space.uid);
    expect(w.space(space.uid).lifecycle).toBe('asleep');
    await w.push(space.uid);
    const build = w.store.latestBuild(space.uid)!;
    await w.changes.pause(w.space(space.uid));
    await w.finishBuilds();
    await w.reconcile(space.uid);
    const after = w.space(space.uid);
    expect(after.lifecycle).toBe('paused');
    expect(w.store.getRelease(after.targetRelease!)?.buildId).toBe(build.id);
    expect(w.reconciler.stageOf(space.uid)?.stage).toBe('PAUSED');
    expect(await runningInstances(space.id)).toEqual([]);
  });

  it('a pause while the reconciler decides to sleep (on a read taken before the pause) stays paused', async () => {
    const space = await running({ sleepSeconds: 60 });
    w.clock.advance(61_000);
    // The pass reads the Space, then waits on the runtime; the owner pauses meanwhile.
    const pausing = w.duringNextPass(() => w.changes.pause(w.space(space.uid)));
    await w.reconciler.kick(space.uid);
    await pausing;
    await w.reconcile(space.uid);
    expect(w.space(space.uid).lifecycle).toBe('paused');
    expect(w.space(space.uid).paused).toBe(true);
    expect(w.reconciler.stageOf(space.uid)?.stage).toBe('PAUSED');
    expect(await runningInstances(space.id)).toEqual([]);
    // And a wake (a visit) does not undo it.
    await w.reconciler.wake(space.uid);
    expect(w.space(space.uid).lifecycle).toBe('paused');
  });

  it('a sleep time changed while the reconciler decides to sleep is the one that counts (its stale decision is refused)', async () => {
    const space = await running({ sleepSeconds: 60 });
    w.clock.advance(61_000);
    const changing = w.duringNextPass(() => w.changes.setSleepTime(w.space(space.uid), -1));
    await w.reconciler.kick(space.uid);
    await changing;
    await w.reconcile(space.uid);
    expect(w.space(space.uid).sleepSeconds).toBe(-1);
    expect(w.space(space.uid).lifecycle).toBe('active');
    expect(w.reconciler.stageOf(space.uid)?.stage).toBe('RUNNING');
  });

  it('a hardware change during a build lands on the new release', async () => {
    const space = await running();
    await w.push(space.uid);
    await w.changes.setHardware(w.space(space.uid), 'cpu-upgrade');
    await w.finishBuilds();
    await w.reconcile(space.uid);
    const after = w.space(space.uid);
    expect(after.hardware).toBe('cpu-upgrade');
    const target = w.store.getRelease(after.targetRelease!)!;
    expect(target.buildId).toBe(w.store.latestBuild(space.uid)!.id);
    expect(target.hardware).toBe('cpu-upgrade');
    expect(after.servingRelease).toBe(target.id);
    expect(w.runtime.specOf(space.id, target.id)?.env).toMatchObject({ CPU_CORES: '8' });
  });

  it('an activity flush changes neither lastModified nor the gallery order', async () => {
    const a = await w.createSpace('older');
    await new Promise((r) => setTimeout(r, 5)); // two different updatedAt
    const b = await w.createSpace('newer');
    const order = () => w.store.querySpaces({ scope: { privateOwners: 'all' }, limit: 10, offset: 0 }).spaces.map((s) => s.id);
    const before = { a: w.space(a.uid).updatedAt, order: order() };
    expect(before.order).toEqual(['alice/newer', 'alice/older']);
    await new Promise((r) => setTimeout(r, 5)); // a bump would show
    w.ledger.report([{ space: a.id, at: w.clock.now() }]);
    w.ledger.flush();
    expect(w.space(a.uid).lastActiveAt).toBe(w.clock.now());
    expect(w.space(a.uid).updatedAt).toBe(before.a);
    expect(order()).toEqual(before.order);
    expect(w.space(b.uid).lastActiveAt).toBeUndefined();
  });
});
