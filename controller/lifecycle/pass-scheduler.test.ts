import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { PassScheduler, type PassSchedulerOptions } from './pass-scheduler.js';

describe('PassScheduler', () => {
  let passes: string[];
  let scheduler: PassScheduler | undefined;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    passes = [];
  });
  afterEach(async () => {
    await scheduler?.close();
    vi.useRealTimers();
  });

  function make(opts: Partial<PassSchedulerOptions> = {}): PassScheduler {
    scheduler = new PassScheduler({
      pass: async (uid) => void passes.push(uid),
      uids: () => ['a', 'b', 'c'],
      clock: { now: () => Date.now() },
      logger: silentLogger(),
      ...opts,
    });
    return scheduler;
  }

  it('runs a pass when a timer is due; an earlier request replaces a later one, a later one never delays it', async () => {
    const s = make();
    s.later('a', 5_000);
    s.later('a', 1_000);
    s.later('a', 3_000);
    await vi.advanceTimersByTimeAsync(999);
    expect(passes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(passes).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(passes).toEqual(['a']);
  });

  it('runs passes again when started after close() (a replica that leads again), none in between', async () => {
    const s = make();
    await s.start();
    expect(passes.sort()).toEqual(['a', 'b', 'c']);
    await s.close();
    passes = [];
    await s.kick('a');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(passes).toEqual([]);
    await s.start();
    await s.kick('b');
    expect(passes.sort()).toEqual(['a', 'b', 'b', 'c']);
  });

  it('waits at most the longest delay Node honours (a sleep time of years does not fire at once)', async () => {
    const s = make();
    s.later('a', 365 * 24 * 3_600_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(passes).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 ** 31 - 1);
    expect(passes).toEqual(['a']);
  });

  it('looks at a Space again resyncMs after its pass failed', async () => {
    let fail = true;
    const s = make({
      resyncMs: 2_000,
      pass: async (uid) => {
        passes.push(uid);
        if (fail) throw new Error('engine away');
      },
    });
    await s.kick('a');
    fail = false;
    await vi.advanceTimersByTimeAsync(1_999);
    expect(passes).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(1);
    expect(passes).toEqual(['a', 'a']);
  });

  it('sweeps at start, then resyncs every tick and sweeps every fullResyncMs', async () => {
    let resyncs = 0;
    const s = make({ resyncMs: 1_000, fullResyncMs: 3_000, resync: async () => void resyncs++ });
    await s.start();
    expect([passes.length, resyncs]).toEqual([3, 1]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect([passes.length, resyncs]).toEqual([3, 3]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect([passes.length, resyncs]).toEqual([6, 4]);
  });

  it('sweeps every tick when there is no resync', async () => {
    const s = make({ resyncMs: 1_000 });
    await s.start();
    for (let tick = 0; tick < 2; tick++) {
      await vi.advanceTimersByTimeAsync(1_000);
      await new Promise((r) => setImmediate(r)); // the sweep yields between batches
    }
    expect(passes.length).toBe(9);
  });

  it('runs nothing after close', async () => {
    const s = make({ resyncMs: 1_000 });
    await s.start();
    s.later('a', 500);
    await s.close();
    await s.kick('b');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(passes.length).toBe(3);
  });
});
