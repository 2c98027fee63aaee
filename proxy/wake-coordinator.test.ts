import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../core/logger.js';
import type { Route, RouteChange, RouteSource } from './route.js';
import { RouteTable } from './route-table.js';
import { WakeCoordinator, type HoldOutcome } from './wake-coordinator.js';

class FakeSource implements RouteSource {
  listener: ((c: RouteChange) => void) | undefined;
  constructor(readonly routes: Route[]) {}
  snapshot(): Route[] {
    return this.routes;
  }
  subscribe(fn: (c: RouteChange) => void): () => void {
    this.listener = fn;
    return () => (this.listener = undefined);
  }
  set(route: Route): void {
    this.listener?.({ kind: 'upsert', route });
  }
}

const sleeping: Route = { subdomain: 'a-x', space: 'a/x', stage: 'STOPPED', target: { kind: 'sleeping' } };
const running: Route = { ...sleeping, stage: 'RUNNING', target: { kind: 'running', endpoint: { host: '127.0.0.1', port: 1 } } };

function setup(opts: { timeoutMs?: number; queueMax?: number; wake?: () => Promise<void> } = {}) {
  const source = new FakeSource([sleeping]);
  const routes = new RouteTable(source);
  const wake = vi.fn(opts.wake ?? (async () => undefined));
  const coord = new WakeCoordinator({
    routes,
    waker: { wake },
    logger: silentLogger(),
    timeoutMs: opts.timeoutMs ?? 60_000,
    queueMax: opts.queueMax ?? 10,
  });
  return { source, routes, wake, coord };
}

describe('WakeCoordinator', () => {
  afterEach(() => vi.useRealTimers());

  it('wakes once per sleep', () => {
    const { source, wake, coord } = setup();
    for (let i = 0; i < 5; i++) coord.wake(sleeping);
    expect(wake).toHaveBeenCalledTimes(1);
    source.set({ ...sleeping, target: { kind: 'waking' } });
    coord.wake(sleeping);
    expect(wake).toHaveBeenCalledTimes(1);
    source.set(running);
    source.set(sleeping);
    coord.wake(sleeping);
    expect(wake).toHaveBeenCalledTimes(2);
    coord.close();
  });

  it('releases held requests when the route runs, in arrival order', () => {
    const { source, coord } = setup();
    const seen: Array<[number, HoldOutcome['kind']]> = [];
    for (let i = 0; i < 3; i++) coord.hold('a-x', (o) => seen.push([i, o.kind]));
    source.set({ ...sleeping, stage: 'APP_STARTING', target: { kind: 'pending', stage: 'APP_STARTING' } });
    expect(seen).toEqual([]);
    expect(coord.heldCount('a-x')).toBe(3);
    source.set(running);
    expect(seen).toEqual([[0, 'ready'], [1, 'ready'], [2, 'ready']]);
    expect(coord.heldCount()).toBe(0);
    coord.close();
  });

  it('bounds the queue, drops cancelled entries and times out', () => {
    vi.useFakeTimers();
    const { coord } = setup({ queueMax: 2, timeoutMs: 1000 });
    const outcomes: HoldOutcome[] = [];
    const h1 = coord.hold('a-x', (o) => outcomes.push(o));
    coord.hold('a-x', (o) => outcomes.push(o));
    expect(coord.hold('a-x', (o) => outcomes.push(o))).toBeUndefined();
    h1?.cancel();
    expect(coord.heldCount('a-x')).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(outcomes).toEqual([{ kind: 'unavailable', reason: 'timeout' }]);
    expect(coord.heldCount()).toBe(0);
    coord.close();
  });

  it('answers held requests when the Space is paused or removed', () => {
    const { source, coord } = setup();
    const outcomes: HoldOutcome[] = [];
    coord.hold('a-x', (o) => outcomes.push(o));
    source.set({ ...sleeping, stage: 'PAUSED', target: { kind: 'paused' } });
    expect(outcomes[0]?.kind).toBe('gone');
    coord.hold('a-x', (o) => outcomes.push(o));
    source.listener?.({ kind: 'remove', subdomain: 'a-x' });
    expect(outcomes[1]).toEqual({ kind: 'gone', route: undefined });
    coord.close();
  });

  it('a failed wake call is tried again within the wake timeout: the held requests are served once it goes through (issue 18)', async () => {
    vi.useFakeTimers();
    let failures = 3; // the controller restarting: its first answers are refused
    const { source, wake, coord } = setup({ timeoutMs: 30_000, wake: async () => { if (failures-- > 0) throw new Error('connect ECONNREFUSED'); } });
    const outcomes: HoldOutcome[] = [];
    for (let i = 0; i < 10; i++) coord.hold('a-x', (o) => outcomes.push(o));
    coord.wake(sleeping);
    await vi.advanceTimersByTimeAsync(250 + 500 + 1000);
    expect(outcomes).toEqual([]); // nobody answered 503 while the controller came back
    expect(wake).toHaveBeenCalledTimes(4);
    source.set(running);
    expect(outcomes).toHaveLength(10);
    expect(outcomes.every((o) => o.kind === 'ready')).toBe(true);
    coord.close();
  });

  it('a wake that keeps failing answers held requests once the wake timeout is spent, and allows a new wake', async () => {
    vi.useFakeTimers();
    let fail = true;
    const { wake, coord } = setup({ timeoutMs: 3_000, wake: async () => { if (fail) throw new Error('controller down'); } });
    const outcomes: HoldOutcome[] = [];
    coord.hold('a-x', (o) => outcomes.push(o));
    coord.wake(sleeping);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(outcomes).toEqual([{ kind: 'unavailable', reason: 'wake-failed' }]);
    const calls = wake.mock.calls.length;
    expect(calls).toBeGreaterThan(2);
    fail = false;
    coord.wake(sleeping);
    expect(wake).toHaveBeenCalledTimes(calls + 1);
    coord.close();
  });

  it('close answers everything with closing', () => {
    const { coord } = setup();
    const outcomes: HoldOutcome[] = [];
    coord.hold('a-x', (o) => outcomes.push(o));
    coord.close();
    expect(outcomes).toEqual([{ kind: 'unavailable', reason: 'closing' }]);
  });
});
