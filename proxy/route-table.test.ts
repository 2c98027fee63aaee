import { describe, expect, it } from 'vitest';
import type { Route, RouteChange, RouteSource } from './route.js';
import { RouteTable } from './route-table.js';

class FakeSource implements RouteSource {
  routes: Route[] = [];
  listeners = new Set<(c: RouteChange) => void>();
  snapshot(): Route[] {
    return this.routes;
  }
  subscribe(fn: (c: RouteChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  emit(c: RouteChange): void {
    for (const l of this.listeners) l(c);
  }
}

const running = (subdomain: string, port: number): Route => ({
  subdomain,
  space: `o/${subdomain}`,
  stage: 'RUNNING',
  target: { kind: 'running', endpoint: { host: '127.0.0.1', port } },
});

describe('RouteTable', () => {
  it('loads the snapshot, lowercases subdomains and follows changes', () => {
    const src = new FakeSource();
    src.routes = [running('Alice-Demo', 1)];
    const table = new RouteTable(src);
    expect(table.get('alice-demo')?.space).toBe('o/Alice-Demo');
    const seen: Array<[string, string | undefined, string | undefined]> = [];
    table.onChange((sub, r, prev) => seen.push([sub, r?.target.kind, prev?.target.kind]));
    src.emit({ kind: 'upsert', route: { ...running('alice-demo', 1), target: { kind: 'sleeping' } } });
    expect(table.get('alice-demo')?.target.kind).toBe('sleeping');
    src.emit({ kind: 'remove', subdomain: 'ALICE-DEMO' });
    expect(table.get('alice-demo')).toBeUndefined();
    src.emit({ kind: 'remove', subdomain: 'nobody' });
    expect(seen).toEqual([
      ['alice-demo', 'sleeping', 'running'],
      ['alice-demo', undefined, 'sleeping'],
    ]);
  });

  it('counts routes per endpoint', () => {
    const src = new FakeSource();
    src.routes = [running('a', 1), running('b', 1), running('c', 2)];
    const table = new RouteTable(src);
    expect(table.hasEndpoint('127.0.0.1:1')).toBe(true);
    src.emit({ kind: 'remove', subdomain: 'a' });
    expect(table.hasEndpoint('127.0.0.1:1')).toBe(true);
    src.emit({ kind: 'upsert', route: running('b', 3) });
    expect(table.hasEndpoint('127.0.0.1:1')).toBe(false);
    expect(table.hasEndpoint('127.0.0.1:3')).toBe(true);
    expect(table.size).toBe(2);
  });

  it('unsubscribes on close', () => {
    const src = new FakeSource();
    const table = new RouteTable(src);
    expect(src.listeners.size).toBe(1);
    table.close();
    expect(src.listeners.size).toBe(0);
  });

  it('keeps changes that arrive while the snapshot is read', () => {
    const src = new FakeSource();
    src.snapshot = () => {
      src.emit({ kind: 'upsert', route: running('late', 9) });
      return [running('early', 1)];
    };
    const table = new RouteTable(src);
    expect(table.get('early')).toBeDefined();
    expect(table.get('late')).toBeDefined();
  });
});
