import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { UpstreamPools } from './upstream-pools.js';
import type { UpstreamHandler } from './upstream-h1/index.js';

describe('UpstreamPools', () => {
  it('keeps one pool per endpoint and drops it on request', async () => {
    const pools = new UpstreamPools({ connectionsPerEndpoint: 4, connectTimeoutMs: 1000 });
    const a = pools.get({ host: '127.0.0.1', port: 1 });
    expect(pools.get({ host: '127.0.0.1', port: 1 })).toBe(a);
    pools.get({ host: '127.0.0.1', port: 2 });
    expect(pools.size).toBe(2);
    const same = { host: '127.0.0.1', port: 1 };
    expect(pools.get(same)).toBe(a); // by key, then by this object
    expect(pools.get(same)).toBe(a);
    pools.drop('127.0.0.1:1');
    expect(pools.has('127.0.0.1:1')).toBe(false);
    expect(a.closed).toBe(true);
    // The endpoint back in the route table (the same object): a new pool, never the closed one.
    const again = pools.get(same);
    expect(again).not.toBe(a);
    expect(again.closed).toBe(false);
    await pools.close(100);
    expect(pools.size).toBe(0);
  });

  it('close destroys a pool still busy after the grace period', async () => {
    const server = http.createServer(() => undefined); // never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const pools = new UpstreamPools({ connectionsPerEndpoint: 4, connectTimeoutMs: 1000 });
      const pool = pools.get({ host: '127.0.0.1', port });
      const pending = new Promise<Error | 'completed'>((resolve) => {
        const handler: UpstreamHandler = {
          onConnect: () => undefined,
          onHeaders: () => true,
          onData: () => true,
          onComplete: () => resolve('completed'),
          onError: (err) => resolve(err),
        };
        pool.dispatch({ path: '/', method: 'GET', headers: [], body: null, headersTimeout: 0, bodyTimeout: 0 }, handler);
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(pool.connections).toBe(1);
      await pools.close(50);
      expect(pool.closed).toBe(true);
      expect(pool.connections).toBe(0);
      expect(await pending).toBeInstanceOf(Error);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
