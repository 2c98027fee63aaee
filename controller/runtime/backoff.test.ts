import { describe, expect, it } from 'vitest';
import { INFORMER_RESTART, RestartBackoff, backoffDelay } from './backoff.js';

const policy = { baseMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };
const almostOne = () => 0.999_999;

describe('backoffDelay', () => {
  it('doubles its ceiling each attempt from baseMs, up to maxMs', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, policy, almostOne))).toEqual([999, 1_999, 3_999, 7_999, 15_999, 29_999, 29_999]);
  });

  it('draws uniformly below the ceiling (full jitter): any delay from 0', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(4_000);
  });

  it('stays a number within maxMs however many attempts', () => {
    for (const attempt of [60, 1_100, Number.MAX_SAFE_INTEGER]) {
      const d = backoffDelay(attempt, policy, almostOne);
      expect(Number.isFinite(d) && d <= policy.maxMs).toBe(true);
    }
  });

  it('is the informers’ policy: 1 s base, 30 s cap', () => {
    expect(INFORMER_RESTART).toMatchObject({ baseMs: 1_000, maxMs: 30_000 });
  });
});

describe('RestartBackoff', () => {
  it('grows while failures follow each other, and starts over after a healthy run', () => {
    let now = 0;
    const b = new RestartBackoff(policy, { now: () => now, random: () => 0.5 });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const d = b.next();
      delays.push(d);
      now += d + 1_000; // restarted, failed again a second later
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000]);
    now += 60_000; // ran a minute since its last restart
    expect(b.next()).toBe(500);
  });

  it('counts the healthy run from the restart, not from the failure', () => {
    let now = 0;
    const b = new RestartBackoff({ ...policy, resetAfterMs: 10_000 }, { now: () => now, random: almostOne });
    for (let i = 0; i < 5; i++) b.next(); // the last delay ≈ 16 s
    now += 20_000; // ~4 s of running after the restart: not healthy yet
    expect(b.next()).toBe(29_999);
  });
});
