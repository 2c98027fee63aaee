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

  it('forget drops the history (a restart by the owner)', () => {
    const h = new CrashHistory(policy);
    for (let i = 0; i < 3; i++) h.crashed(rel, i, 'c');
    h.forget(rel);
    expect(h.loop(rel)).toBeUndefined();
  });
});
