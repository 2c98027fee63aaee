import { describe, expect, it } from 'vitest';
import { parseStreamMessage, type Route } from '../../proxy/index.js';
import { InProcessRouteTable } from '../lifecycle/index.js';
import { bearerMatches } from './internal-auth.js';
import { RouteLog } from './route-log.js';
import { resumePointOf } from './route-stream-server.js';

const route = (subdomain: string, port: number): Route => ({
  subdomain,
  space: `o/${subdomain}`,
  stage: 'RUNNING',
  target: { kind: 'running', endpoint: { host: '10.0.0.1', port } },
});

describe('RouteLog', () => {
  it('numbers each change and snapshots at the current revision', () => {
    const table = new InProcessRouteTable();
    table.upsert(route('before', 1));
    const log = new RouteLog(table);
    expect(parseStreamMessage(log.snapshotFrame())).toEqual({ type: 'snapshot', epoch: log.epoch, rev: 0, routes: [route('before', 1)] });
    const heard: string[] = [];
    log.subscribe((f) => heard.push(f));
    table.upsert(route('a', 1));
    table.upsert(route('a', 1)); // unchanged: no revision
    table.remove('before');
    expect(log.rev).toBe(2);
    expect(heard.map(parseStreamMessage)).toEqual([
      { type: 'upsert', rev: 1, route: route('a', 1) },
      { type: 'remove', rev: 2, subdomain: 'before' },
    ]);
    expect(parseStreamMessage(log.snapshotFrame())).toMatchObject({ rev: 2, routes: [route('a', 1)] });
  });

  it('resumes a client whose missed changes are all in the buffer', () => {
    const table = new InProcessRouteTable();
    const log = new RouteLog(table, { capacity: 3 });
    for (let i = 1; i <= 5; i++) table.upsert(route('a', i));
    expect(log.framesSince({ epoch: log.epoch, rev: 5 })!.map(parseStreamMessage)).toEqual([{ type: 'resumed', epoch: log.epoch, since: 5, rev: 5 }]);
    expect(log.framesSince({ epoch: log.epoch, rev: 2 })!.map(parseStreamMessage)).toEqual([
      { type: 'resumed', epoch: log.epoch, since: 2, rev: 5 },
      { type: 'upsert', rev: 3, route: route('a', 3) },
      { type: 'upsert', rev: 4, route: route('a', 4) },
      { type: 'upsert', rev: 5, route: route('a', 5) },
    ]);
  });

  it('sends a snapshot instead when the buffer lost changes, the epoch differs, or the revision is ahead', () => {
    const table = new InProcessRouteTable();
    const log = new RouteLog(table, { capacity: 3 });
    for (let i = 1; i <= 5; i++) table.upsert(route('a', i));
    expect(log.framesSince({ epoch: log.epoch, rev: 1 })).toBeUndefined();
    expect(log.framesSince({ epoch: 'another-start', rev: 5 })).toBeUndefined();
    expect(log.framesSince({ epoch: log.epoch, rev: 6 })).toBeUndefined();
  });

  it('stops following the table on close', () => {
    const table = new InProcessRouteTable();
    const log = new RouteLog(table);
    log.close();
    table.upsert(route('a', 1));
    expect(log.rev).toBe(0);
  });
});

describe('resumePointOf', () => {
  it('reads epoch and since from the query, else nothing', () => {
    expect(resumePointOf('/internal/routes?epoch=ab12&since=7')).toEqual({ epoch: 'ab12', rev: 7 });
    expect(resumePointOf('/internal/routes?since=7')).toBeUndefined();
    expect(resumePointOf('/internal/routes?epoch=ab12&since=-1')).toBeUndefined();
    expect(resumePointOf('/internal/routes?epoch=ab12&since=x')).toBeUndefined();
    expect(resumePointOf('/internal/routes')).toBeUndefined();
  });
});

describe('bearerMatches (internal token)', () => {
  const token = 'a-long-internal-token-0123456789';
  it('accepts only the exact token as a Bearer credential', () => {
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
    expect(bearerMatches(`bearer ${token}`, token)).toBe(true);
    expect(bearerMatches(`Bearer ${token}x`, token)).toBe(false);
    expect(bearerMatches(`Basic ${token}`, token)).toBe(false);
    expect(bearerMatches(token, token)).toBe(false);
    expect(bearerMatches(undefined, token)).toBe(false);
    expect(bearerMatches('Bearer ', token)).toBe(false);
  });
});
