import { describe, expect, it } from 'vitest';
import { parseStreamMessage, snapshotMessage } from './route-stream-protocol.js';
import { appScopeOf, type Route } from './route.js';

describe('route stream wire format', () => {
  it("carries a route's grantScope to proxy replicas (a replica without it would bind cookies to the subdomain alone)", () => {
    const route: Route = { subdomain: 'alice-demo', space: 'alice/demo', stage: 'RUNNING', target: { kind: 'sleeping' }, access: 'private', grantScope: 'sp_abc.2' };
    const [parsed] = (parseStreamMessage(JSON.stringify(snapshotMessage('e1', 1, [route]))) as { routes: Route[] }).routes;
    expect(parsed).toEqual(route);
    expect(appScopeOf(parsed!)).toBe('alice-demo sp_abc.2');
  });

  it('a route from an older controller (no grantScope) is bound to its subdomain', () => {
    const [parsed] = (parseStreamMessage(JSON.stringify({ type: 'snapshot', epoch: 'e1', rev: 1, routes: [{ subdomain: 'bob-app', space: 'bob/app', stage: 'RUNNING', target: { kind: 'sleeping' } }] })) as { routes: Route[] }).routes;
    expect(appScopeOf(parsed!)).toBe('bob-app');
  });
});
