import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, toSpaceId, type ReleaseId } from '../../core/index.js';
import { FakeRuntime } from '../runtime/testing/index.js';
import { SecretBox, SqliteStore, writeStatus, type SpaceRecord } from '../store/index.js';
import { Reconciler } from './reconciler.js';
import { InProcessRouteTable } from './route-table.js';

/** The reconciler's lifecycle rules on the fake runtime, with a clock that only moves when told. */
describe('Reconciler', () => {
  let store: SqliteStore;
  let runtime: FakeRuntime;
  let routes: InProcessRouteTable;
  let clock: ManualClock;
  let activity: Map<string, number>;
  let r: Reconciler;
  let space: SpaceRecord;

  const release = (config: Record<string, unknown> = {}): ReleaseId => {
    const b = store.addBuild({ spaceUid: space.uid, commit: `c${Math.random()}`, tree: `t${Math.random()}`, noCache: false });
    store.setBuildState(b.id, { status: 'running' });
    store.setBuildState(b.id, { status: 'succeeded', image: `img-${b.id}` });
    const rel = store.addRelease({ spaceUid: space.uid, buildId: b.id, commit: b.commit, image: `img-${b.id}`, port: 7860, config: { sdk: 'gradio', ...config } });
    space = writeStatus(store, space.uid, () => ({ targetRelease: rel.id }))!;
    return rel.id;
  };
  const stage = () => r.stageOf(space.uid)?.stage;
  const route = () => routes.get(space.subdomain)?.target;

  beforeEach(() => {
    store = new SqliteStore({ file: ':memory:', secrets: SecretBox.ephemeral() });
    runtime = new FakeRuntime({ readyAfterApply: false });
    routes = new InProcessRouteTable();
    clock = new ManualClock(1_000_000);
    activity = new Map();
    space = store.createSpace({ id: toSpaceId('alice', 'demo'), sdk: 'gradio', visibility: 'public', hardware: 'cpu-basic' });
    r = new Reconciler({
      store,
      runtime,
      routes,
      logger: silentLogger(),
      clock,
      domain: 'localhost',
      flavorFor: () => ({ name: 'cpu-basic', cpus: 2, memoryBytes: 2 ** 30 }),
      sleepSecondsFor: (s) => s.sleepSeconds ?? -1,
      lastActivity: (uid) => activity.get(uid),
      drainMs: 0,
    });
  });

  it('starts the target, publishes a route when it answers, and passes the Hub env', async () => {
    const rel = release({ title: 'My demo' });
    await r.kick(space.uid);
    expect(stage()).toBe('APP_STARTING');
    expect(route()).toMatchObject({ kind: 'pending', stage: 'APP_STARTING' });
    expect(runtime.specOf(space.id, rel)?.env).toMatchObject({ SPACE_ID: 'alice/demo', SPACE_TITLE: 'My demo', SPACE_HOST: 'alice-demo.localhost', GRADIO_SERVER_PORT: '7860', CPU_CORES: '2', MEMORY: '1Gi' });
    runtime.setReady(space.id, rel);
    await r.kick(space.uid);
    expect(stage()).toBe('RUNNING');
    expect(route()).toMatchObject({ kind: 'running' });
  });

  it('a release ready as soon as it is applied (a static tree: nothing starts) serves in that pass, not at the next poll', async () => {
    runtime = new FakeRuntime({ readyAfterApply: true });
    r = new Reconciler({
      store,
      runtime,
      routes,
      logger: silentLogger(),
      clock,
      domain: 'localhost',
      flavorFor: () => ({ name: 'cpu-basic', cpus: 2, memoryBytes: 2 ** 30 }),
      sleepSecondsFor: (s) => s.sleepSeconds ?? -1,
      lastActivity: (uid) => activity.get(uid),
      drainMs: 0,
    });
    const v1 = release();
    await r.kick(space.uid); // one pass, and no timer fires (the clock is manual, and nothing else kicks)
    expect(stage()).toBe('RUNNING');
    expect(route()).toMatchObject({ kind: 'running' });
    const v1Endpoint = (route() as { endpoint: unknown }).endpoint;
    const v2 = release();
    await r.kick(space.uid);
    expect(stage()).toBe('RUNNING');
    expect((route() as { endpoint: unknown }).endpoint).not.toEqual(v1Endpoint);
    expect(store.getSpaceByUid(space.uid)?.servingRelease).toBe(v2);
    expect(v1).not.toBe(v2);
  });

  it('keeps the old release serving until the new one answers (RUNNING_APP_STARTING), then retires it', async () => {
    const v1 = release();
    await r.kick(space.uid);
    runtime.setReady(space.id, v1);
    await r.kick(space.uid);
    const v1Endpoint = (route() as { endpoint: unknown }).endpoint;
    const v2 = release();
    await r.kick(space.uid);
    expect(stage()).toBe('RUNNING_APP_STARTING');
    expect(route()).toMatchObject({ kind: 'running', endpoint: v1Endpoint });
    runtime.setReady(space.id, v2);
    await r.kick(space.uid);
    expect(stage()).toBe('RUNNING');
    expect((route() as { endpoint: unknown }).endpoint).not.toEqual(v1Endpoint);
    await r.kick(space.uid); // after the drain period (0 here) the old one goes
    expect((await runtime.list(space.id)).map((i) => i.release)).toEqual([v2]);
  });

  it('an app that exits before it ever answered is RUNTIME_ERROR with its output; the old release keeps serving', async () => {
    const v1 = release();
    await r.kick(space.uid);
    runtime.setReady(space.id, v1);
    await r.kick(space.uid);
    const v2 = release();
    await r.kick(space.uid);
    runtime.emitLog(space.id, v2, 'Traceback (most recent call last):\nRuntimeError: boom at start\n');
    runtime.crash(space.id, v2, 1, 'exited with code 1');
    await r.kick(space.uid);
    expect(r.stageOf(space.uid)).toMatchObject({ stage: 'RUNTIME_ERROR', serving: true });
    expect(r.stageOf(space.uid)?.message).toContain('RuntimeError: boom at start');
    expect(route()).toMatchObject({ kind: 'running' });
    expect(store.getRelease(v2)?.failure).toContain('boom at start');
  });

  it('a crash after running restarts with exponential backoff', async () => {
    const v1 = release();
    await r.kick(space.uid);
    runtime.setReady(space.id, v1);
    await r.kick(space.uid);
    const startsBefore = runtime.counts(space.id, v1).starts;
    runtime.crash(space.id, v1, 137, 'killed');
    await r.kick(space.uid);
    expect(runtime.counts(space.id, v1).starts).toBe(startsBefore + 1);
    runtime.crash(space.id, v1, 137, 'killed');
    await r.kick(space.uid);
    expect(runtime.counts(space.id, v1).starts).toBe(startsBefore + 1); // backing off: 1 s
    expect(stage()).toBe('RUNTIME_ERROR');
    clock.advance(1_001);
    await r.kick(space.uid);
    expect(runtime.counts(space.id, v1).starts).toBe(startsBefore + 2);
    runtime.crash(space.id, v1, 137, 'killed');
    clock.advance(1_500);
    await r.kick(space.uid);
    expect(runtime.counts(space.id, v1).starts).toBe(startsBefore + 2); // next wait is 2 s
    clock.advance(600);
    await r.kick(space.uid);
    expect(runtime.counts(space.id, v1).starts).toBe(startsBefore + 3);
  });

  it('an app that answers, then exits, over and over is RUNTIME_ERROR with its last lines from the third crash, also while it answers; a run of 10 min clears it', async () => {
    const v1 = release();
    await r.kick(space.uid);
    const crashOnce = async (n: number) => {
      runtime.setReady(space.id, v1);
      await r.kick(space.uid);
      clock.advance(10_000); // serves for ten seconds
      runtime.emitLog(space.id, v1, `ImportError: cannot import name 'x' from 'starlette' (run ${n})\n`);
      runtime.crash(space.id, v1, 1, 'exited with code 1');
      await r.kick(space.uid);
    };
    await crashOnce(1);
    await crashOnce(2);
    expect(stage()).not.toBe('RUNTIME_ERROR'); // two crashes: restarting, not yet a loop
    await crashOnce(3);
    expect(stage()).toBe('RUNTIME_ERROR');
    expect(r.stageOf(space.uid)?.message).toContain("cannot import name 'x' from 'starlette' (run 3)");
    // Between crashes it answers again: still a crash loop, not RUNNING.
    clock.advance(5 * 60_000);
    await r.kick(space.uid);
    runtime.setReady(space.id, v1);
    await r.kick(space.uid);
    expect(stage()).toBe('RUNTIME_ERROR');
    expect(route()).toMatchObject({ kind: 'running' });
    // Up for the stable period: healthy again, and the next crash counts from one.
    clock.advance(10 * 60_000);
    await r.kick(space.uid);
    expect(stage()).toBe('RUNNING');
    const starts = runtime.counts(space.id, v1).starts;
    runtime.crash(space.id, v1, 1, 'exited with code 1');
    await r.kick(space.uid);
    expect(runtime.counts(space.id, v1).starts).toBe(starts + 1); // restarted at once: attempt 1 again
  });

  it('restarts the runtime made by itself, in place (the kubelet), are crashes: the third is a crash loop, RUNTIME_ERROR while the app answers', async () => {
    const v1 = release();
    await r.kick(space.uid);
    runtime.setReady(space.id, v1);
    await r.kick(space.uid);
    expect(stage()).toBe('RUNNING');
    for (let n = 1; n <= 3; n++) {
      clock.advance(10_000); // answers for ten seconds, exits, and is back before any pass saw it exited
      runtime.restartInPlace(space.id, v1, `exited with code 1 (Error); Kubernetes restarted it\nImportError: cannot import name 'x' (run ${n})`, clock.now());
      await r.kick(space.uid);
      if (n < 3) expect(stage()).toBe('RUNNING');
    }
    expect(stage()).toBe('RUNTIME_ERROR');
    expect(r.stageOf(space.uid)?.message).toContain("ImportError: cannot import name 'x' (run 3)");
    expect(route()).toMatchObject({ kind: 'running' });
    // Each restart counted once: more passes add nothing, and a stable run clears it.
    clock.advance(10 * 60_000);
    await r.kick(space.uid);
    await r.kick(space.uid);
    expect(stage()).toBe('RUNNING');
  });

  it('the restart delays keep growing through a crash loop (no reset when the app answers briefly)', async () => {
    const v1 = release();
    await r.kick(space.uid);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      runtime.setReady(space.id, v1);
      await r.kick(space.uid);
      runtime.crash(space.id, v1, 1, 'exited with code 1');
      const starts = runtime.counts(space.id, v1).starts;
      let waited = 0;
      await r.kick(space.uid);
      while (runtime.counts(space.id, v1).starts === starts) {
        clock.advance(500);
        waited += 500;
        await r.kick(space.uid);
      }
      delays.push(waited);
    }
    expect(delays).toEqual([0, 1_000, 2_000, 4_000, 8_000]);
  });

  it('a release refused earlier (no node for its hardware) that runs now is RUNNING, and its failure is cleared', async () => {
    const v1 = release();
    await r.kick(space.uid);
    store.setReleaseFailure(v1, 'No node can run hardware t4-small');
    runtime.setReady(space.id, v1);
    await r.kick(space.uid);
    expect(stage()).toBe('RUNNING');
    expect(route()).toMatchObject({ kind: 'running' });
    expect(store.getRelease(v1)?.failure).toBeUndefined();
  });

  it('an instance the engine stopped (it shut down) starts again at once: no crash backoff, no failure', async () => {
    const v1 = release();
    await r.kick(space.uid);
    runtime.setReady(space.id, v1);
    await r.kick(space.uid);
    const startsBefore = runtime.counts(space.id, v1).starts;
    runtime.interrupt(space.id, v1);
    await r.kick(space.uid);
    expect(runtime.counts(space.id, v1).starts).toBe(startsBefore + 1);
    runtime.setReady(space.id, v1);
    await r.kick(space.uid);
    expect(stage()).toBe('RUNNING');
    // Another engine restart later: again at once (it was ready in between).
    runtime.interrupt(space.id, v1);
    await r.kick(space.uid);
    expect(runtime.counts(space.id, v1).starts).toBe(startsBefore + 2);
    expect(store.getRelease(v1)?.failure).toBeUndefined();
  });

  it('a new release the engine stopped while it started is started again, not failed', async () => {
    const v1 = release();
    await r.kick(space.uid);
    runtime.interrupt(space.id, v1);
    await r.kick(space.uid);
    expect(store.getRelease(v1)?.failure).toBeUndefined();
    expect(runtime.counts(space.id, v1).starts).toBe(2);
    runtime.setReady(space.id, v1);
    await r.kick(space.uid);
    expect(stage()).toBe('RUNNING');
  });

  it('an app stopped from outside again before it ever answered goes through the crash path (no quiet restart loop)', async () => {
    const v1 = release();
    await r.kick(space.uid);
    runtime.setReady(space.id, v1);
    await r.kick(space.uid);
    runtime.interrupt(space.id, v1);
    await r.kick(space.uid);
    const starts = runtime.counts(space.id, v1).starts;
    runtime.interrupt(space.id, v1);
    await r.kick(space.uid);
    expect(runtime.counts(space.id, v1).starts).toBe(starts + 1); // crash restart (attempt 1)
    runtime.interrupt(space.id, v1);
    await r.kick(space.uid);
    expect(runtime.counts(space.id, v1).starts).toBe(starts + 1); // backing off
  });

  it('an app that never answers within startup_duration_timeout is RUNTIME_ERROR', async () => {
    release({ startupTimeoutMs: 5_000 });
    await r.kick(space.uid);
    clock.advance(4_000);
    await r.kick(space.uid);
    expect(stage()).toBe('APP_STARTING');
    clock.advance(2_000);
    await r.kick(space.uid);
    expect(r.stageOf(space.uid)).toMatchObject({ stage: 'RUNTIME_ERROR' });
    expect(r.stageOf(space.uid)?.message).toContain('did not answer on port 7860 within 5 s');
  });

  it('sleeps after its idle time, counting activity; a wake starts it once', async () => {
    const stops: unknown[] = [];
    const stop = runtime.stop.bind(runtime);
    runtime.stop = (s, rl, o) => (stops.push(o), stop(s, rl, o));
    space = store.updateSpec(space.uid, { sleepSeconds: 60 });
    const v1 = release();
    await r.kick(space.uid);
    runtime.setReady(space.id, v1);
    await r.kick(space.uid);
    clock.advance(50_000);
    activity.set(space.uid, clock.now());
    clock.advance(50_000);
    await r.kick(space.uid);
    expect(stage()).toBe('RUNNING'); // active 50 s ago
    clock.advance(11_000);
    await r.kick(space.uid);
    expect(stage()).toBe('SLEEPING');
    expect(route()).toEqual({ kind: 'sleeping' });
    expect((await runtime.list(space.id))[0]?.state.kind).toBe('stopped');
    // A ready app going to sleep may keep its memory (Docker: snapshot wake); other stops may not.
    expect(stops).toEqual([{ sleep: true }]);

    const starts = runtime.counts(space.id, v1).starts;
    await Promise.all(Array.from({ length: 20 }, () => r.wake(space.uid)));
    expect(runtime.counts(space.id, v1).starts).toBe(starts + 1);
    expect(route()).toEqual({ kind: 'waking' });
    runtime.setReady(space.id, v1);
    await r.kick(space.uid);
    expect(stage()).toBe('RUNNING');
    expect(route()).toMatchObject({ kind: 'running' });
  });

  it('a paused Space is stopped and stays so; wake does nothing', async () => {
    const v1 = release();
    await r.kick(space.uid);
    runtime.setReady(space.id, v1);
    await r.kick(space.uid);
    store.updateSpec(space.uid, { paused: true });
    await r.kick(space.uid);
    expect(stage()).toBe('PAUSED');
    expect(route()).toEqual({ kind: 'paused' });
    const starts = runtime.counts(space.id, v1).starts;
    await r.wake(space.uid);
    expect(runtime.counts(space.id, v1).starts).toBe(starts);
    expect(stage()).toBe('PAUSED');
  });
});
