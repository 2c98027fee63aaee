import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { proxyProtocolListener } from './proxy-protocol-listener.js';

/** Send raw bytes, read until the server closes. */
function exchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    s.on('data', (c: Buffer) => (out += c.toString('latin1')));
    s.on('close', () => resolve(out));
    s.on('error', () => undefined);
    s.write(raw);
  });
}

describe('proxyProtocolListener', () => {
  let listener: net.Server | undefined;
  afterEach(() => listener?.close());

  async function start(): Promise<number> {
    const server = http.createServer((req, res) => res.end(`${req.socket.remoteAddress} ${req.socket.remotePort} ${req.url}`));
    listener = proxyProtocolListener(server, 500);
    await new Promise<void>((r) => listener!.listen(0, '127.0.0.1', r));
    return (listener.address() as net.AddressInfo).port;
  }

  it("hands Spaceport's server the client's address from HAProxy's PROXY line", async () => {
    const port = await start();
    const out = await exchange(port, 'PROXY TCP4 203.0.113.7 127.0.0.1 5555 8080\r\nGET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 200/);
    expect(out.endsWith('203.0.113.7 5555 /x')).toBe(true);
    const v6 = await exchange(port, 'PROXY TCP6 2001:db8::1 ::1 6000 8080\r\nGET /y HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    expect(v6.endsWith('2001:db8::1 6000 /y')).toBe(true);
  });

  it('closes a connection that does not start with a PROXY line (nothing reaches the server)', async () => {
    const port = await start();
    expect(await exchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n')).toBe('');
    expect(await exchange(port, 'PROXY TCP4 1.2.3.4')).toBe(''); // never finished: the header deadline closes it
  });
});
