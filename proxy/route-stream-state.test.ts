import { describe, expect, it } from 'vitest';
import type { Route } from './route.js';
import { parseStreamMessage } from './route-stream-protocol.js';
import { RouteStreamState } from './route-stream-state.js';

const running = (subdomain: string, port: number): Route => ({
  subdomain,
  space: `o/${subdomain}`,
  stage: 'RUNNING',
  target: { kind: 'running', endpoint: { host: '127.0.0.1', port } },
});
const sleeping = (subdomain: string): Route => ({ subdomain, space: `o/${subdomain}`, stage: 'SLEEPING', target: { kind: 'sleeping' } });

function synced(routes: Route[] = [running('a', 1), running('b', 2)], rev = 5): RouteStreamState {
  const s = new RouteStreamState();
  s.apply({ type: 'snapshot', epoch: 'e1', rev, routes });
  return s;
}

describe('RouteStreamState', () => {
  it('a first snapshot upserts every route and sets the resume point', () => {
    const s = new RouteStreamState();
    expect(s.resumePoint()).toBeUndefined();
    const r = s.apply({ type: 'snapshot', epoch: 'e1', rev: 5, routes: [running('a', 1), sleeping('b')] });
    expect(r).toEqual({ kind: 'changes', via: 'snapshot', changes: [{ kind: 'upsert', route: running('a', 1) }, { kind: 'upsert', route: sleeping('b') }] });
    expect(s.resumePoint()).toEqual({ epoch: 'e1', rev: 5 });
    expect([...s.routes.keys()]).toEqual(['a', 'b']);
  });

  it('a later snapshot is applied as a diff: missing routes removed, changed ones upserted, equal ones silent', () => {
    const s = synced();
    s.disconnected();
    const r = s.apply({ type: 'snapshot', epoch: 'e2', rev: 1, routes: [running('a', 1), sleeping('c'), running('b', 3)] });
    expect(r.kind === 'changes' && r.changes).toEqual([
      { kind: 'upsert', route: sleeping('c') },
      { kind: 'upsert', route: running('b', 3) },
    ]);
    const again = s.apply({ type: 'snapshot', epoch: 'e2', rev: 1, routes: [sleeping('c')] });
    expect(again.kind === 'changes' && again.changes).toEqual([
      { kind: 'remove', subdomain: 'a' },
      { kind: 'remove', subdomain: 'b' },
    ]);
    expect(s.resumePoint()).toEqual({ epoch: 'e2', rev: 1 });
  });

  it('applies changes in revision order and advances the resume point', () => {
    const s = synced();
    expect(s.apply({ type: 'upsert', rev: 6, route: sleeping('a') })).toEqual({ kind: 'changes', via: 'change', changes: [{ kind: 'upsert', route: sleeping('a') }] });
    expect(s.apply({ type: 'remove', rev: 7, subdomain: 'b' })).toEqual({ kind: 'changes', via: 'change', changes: [{ kind: 'remove', subdomain: 'b' }] });
    expect(s.apply({ type: 'remove', rev: 8, subdomain: 'nope' })).toEqual({ kind: 'changes', via: 'change', changes: [] });
    expect(s.resumePoint()).toEqual({ epoch: 'e1', rev: 8 });
    expect([...s.routes.values()]).toEqual([sleeping('a')]);
  });

  it('a gap in revisions asks for a resync and changes nothing', () => {
    const s = synced();
    expect(s.apply({ type: 'upsert', rev: 7, route: sleeping('a') }).kind).toBe('resync');
    expect(s.apply({ type: 'upsert', rev: 5, route: sleeping('a') }).kind).toBe('resync');
    expect(s.routes.get('a')).toEqual(running('a', 1));
  });

  it('keeps its routes while disconnected and refuses changes until it is resumed', () => {
    const s = synced();
    s.disconnected();
    expect(s.routes.size).toBe(2);
    expect(s.apply({ type: 'upsert', rev: 6, route: sleeping('a') }).kind).toBe('resync');
    expect(s.apply({ type: 'resumed', epoch: 'e1', since: 5, rev: 7 })).toEqual({ kind: 'changes', via: 'resumed', changes: [] });
    expect(s.apply({ type: 'upsert', rev: 6, route: sleeping('a') }).kind).toBe('changes');
    expect(s.apply({ type: 'remove', rev: 7, subdomain: 'b' }).kind).toBe('changes');
    expect(s.resumePoint()).toEqual({ epoch: 'e1', rev: 7 });
  });

  it('a resume from another epoch or revision than the one held asks for a resync', () => {
    const s = synced();
    s.disconnected();
    expect(s.apply({ type: 'resumed', epoch: 'other', since: 5, rev: 9 }).kind).toBe('resync');
    expect(s.apply({ type: 'resumed', epoch: 'e1', since: 4, rev: 9 }).kind).toBe('resync');
  });

  it('forgetting the resume point keeps the routes for serving until the next snapshot', () => {
    const s = synced();
    s.forgetResumePoint();
    expect(s.resumePoint()).toBeUndefined();
    expect(s.routes.size).toBe(2);
  });
});

describe('parseStreamMessage', () => {
  it('reads every frame kind', () => {
    expect(parseStreamMessage('{"type":"remove","rev":3,"subdomain":"a"}')).toEqual({ type: 'remove', rev: 3, subdomain: 'a' });
    expect(parseStreamMessage(JSON.stringify({ type: 'upsert', rev: 1, route: running('a', 80) }))).toEqual({ type: 'upsert', rev: 1, route: running('a', 80) });
  });

  it('throws on a frame that does not match, instead of skipping it', () => {
    expect(() => parseStreamMessage('{"type":"upsert","rev":1}')).toThrow();
    expect(() => parseStreamMessage('not json')).toThrow();
    expect(() => parseStreamMessage(JSON.stringify({ type: 'upsert', rev: 1, route: { ...running('a', 1), target: { kind: 'running', endpoint: { host: 'x', port: 0 } } } }))).toThrow();
  });
});
