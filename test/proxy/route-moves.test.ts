import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { createProxy, type Proxy } from '../../proxy/index.js';
import { waitFor } from '../support/http.js';
import { closeServer, FakeRouteSource, listen, request, runningRoute } from './harness.js';

/**
 * The Node path when a running Space's app moves (a restart, a new release: its route's endpoint
 * changes) while requests wait in the old endpoint's pool: they were never sent, so they follow the
 * route to the new endpoint, bodies included, instead of a 502. One upstream connection per endpoint
 * makes them wait. (Through HAProxy nothing waits in a pool: `bench/proxy/route-flip.ts` measures
 * both paths under load.)
 */
describe('an app that moves while requests wait for its connection', () => {
  const servers: http.Server[] = [];
  let proxy: Proxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    for (const s of servers.splice(0)) await closeServer(s);
  });

  async function app(name: string, hold = false): Promise<{ port: number; seen: string[]; release: () => void }> {
    const seen: string[] = [];
    const held: Array<() => void> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.push(`${req.method} ${body}`.trim());
        const answer = () => res.end(`${name} ${req.method}${body ? ` ${body}` : ''}`);
        if (hold) held.push(answer);
        else answer();
      });
    });
    servers.push(server);
    return { port: await listen(server), seen, release: () => held.splice(0).forEach((f) => f()) };
  }

  /** The proxy as the composition root mounts it, counting the requests it has been handed. */
  async function start(source: FakeRouteSource): Promise<{ port: number; handed: () => number }> {
    proxy = createProxy({ routes: source, activity: { report: () => undefined }, waker: { wake: async () => undefined }, logger: silentLogger(), domain: 'localhost', connectionsPerEndpoint: 1 });
    let handed = 0;
    const server = http.createServer((req, res) => {
      handed++;
      proxy!.handleRequest(req, res);
    });
    servers.push(server);
    return { port: await listen(server), handed: () => handed };
  }

  it('sends the waiting requests (a GET, a POST with its body) to the new endpoint; the one in flight finishes on the old', async () => {
    const a = await app('A', true);
    const b = await app('B');
    const source = new FakeRouteSource();
    source.set(runningRoute('mover', a.port));
    const p = await start(source);
    const first = request(p.port, { host: 'mover.localhost', path: '/first' });
    await waitFor('the first request at A', async () => (a.seen.length === 1 ? true : undefined), 5_000, 10);
    const waiting = [
      request(p.port, { host: 'mover.localhost', path: '/second' }),
      request(p.port, { host: 'mover.localhost', path: '/third', method: 'POST', body: 'payload', headers: { 'content-type': 'text/plain' } }),
    ];
    // Both handed to the proxy, so both wait in A's pool (its one connection is busy).
    await waitFor('both waiting', async () => (p.handed() === 3 ? true : undefined), 5_000, 10);
    source.set(runningRoute('mover', b.port));
    a.release();
    const [r1, r2, r3] = await Promise.all([first, ...waiting]);
    expect(`${r1!.status} ${r1!.body}`).toBe('200 A GET');
    expect(`${r2!.status} ${r2!.body}`).toBe('200 B GET');
    expect(`${r3!.status} ${r3!.body}`).toBe('200 B POST payload');
    expect(a.seen).toEqual(['GET']);
    expect(b.seen).toEqual(['GET', 'POST payload']);
  });

  it('a waiting request whose Space stopped running is not sent anywhere (502), and none goes to the old endpoint', async () => {
    const a = await app('A', true);
    const source = new FakeRouteSource();
    source.set(runningRoute('sleeper', a.port));
    const p = await start(source);
    const first = request(p.port, { host: 'sleeper.localhost' });
    await waitFor('the first request at A', async () => (a.seen.length === 1 ? true : undefined), 5_000, 10);
    const second = request(p.port, { host: 'sleeper.localhost', path: '/second' });
    await waitFor('the second waiting', async () => (p.handed() === 2 ? true : undefined), 5_000, 10);
    source.set({ ...runningRoute('sleeper', a.port), stage: 'SLEEPING', target: { kind: 'sleeping' } });
    a.release();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(502);
    expect(a.seen).toEqual(['GET']);
  });

  it('a request waiting when the proxy closes is answered, and opens no pool after it', async () => {
    const a = await app('A', true);
    const source = new FakeRouteSource();
    source.set(runningRoute('closing', a.port));
    const p = await start(source);
    const first = request(p.port, { host: 'closing.localhost' }).catch((e: Error) => e);
    await waitFor('the first request at A', async () => (a.seen.length === 1 ? true : undefined), 5_000, 10);
    const second = request(p.port, { host: 'closing.localhost', path: '/second' });
    await waitFor('the second waiting', async () => (p.handed() === 2 ? true : undefined), 5_000, 10);
    const closed = proxy!.close();
    expect((await second).status).toBe(502);
    a.release();
    await closed;
    await first;
    expect(proxy!.stats().pools).toBe(0);
    expect(a.seen).toEqual(['GET']);
  });
});
