import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReleaseId, SpaceId } from '../../core/index.js';
import type { SpaceRecord, Visibility } from '../store/index.js';
import { StateWorld } from '../../test/support/state-world.js';

/**
 * Random interleavings of the owner's API calls, pushes, builds that finish or fail, crashes, idle
 * timeouts, visits and reconcile passes, on fakes (test/support/state-world.ts), with the
 * invariants of ARCHITECTURE.md "State: spec and status" checked after every step.
 * `make test` runs a fixed seed; SPACEPORT_PROPERTY_RUNS=500 (and SPACEPORT_PROPERTY_SEED) run more.
 */
const RUNS = Number(process.env.SPACEPORT_PROPERTY_RUNS ?? 60);
const SEED = Number(process.env.SPACEPORT_PROPERTY_SEED ?? 19);

type ApiCall =
  | { api: 'pause' }
  | { api: 'restart'; factory: boolean }
  | { api: 'hardware'; flavor: 'cpu-basic' | 'cpu-upgrade' }
  | { api: 'sleep'; seconds: 60 | 300 | -1 }
  | { api: 'visibility'; visibility: Visibility }
  | { api: 'delete' };
type Step =
  | ApiCall
  | { during: ApiCall } // an API call made while a reconcile pass is between its read and its writes
  | { step: 'push' | 'buildSucceeds' | 'buildFails' | 'crash' | 'visit' | 'reconcile' }
  | { step: 'idle'; seconds: number };

const apiCall: fc.Arbitrary<ApiCall> = fc.oneof(
  fc.constant({ api: 'pause' as const }),
  fc.boolean().map((factory) => ({ api: 'restart' as const, factory })),
  fc.constantFrom('cpu-basic' as const, 'cpu-upgrade' as const).map((flavor) => ({ api: 'hardware' as const, flavor })),
  fc.constantFrom(60 as const, 300 as const, -1 as const).map((seconds) => ({ api: 'sleep' as const, seconds })),
  fc.constantFrom<Visibility>('public', 'private').map((visibility) => ({ api: 'visibility' as const, visibility })),
  fc.constant({ api: 'delete' as const }),
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: apiCall.filter((c) => c.api !== 'delete'), weight: 6 },
  { arbitrary: apiCall.filter((c) => c.api !== 'delete').map((c) => ({ during: c })), weight: 6 },
  { arbitrary: fc.constant({ api: 'delete' as const }), weight: 1 },
  { arbitrary: fc.constantFrom('push' as const, 'buildSucceeds' as const, 'buildFails' as const, 'crash' as const, 'visit' as const, 'reconcile' as const).map((s) => ({ step: s })), weight: 12 },
  { arbitrary: fc.constantFrom(2, 30, 61, 301).map((seconds) => ({ step: 'idle' as const, seconds })), weight: 3 },
);

/** What the owner's API calls set, in order: the spec must be exactly this. */
interface Spec {
  paused: boolean;
  hardware: string;
  sleepSeconds?: number;
  visibility: Visibility;
}

const SPEC_KEYS = ['paused', 'hardware', 'sleepSeconds', 'visibility', 'storageTier', 'upstream', 'webhookSecret'] as const;
const specOf = (s: SpaceRecord) => Object.fromEntries(SPEC_KEYS.map((k) => [k, s[k]]));

/** Status writes that broke the rules: applied on a stale read, or touching the spec. */
function watchStatusWrites(w: StateWorld): string[] {
  const broken: string[] = [];
  const update = w.store.updateStatus.bind(w.store);
  w.store.updateStatus = (uid, readVersion, patch) => {
    const before = w.store.getSpaceByUid(uid);
    const result = update(uid, readVersion, patch);
    if (result === 'conflict' || !before) return result;
    if (before.version !== readVersion) broken.push(`applied on a stale read (read v${readVersion}, row v${before.version}): ${JSON.stringify(patch)}`);
    if (JSON.stringify(specOf(before)) !== JSON.stringify(specOf(result))) broken.push(`a status write changed the spec: ${JSON.stringify(patch)}`);
    if (result.version <= before.version) broken.push('a status write did not move the version');
    return result;
  };
  return broken;
}

async function call(w: StateWorld, uid: string, c: ApiCall, spec: Spec): Promise<void> {
  const space = w.store.getSpaceByUid(uid);
  if (!space) return;
  switch (c.api) {
    case 'pause':
      await w.changes.pause(space);
      spec.paused = true;
      return;
    case 'restart':
      await w.changes.restart(space, { factory: c.factory });
      spec.paused = false;
      return;
    case 'hardware':
      await w.changes.setHardware(space, c.flavor);
      spec.hardware = c.flavor;
      return;
    case 'sleep':
      await w.changes.setSleepTime(space, c.seconds);
      spec.sleepSeconds = c.seconds;
      return;
    case 'visibility':
      // SpaceService.setVisibility's store write (its route update needs the whole service).
      w.store.updateSpec(uid, { visibility: c.visibility });
      spec.visibility = c.visibility;
      return;
    case 'delete':
      // SpaceService.delete, less the repository and its files.
      w.store.deleteSpace(uid);
      w.routes.removeSpace(space.id);
      await w.runtime.remove(space.id);
      return;
  }
}

