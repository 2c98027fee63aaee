import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import type { ProxyContext } from './proxy-context.js';
import { resolveProxyOptions } from './proxy-options.js';
import type { Route } from './route.js';
import { isStatusPath, routePageResponse, statusResponse, unavailableResponse, wakingResponse } from './route-responses.js';

const ctx = {
  opts: resolveProxyOptions({
    routes: { snapshot: () => [], subscribe: () => () => undefined },
    activity: { report: () => undefined },
    waker: { wake: async () => undefined },
    logger: silentLogger(),
    domain: 'localhost',
    retryAfterSeconds: 3,
  }),
} as ProxyContext;

const route = (target: Route['target'], stage = 'X'): Route => ({ subdomain: 'o-n', space: 'o/n', stage, target });

function header(headers: string[], name: string): string | undefined {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === name) return headers[i + 1];
  return undefined;
}

describe('route responses', () => {
  it('recognizes the status path exactly', () => {
    expect(isStatusPath('/.spaceport/status')).toBe(true);
    expect(isStatusPath('/.spaceport/status?x=1')).toBe(true);
    expect(isStatusPath('/.spaceport/statusx')).toBe(false);
    expect(isStatusPath('/app/.spaceport/status')).toBe(false);
    expect(isStatusPath(undefined)).toBe(false);
  });

  it('status JSON names space, stage and target kind', () => {
    const r = statusResponse(route({ kind: 'sleeping' }, 'STOPPED'));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ space: 'o/n', stage: 'STOPPED', target: 'sleeping' });
    expect(statusResponse(undefined).status).toBe(404);
  });

  it('pages for pending, failed and paused are 503; running has none', () => {
    const pending = routePageResponse(ctx, route({ kind: 'pending', stage: 'BUILDING' }, 'BUILDING'));
    expect(pending?.status).toBe(503);
    expect(header(pending!.headers, 'retry-after')).toBe('3');
    expect(routePageResponse(ctx, route({ kind: 'failed', stage: 'BUILD_ERROR', message: 'm' }))?.status).toBe(503);
    expect(routePageResponse(ctx, route({ kind: 'paused' }))?.body).toContain('paused by its owner');
    expect(routePageResponse(ctx, route({ kind: 'running', endpoint: { host: 'h', port: 1 } }))).toBeUndefined();
  });

  it('waking and unavailable answers carry Retry-After', () => {
    const w = wakingResponse(ctx, route({ kind: 'sleeping' }, 'STOPPED'));
    expect(w.status).toBe(503);
    expect(header(w.headers, 'retry-after')).toBe('3');
    const u = unavailableResponse(ctx, undefined, 'busy');
    expect(u.status).toBe(503);
    expect(header(u.headers, 'retry-after')).toBe('3');
    expect(JSON.parse(u.body).error).toBe('busy');
  });
});
