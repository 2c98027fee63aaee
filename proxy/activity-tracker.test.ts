import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { ActivityTracker } from './activity-tracker.js';
import type { Activity } from './route.js';

describe('ActivityTracker', () => {
  afterEach(() => vi.useRealTimers());

  it('coalesces marks per Space into one batch with the latest time', () => {
    const clock = new ManualClock(1000);
    const batches: Activity[][] = [];
    const t = new ActivityTracker({ sink: { report: (b) => batches.push(b) }, clock, logger: silentLogger(), flushMs: 0 });
    t.mark('a/x');
    clock.advance(5);
    t.mark('a/x');
    t.mark('b/y');
    t.flush();
    t.flush(); // nothing pending: no empty batch
    expect(batches).toEqual([[{ space: 'a/x', at: 1005 }, { space: 'b/y', at: 1005 }]]);
    t.mark('a/x');
    t.close();
    expect(batches).toHaveLength(2);
  });

  it('flushes on its interval', () => {
    vi.useFakeTimers();
    const clock = new ManualClock(0);
    const report = vi.fn();
    const t = new ActivityTracker({ sink: { report }, clock, logger: silentLogger(), flushMs: 1000 });
    for (let i = 0; i < 500; i++) t.mark('a/x');
    expect(report).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1000);
    expect(report).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5000);
    expect(report).toHaveBeenCalledTimes(1);
    t.close();
  });

  it('survives a sink that throws', () => {
    const t = new ActivityTracker({
      sink: { report: () => { throw new Error('down'); } },
      clock: new ManualClock(0),
      logger: silentLogger(),
      flushMs: 0,
    });
    t.mark('a/x');
    expect(() => t.flush()).not.toThrow();
  });
});
