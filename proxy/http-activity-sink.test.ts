import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { ControllerClient } from './controller-client.js';
import { HttpActivitySink } from './http-activity-sink.js';
import type { Activity } from './route.js';

/** A stand-in controller: records activity POSTs, answers `failures` of them with 503 first. */
async function fakeController(failures = 0) {
  const received: { auth?: string; batch: Activity[] }[] = [];
  let left = failures;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (left-- > 0) return void res.writeHead(503, { 'x-error-message': 'not now' }).end();
      received.push({ auth: req.headers.authorization, batch: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const waitUntil = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('HttpActivitySink', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup(failures: number, maxSpaces?: number) {
    const c = await fakeController(failures);
    const client = new ControllerClient({ controllerUrl: c.url, token: 'secret-token-0123456789' });
    const sink = new HttpActivitySink({ client, logger: silentLogger(), maxSpaces, retry: { initialMs: 20, maxMs: 50 } });
    cleanup.push(async () => {
      await sink.close();
      await client.destroy();
      c.server.closeAllConnections();
      await new Promise((r) => c.server.close(r));
    });
    return { ...c, sink };
  }

  it('posts each batch with the bearer token', async () => {
    const c = await setup(0);
    c.sink.report([{ space: 'a/b', at: 5 }]);
    await waitUntil(() => c.received.length === 1);
    expect(c.received[0]).toEqual({ auth: 'Bearer secret-token-0123456789', batch: [{ space: 'a/b', at: 5 }] });
  });

  it('keeps what failed, merges later activity per Space (latest wins) and retries until delivered', async () => {
    const c = await setup(2);
    c.sink.report([{ space: 'a/b', at: 5 }]);
    c.sink.report([{ space: 'a/b', at: 9 }, { space: 'c/d', at: 1 }]);
    c.sink.report([{ space: 'a/b', at: 7 }]);
    // Delivered: the controller has the batch and the sink has read its answer (the failure count resets
    // only then; the controller records the batch before it answers).
    await waitUntil(() => c.received.length > 0 && c.sink.stats().pending === 0 && c.sink.stats().failures === 0);
    const delivered = new Map<string, number>();
    for (const r of c.received) for (const a of r.batch) delivered.set(a.space, Math.max(delivered.get(a.space) ?? 0, a.at));
    expect(Object.fromEntries(delivered)).toEqual({ 'a/b': 9, 'c/d': 1 });
  });

  it('holds at most maxSpaces Spaces while the controller is away, counting what it drops', async () => {
    const c = await setup(1_000_000, 2);
    c.sink.report([{ space: 'a/a', at: 1 }]);
    await waitUntil(() => c.sink.stats().failures >= 1);
    c.sink.report([{ space: 'b/b', at: 1 }, { space: 'c/c', at: 1 }, { space: 'a/a', at: 2 }]);
    expect(c.sink.stats()).toMatchObject({ pending: 2, dropped: 1 });
  });

  it('sends what is pending on close', async () => {
    const c = await setup(0);
    c.sink.report([{ space: 'a/b', at: 1 }]);
    c.sink.report([{ space: 'x/y', at: 2 }]);
    await c.sink.close();
    expect(c.received.flatMap((r) => r.batch).map((a) => a.space).sort()).toEqual(['a/b', 'x/y']);
  });
});
