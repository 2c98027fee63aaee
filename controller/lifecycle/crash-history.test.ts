import { describe, expect, it } from 'vitest';
import type { ReleaseId } from '../../core/index.js';
import { CrashHistory } from './crash-history.js';

const rel = 'r1' as ReleaseId;

describe('CrashHistory', () => {
  const policy = { baseMs: 1_000, maxMs: 8_000, stableMs: 60_000, loopAfter: 3 };

  it('doubles the restart delay up to the cap, and a crash loop starts at the third crash', () => {
    const h = new CrashHistory(policy);
    const at: number[] = [];
    const loops: (string | undefined)[] = [];
    for (let i = 1; i <= 6; i++) {
      h.ready(rel, i * 100_000); // answers briefly between crashes
      at.push(h.crashed(rel, i * 100_000 + 10_000, `crash ${i}`).restartAt - (i * 100_000 + 10_000));
      loops.push(h.loop(rel));
    }
    expect(at).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(loops).toEqual([undefined, undefined, 'crash 3', 'crash 4', 'crash 5', 'crash 6']);
  });

  it('a run of the stable period starts the count over, whether the next sign is a crash or being ready', () => {
    const h = new CrashHistory(policy);
    for (let i = 0; i < 3; i++) h.crashed(rel, i, 'c');
    expect(h.loop(rel)).toBe('c');
    h.ready(rel, 1_000);
    expect(h.crashed(rel, 61_000, 'later').attempt).toBe(1);
    for (let i = 0; i < 3; i++) h.crashed(rel, 62_000 + i, 'c');
    h.ready(rel, 70_000);
    h.ready(rel, 130_000);
    expect(h.loop(rel)).toBeUndefined();
    expect(h.restartAt(rel)).toBeUndefined();
  });

  it("restarts the runtime made in place are crashes: each new one counts once, a new run starts over, old history counts nothing", () => {
    const h = new CrashHistory(policy);
    const msg = () => 'exited with code 1';
    // The kubelet restarted the app twice before any pass saw it exited, then once more.
    expect(h.restartedInPlace(rel, { run: 'pod-a', count: 2, lastAt: 10_000, reason: '' }, 10_000, msg)).toBe(2);
    expect(h.loop(rel)).toBeUndefined();
    expect(h.restartedInPlace(rel, { run: 'pod-a', count: 2, lastAt: 10_000, reason: '' }, 11_000, msg)).toBe(0);
    h.ready(rel, 12_000);
    expect(h.restartedInPlace(rel, { run: 'pod-a', count: 3, lastAt: 20_000, reason: '' }, 20_000, msg)).toBe(1);
    expect(h.loop(rel)).toBe('exited with code 1');
    // A new pod counts from zero.
    expect(h.restartedInPlace(rel, { run: 'pod-b', count: 1, lastAt: 30_000, reason: '' }, 30_000, msg)).toBe(1);
    // First seen long after its last restart (a controller restart): past history, nothing counted.
    const fresh = new CrashHistory(policy);
    expect(fresh.restartedInPlace(rel, { run: 'pod-c', count: 5, lastAt: 0, reason: '' }, 600_000, msg)).toBe(0);
    expect(fresh.loop(rel)).toBeUndefined();
    expect(fresh.restartedInPlace(rel, { run: 'pod-c', count: 6, lastAt: 600_000, reason: '' }, 600_000, msg)).toBe(1);
  });

  it('forget drops the history (a restart by the owner)', () => {
    const h = new CrashHistory(policy);
    for (let i = 0; i < 3; i++) h.crashed(rel, i, 'c');
    h.forget(rel);
    expect(h.loop(rel)).toBeUndefined();
  });
});
