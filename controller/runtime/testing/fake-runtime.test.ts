import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, isSpaceportError, toSpaceId, type LogLine, type ReleaseId } from '../../../core/index.js';
import { FakeRuntime } from './fake-runtime.js';
import type { InstanceSpec } from '../runtime.js';
import { runRuntimeContract } from './runtime-contract.js';

/** Plays the contract's test app (see runtime-contract.ts) on the fake. */
function playTestApp(spec: InstanceSpec, rt: FakeRuntime): void {
  if (spec.env.CRASH === '1') {
    rt.emitLog(spec.space, spec.release, 'crash output line 1');
    rt.emitLog(spec.space, spec.release, 'crash output line 2 to stderr');
    rt.crash(spec.space, spec.release, Number(spec.env.CRASH_CODE ?? 3));
    return;
  }
  rt.emitLog(spec.space, spec.release, `listening on ${spec.env.PORT ?? spec.port}`);
}

runRuntimeContract('fake', async () => ({
  runtime: new FakeRuntime({ http: true, onStart: playTestApp }),
  image: 'fake/app:1',
  otherImage: 'fake/app:2',
  port: 7860,
}));

runRuntimeContract('fake-not-ready-until-told', async () => {
  const runtime = new FakeRuntime({ http: true, readyAfterApply: false, onStart: playTestApp });
  return { runtime, image: 'fake/app:1', otherImage: 'fake/app:2', port: 7860, makeReady: (s, r) => runtime.setReady(s, r) };
});

describe('FakeRuntime controls', () => {
  const space = toSpaceId('alice', 'demo');
  const r1 = 'r1' as ReleaseId;
  const spec: InstanceSpec = { space, release: r1, image: 'img:1', port: 7860, env: {}, flavor: { name: 'cpu-basic', cpus: 2, memoryBytes: 2 ** 30 } };
  let rt: FakeRuntime;
  afterEach(async () => {
    await rt?.close();
  });

  it('counts applies, creates and starts: many applies, exactly one start', async () => {
    rt = new FakeRuntime();
    await Promise.all([rt.apply(spec), rt.apply(spec), rt.apply(spec)]);
    expect(rt.counts(space, r1)).toEqual({ applies: 3, creates: 1, starts: 1, stops: 0, removes: 0 });
    expect(rt.counts()).toMatchObject({ applies: 3, starts: 1 });
    expect(rt.applied).toHaveLength(3);
  });

  it('readyAfterApply: false keeps the instance starting until setReady()', async () => {
    rt = new FakeRuntime({ readyAfterApply: false });
    const changes: string[] = [];
    rt.watch((s) => changes.push(s));
    await rt.apply(spec);
    expect(rt.instance(space, r1)?.state).toEqual({ kind: 'starting' });
    rt.setReady(space, r1);
    expect(rt.instance(space, r1)?.state).toEqual({ kind: 'ready' });
    expect(changes).toEqual([space, space]);
  });

  it('gives deterministic unresolvable endpoints without http, and times from its clock', async () => {
    const clock = new ManualClock(1_000);
    rt = new FakeRuntime({ clock });
    await rt.apply(spec);
    await rt.apply({ ...spec, release: 'r2' as ReleaseId });
    const [a, b] = await rt.list(space);
    expect(a).toMatchObject({ endpoint: { host: 'fake-runtime.invalid', port: 10_000 }, startedAt: 1_000 });
    expect(b?.endpoint).toEqual({ host: 'fake-runtime.invalid', port: 10_001 });
    clock.advance(500);
    rt.emitLog(space, r1, 'one\ntwo\n');
    const lines: LogLine[] = [];
    for await (const l of rt.logs(space, r1, { follow: false })) lines.push(l);
    expect(lines).toEqual([
      { timestamp: new Date(1_500).toISOString(), data: 'one' },
      { timestamp: new Date(1_500).toISOString(), data: 'two' },
    ]);
  });

  it('crash() reports exited with the last lines as the reason, fail() reports failed', async () => {
    rt = new FakeRuntime();
    await rt.apply(spec);
    rt.emitLog(spec.space, r1, 'Traceback: boom');
    rt.crash(space, r1, 2);
    expect(rt.instance(space, r1)).toMatchObject({ state: { kind: 'exited', exitCode: 2, reason: 'Traceback: boom' } });
    expect(rt.instance(space, r1)?.endpoint).toBeUndefined();
    await rt.apply(spec);
    expect(rt.instance(space, r1)).toMatchObject({ state: { kind: 'ready' }, restartCount: 1 });
    rt.fail(space, r1, 'Out of memory');
    expect(rt.instance(space, r1)?.state).toEqual({ kind: 'failed', reason: 'Out of memory' });
  });

  it('failNext() makes the next call of one operation reject once', async () => {
    rt = new FakeRuntime();
    rt.failNext('apply');
    await expect(rt.apply(spec)).rejects.toSatisfy((e) => isSpaceportError(e, 'RuntimeFailed'));
    await rt.apply(spec);
    expect(rt.counts(space, r1)).toMatchObject({ applies: 2, starts: 1 });
  });

  it('a follower ends when the instance stops', async () => {
    rt = new FakeRuntime();
    await rt.apply(spec);
    rt.emitLog(space, r1, 'hello');
    const seen: string[] = [];
    const reading = (async () => {
      for await (const l of rt.logs(space, r1, { follow: true })) seen.push(l.data);
    })();
    await new Promise((r) => setImmediate(r));
    rt.emitLog(space, r1, 'later');
    await rt.stop(space, r1);
    await reading;
    expect(seen).toEqual(['hello', 'later']);
  });
});
