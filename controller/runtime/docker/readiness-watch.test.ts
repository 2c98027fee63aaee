import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROBE_TIMEOUT_MS } from '../readiness-probe.js';
import { READINESS_WATCH_PROBE_TIMEOUT_MS, readinessDelayMs, watchUntilReady } from './readiness-watch.js';

// Issue 19 ("Waking and clients"): a held request waits for the readiness watch to notice the app.
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function app(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return (server.address() as AddressInfo).port;
}

describe('readinessDelayMs', () => {
  it('probes every 100 ms through the first seconds of a start, then backs off to at most 1 s', () => {
    const delays = Array.from({ length: 60 }, (_, i) => readinessDelayMs(i + 1));
    expect(delays.slice(0, 30).every((d) => d === 100)).toBe(true);
    expect(delays.slice(0, 30).reduce((a, b) => a + b, 0)).toBe(3_000);
    for (let i = 31; i < 60; i++) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(Math.max(...delays)).toBe(1_000);
    expect(delays.at(-1)).toBe(1_000);
  });
});

describe('watchUntilReady', () => {
  it('sees an app that is up but slow to render / (longer than a pass probe waits) as ready', async () => {
    expect(READINESS_WATCH_PROBE_TIMEOUT_MS).toBeGreaterThan(DEFAULT_PROBE_TIMEOUT_MS);
    const slowMs = DEFAULT_PROBE_TIMEOUT_MS + 500;
    const port = await app((_, res) => setTimeout(() => res.writeHead(200).end('page'), slowMs));
    const ready = await watchUntilReady({ target: () => ({ host: '127.0.0.1', port }), watchMs: 3 * slowMs, signal: new AbortController().signal });
    expect(ready).toBe(true);
  });

  it('stops when the instance is no longer one to watch (stopped, removed, ready)', async () => {
    let looks = 0;
    const ready = await watchUntilReady({
      target: () => (++looks < 3 ? { host: '127.0.0.1', port: 1 } : undefined),
      watchMs: 60_000,
      signal: new AbortController().signal,
    });
    expect(ready).toBe(false);
    expect(looks).toBe(3);
  });

  it('ends when aborted (the runtime closes)', async () => {
    const stop = new AbortController();
    const watching = watchUntilReady({ target: () => ({ host: '127.0.0.1', port: 1 }), watchMs: 60_000, signal: stop.signal });
    stop.abort();
    expect(await watching).toBe(false);
  });
});
