import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeHttp } from './readiness-probe.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as AddressInfo).port;
}

describe('probeHttp', () => {
  it('any HTTP response counts as ready, even a 500', async () => {
    const server = http.createServer((_, res) => res.writeHead(500).end('boom'));
    const port = await listen(server);
    closers.push(async () => server.closeAllConnections());
    expect(await probeHttp({ host: '127.0.0.1', port }, { timeoutMs: 2000 })).toBe(true);
  });

  it('a refused connection is not ready', async () => {
    const server = net.createServer();
    const port = await listen(server);
    await closers.pop()!();
    expect(await probeHttp({ host: '127.0.0.1', port }, { timeoutMs: 2000 })).toBe(false);
  });

  it('a connection that is accepted and dropped (Docker port proxy, nothing listening) is not ready', async () => {
    const server = net.createServer((socket) => socket.destroy());
    const port = await listen(server);
    expect(await probeHttp({ host: '127.0.0.1', port }, { timeoutMs: 2000 })).toBe(false);
  });

  it('a server that never answers is not ready after the timeout', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => sockets.push(socket));
    const port = await listen(server);
    closers.push(async () => sockets.forEach((s) => s.destroy()));
    expect(await probeHttp({ host: '127.0.0.1', port }, { timeoutMs: 100 })).toBe(false);
  });

  it('an aborted probe is not ready', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await probeHttp({ host: '127.0.0.1', port: 9 }, { timeoutMs: 1000, signal: ac.signal })).toBe(false);
  });
});