async function run(w: StateWorld, uid: string, s: Step, spec: Spec): Promise<void> {
  const space = w.store.getSpaceByUid(uid);
  if ('api' in s) return call(w, uid, s, spec);
  if ('during' in s) {
    if (!space) return w.reconcile(uid); // a pass over a deleted Space reads nothing from the runtime
    const change = w.duringNextPass(() => call(w, uid, s.during, spec));
    await w.reconciler.kick(uid);
    return change;
  }
  switch (s.step) {
    case 'push':
      if (space) await w.push(uid);
      return;
    case 'buildSucceeds':
    case 'buildFails':
      await w.finishBuilds({ fail: s.step === 'buildFails' });
      return;
    case 'crash': {
      const serving = space?.servingRelease;
      const inst = serving && w.runtime.instance(space.id, serving);
      if (inst && (inst.state.kind === 'ready' || inst.state.kind === 'starting')) w.runtime.crash(space.id, serving);
      return;
    }
    case 'visit':
      if (!space) return;
      w.ledger.report([{ space: space.id, at: w.clock.now() }]);
      await w.reconciler.wake(uid);
      return;
    case 'idle':
      w.clock.advance(s.seconds * 1000);
      return;
    case 'reconcile':
      await w.reconcile(uid);
      return;
  }
}

async function check(w: StateWorld, uid: string, id: SpaceId, s: Step, spec: Spec, broken: string[], last: { version: number; updatedAt: string; lifecycle: string }): Promise<void> {
  expect(broken).toEqual([]);
  const visitOrIdle = 'step' in s && (s.step === 'visit' || s.step === 'idle');
  if (visitOrIdle) w.ledger.flush();
  const space = w.store.getSpaceByUid(uid);
  const running = (await w.runtime.list(id)).filter((i) => i.state.kind === 'ready' || i.state.kind === 'starting');
  if (!space) {
    // Deleted: after a pass nothing of it runs or is routed.
    await w.reconcile(uid);
    expect((await w.runtime.list(id)).filter((i) => i.state.kind === 'ready' || i.state.kind === 'starting')).toEqual([]);
    expect(w.routes.get(`alice-demo`)).toBeUndefined();
    return;
  }
  // The spec is exactly what the last API calls set.
  expect({ paused: space.paused, hardware: space.hardware, sleepSeconds: space.sleepSeconds, visibility: space.visibility }).toEqual(spec);
  // A Space falls asleep only under a sleep time that is not "never" (a pass that decided on the old one is refused).
  if (space.lifecycle === 'asleep' && last.lifecycle !== 'asleep') expect(space.sleepSeconds).not.toBe(-1);
  // The version only grows; a visit moves neither it nor lastModified.
  expect(space.version).toBeGreaterThanOrEqual(last.version);
  if (visitOrIdle) expect(space.updatedAt).toBe(last.updatedAt);
  // The target release is the latest successful build, on the hardware the owner asked for last.
  const succeeded = w.store.listBuilds(uid, 1000).filter((b) => b.status === 'succeeded');
  const target = space.targetRelease ? w.store.getRelease(space.targetRelease) : undefined;
  expect(target?.buildId).toBe(succeeded[0]?.id);
  if (target) expect(target.hardware).toBe(space.hardware);
  if ('step' in s && s.step === 'reconcile') {
    // After passes: a paused or sleeping Space runs nothing; a running target is the serving one;
    // whatever runs is the target or the release it replaces (a pass that acted on a stale read
    // may have started another release meanwhile: the next passes retire it).
    for (const i of running) expect([space.targetRelease, space.servingRelease]).toContain(i.release as ReleaseId);
    if (space.lifecycle !== 'active') expect(running).toEqual([]);
    expect(w.reconciler.stageOf(uid)?.stage === 'PAUSED').toBe(space.paused);
    const targetInst = target && w.runtime.instance(id, target.id);
    if (target && space.lifecycle === 'active' && targetInst?.state.kind === 'ready') expect(space.servingRelease).toBe(target.id);
  }
  last.version = space.version;
  last.updatedAt = space.updatedAt;
  last.lifecycle = space.lifecycle;
}

describe('Space state under random interleavings (issue 19)', () => {
  it(`keeps its invariants after every step (seed ${SEED}, ${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        const w = new StateWorld();
        try {
          const broken = watchStatusWrites(w);
          const created = await w.createSpace('demo', { sleepSeconds: 60 });
          const spec: Spec = { paused: false, hardware: 'cpu-basic', sleepSeconds: 60, visibility: 'public' };
          const last = { version: created.version, updatedAt: created.updatedAt, lifecycle: created.lifecycle as string };
          for (const s of steps) {
            await run(w, created.uid, s, spec);
            await check(w, created.uid, created.id, s, spec, broken, last);
          }
        } finally {
          await w.close();
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 600_000);
});
