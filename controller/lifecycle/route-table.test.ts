import { describe, expect, it } from 'vitest';
import type { Route, RouteChange } from '../../proxy/index.js';
import { InProcessRouteTable } from './route-table.js';

const route = (subdomain: string, space: string, stage = 'RUNNING'): Route => ({ subdomain, space, stage, target: { kind: 'pending', stage } } as Route);

describe('InProcessRouteTable', () => {
  it('publishes changes only, and removes a Space’s other routes (a rename) by its own index', () => {
    const t = new InProcessRouteTable();
    const changes: RouteChange[] = [];
    t.subscribe((c) => changes.push(c));
    t.upsert(route('alice-demo', 'alice/demo'));
    t.upsert(route('alice-demo', 'alice/demo'));
    expect(changes).toHaveLength(1);
    t.upsert(route('bob-app', 'bob/app'));
    // Renamed: the new subdomain is published, the old one goes, other Spaces stay.
    t.upsert(route('alice-new', 'alice/demo'));
    t.removeSpace('alice/demo', 'alice-new');
    expect(t.snapshot().map((r) => r.subdomain).sort()).toEqual(['alice-new', 'bob-app']);
    expect(changes.at(-1)).toEqual({ kind: 'remove', subdomain: 'alice-demo' });
    t.removeSpace('alice/demo');
    expect(t.snapshot().map((r) => r.subdomain)).toEqual(['bob-app']);
  });

  it('a subdomain taken over by another Space leaves the first Space’s index', () => {
    const t = new InProcessRouteTable();
    t.upsert(route('x', 'a/one'));
    t.upsert(route('x', 'b/two'));
    t.removeSpace('a/one');
    expect(t.get('x')?.space).toBe('b/two');
    t.removeSpace('b/two');
    expect(t.snapshot()).toEqual([]);
  });
});
