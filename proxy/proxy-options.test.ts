import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { isSpaceportError } from '../core/errors.js';
import { resolveProxyOptions, type ProxyOptions } from './proxy-options.js';

const base: ProxyOptions = {
  routes: { snapshot: () => [], subscribe: () => () => undefined },
  activity: { report: () => undefined },
  waker: { wake: async () => undefined },
  logger: silentLogger(),
  domain: 'Spaces.Example.com.',
};

describe('resolveProxyOptions', () => {
  it('applies defaults and normalizes', () => {
    const o = resolveProxyOptions({ ...base, noWakeUserAgents: ['UptimeRobot', ''], noWakePaths: ['/healthz'] });
    expect(o.domain).toBe('spaces.example.com');
    expect(o.wakeTimeoutMs).toBe(120_000);
    expect(o.wakeQueueMax).toBe(1000);
    expect(o.upstreamTimeoutMs).toBe(300_000);
    expect(o.activityFlushMs).toBe(1000);
    expect(o.retryAfter).toBe('5');
    expect(o.noWakeUserAgents).toEqual(['uptimerobot']);
    expect(o.noWakePaths).toEqual(['/healthz']);
    expect(Object.isFrozen(o)).toBe(true);
  });

  it('rejects bad values with a SpaceportError naming the option', () => {
    expect(() => resolveProxyOptions({ ...base, wakeTimeoutMs: -1 })).toThrow(/wakeTimeoutMs/);
    expect(() => resolveProxyOptions({ ...base, domain: 'bad domain' })).toThrow(/domain/);
    try {
      resolveProxyOptions({ ...base, wakeQueueMax: 0 });
    } catch (err) {
      expect(isSpaceportError(err)).toBe(true);
    }
    expect(resolveProxyOptions({ ...base, activityFlushMs: 0 }).activityFlushMs).toBe(0);
  });
});
