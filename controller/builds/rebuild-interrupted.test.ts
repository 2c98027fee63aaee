import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger, toSpaceId } from '../../core/index.js';
import { SecretBox, SqliteStore, type SpaceRecord } from '../store/index.js';
import { rebuildInterrupted } from './rebuild-interrupted.js';

describe('rebuildInterrupted', () => {
  let store: SqliteStore;
  let queued: SpaceRecord;
  let running: SpaceRecord;
  let pushed: SpaceRecord;
  let done: SpaceRecord;
  beforeEach(() => {
    store = new SqliteStore({ file: ':memory:', secrets: SecretBox.ephemeral() });
    store.createUser('alice', 'user');
    [queued, running, pushed, done] = ['queued', 'running', 'pushed', 'done'].map((name) =>
      store.createSpace({ id: toSpaceId('alice', name), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' }),
    ) as [SpaceRecord, SpaceRecord, SpaceRecord, SpaceRecord];
    const build = (space: SpaceRecord) => store.addBuild({ spaceUid: space.uid, commit: 'c'.repeat(40), tree: 't'.repeat(40), noCache: false });
    build(queued);
    store.setBuildState(build(running).id, { status: 'running' });
    const finished = build(done);
    store.setBuildState(finished.id, { status: 'running' });
    store.setBuildState(finished.id, { status: 'succeeded', image: 'spaceport/alice-done:1' });
  });
  afterEach(() => store.close());

  function pipeline(fail?: string) {
    const calls: Array<[string, { force?: boolean } | undefined]> = [];
    return {
      calls,
      enqueue: async (uid: string, opts?: { force?: boolean }) => {
        calls.push([uid, opts]);
        if (uid === fail) throw new Error('no head');
        return undefined;
      },
    };
  }

  it('marks unfinished builds failed and builds their heads again, forced', async () => {
    const p = pipeline();
    await rebuildInterrupted({ store, pipeline: p, pushes: { takeLeftOver: () => [] }, logger: silentLogger() });
    expect(p.calls).toEqual([
      [queued.uid, { force: true }],
      [running.uid, { force: true }],
    ]);
    for (const space of [queued, running]) {
      expect(store.latestBuild(space.uid)).toMatchObject({ status: 'failed', failure: 'BUILD_ERROR', message: expect.stringContaining('Interrupted by a Spaceport restart') });
    }
    expect(store.latestBuild(done.uid)?.status).toBe('succeeded');
    expect(store.unfinishedBuilds()).toEqual([]);
  });

  it('looks at the head of a Space whose push was interrupted, once, and unforced', async () => {
    const p = pipeline();
    await rebuildInterrupted({ store, pipeline: p, pushes: { takeLeftOver: () => [pushed.uid, running.uid] }, logger: silentLogger() });
    expect(p.calls).toEqual([
      [queued.uid, { force: true }],
      [running.uid, { force: true }],
      [pushed.uid, undefined],
    ]);
  });

  it('goes on past a build it cannot queue', async () => {
    const p = pipeline(queued.uid);
    await expect(rebuildInterrupted({ store, pipeline: p, pushes: { takeLeftOver: () => [pushed.uid] }, logger: silentLogger() })).resolves.toBeUndefined();
    expect(p.calls.map(([uid]) => uid)).toEqual([queued.uid, running.uid, pushed.uid]);
  });
});
