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

  it('a failed wake answers held requests and allows a retry', async () => {
    let fail = true;
    const { wake, coord } = setup({ wake: async () => { if (fail) throw new Error('controller down'); } });
    const outcomes: HoldOutcome[] = [];
    coord.hold('a-x', (o) => outcomes.push(o));
    coord.wake(sleeping);
    await vi.waitFor(() => expect(outcomes).toEqual([{ kind: 'unavailable', reason: 'wake-failed' }]));
    fail = false;
    coord.wake(sleeping);
    expect(wake).toHaveBeenCalledTimes(2);
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
