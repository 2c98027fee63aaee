import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { createProxy } from './create-proxy.js';
import type { Activity, RouteChange } from './route.js';

function makeProxy() {
  const listeners = new Set<(c: RouteChange) => void>();
  const batches: Activity[][] = [];
  const proxy = createProxy({
    routes: {
      snapshot: () => [{ subdomain: 'a-b', space: 'a/b', stage: 'STOPPED', target: { kind: 'sleeping' } }],
      subscribe: (fn) => {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
    },
    activity: { report: (b) => batches.push(b) },
    waker: { wake: async () => undefined },
    logger: silentLogger(),
    domain: 'spaces.test',
  });
  return { proxy, listeners, batches };
}

describe('createProxy', () => {
  it('recognizes Space hosts of its domain only', async () => {
    const { proxy } = makeProxy();
    expect(proxy.isSpaceHost('a-b.spaces.test:8080')).toBe('a-b');
    expect(proxy.isSpaceHost('spaces.test')).toBeUndefined();
    expect(proxy.isSpaceHost('a-b.localhost')).toBeUndefined();
    expect(proxy.stats()).toEqual({ routes: 1, pools: 0, tunnels: 0, held: 0 });
    await proxy.close();
  });

  it('close answers held requests with 503, unsubscribes, and refuses new work', async () => {
    const { proxy, listeners } = makeProxy();
    const server = http.createServer((req, res) => proxy.handleRequest(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const get = (): Promise<number> =>
        new Promise((resolve, reject) => {
          http
            .get({ host: '127.0.0.1', port, path: '/', headers: { host: 'a-b.spaces.test' }, agent: false }, (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            })
            .on('error', reject);
        });
      const held = get();
      while (proxy.stats().held === 0) await new Promise((r) => setTimeout(r, 10));
      await proxy.close();
      expect(await held).toBe(503);
      expect(listeners.size).toBe(0);
      expect(await get()).toBe(503);
      await proxy.close(); // idempotent
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
