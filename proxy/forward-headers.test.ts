import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './forward-headers.js';

function fakeReq(rawHeaders: string[], remoteAddress = '10.0.0.7', encrypted = false): IncomingMessage {
  return { rawHeaders, socket: { remoteAddress, encrypted } } as unknown as IncomingMessage;
}

function pairs(flat: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

describe('upstreamRequestHeaders', () => {
  it('drops hop-by-hop headers, keeps Host and sets X-Forwarded-*', () => {
    const out = upstreamRequestHeaders(
      fakeReq([
        'Host', 'alice-demo.localhost:8080',
        'Connection', 'keep-alive, X-Secret-Hop',
        'X-Secret-Hop', '1',
        'Keep-Alive', 'timeout=5',
        'Transfer-Encoding', 'chunked',
        'TE', 'trailers',
        'Expect', '100-continue',
        'Proxy-Authorization', 'Basic x',
        'X-Forwarded-Proto', 'https',
        'X-Forwarded-Host', 'evil',
        'Accept', '*/*',
        'Cookie', 'a=1',
      ]),
    );
    expect(pairs(out)).toEqual([
      ['Host', 'alice-demo.localhost:8080'],
      ['Accept', '*/*'],
      ['Cookie', 'a=1'],
      ['x-forwarded-for', '10.0.0.7'],
      ['x-forwarded-proto', 'http'],
      ['x-forwarded-host', 'alice-demo.localhost:8080'],
    ]);
  });

  it('appends to an existing X-Forwarded-For and reports https', () => {
    const out = upstreamRequestHeaders(
      fakeReq(['Host', 'a.localhost', 'X-Forwarded-For', '1.1.1.1', 'x-forwarded-for', '2.2.2.2'], '3.3.3.3', true),
    );
    expect(pairs(out)).toContainEqual(['x-forwarded-for', '1.1.1.1, 2.2.2.2, 3.3.3.3']);
    expect(pairs(out)).toContainEqual(['x-forwarded-proto', 'https']);
  });

  it('keeps Connection and Upgrade for a websocket handshake', () => {
    const out = upstreamRequestHeaders(
      fakeReq(['Host', 'a.localhost', 'Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k']),
      true,
    );
    expect(pairs(out).slice(0, 4)).toEqual([
      ['Host', 'a.localhost'],
      ['Connection', 'Upgrade'],
      ['Upgrade', 'websocket'],
      ['Sec-WebSocket-Key', 'k'],
    ]);
  });
});

describe('downstreamResponseHeaders', () => {
  it('converts raw buffers, drops hop-by-hop and detects event streams', () => {
    const raw = ['Content-Type', 'Text/Event-Stream; charset=utf-8', 'Connection', 'keep-alive, X-Hop', 'X-Hop', '1',
      'Transfer-Encoding', 'chunked', 'Keep-Alive', 'timeout=5', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'].map((s) => Buffer.from(s, 'latin1'));
    const head = downstreamResponseHeaders(raw);
    expect(head.eventStream).toBe(true);
    expect(pairs(head.headers)).toEqual([
      ['Content-Type', 'Text/Event-Stream; charset=utf-8'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ]);
  });

  it('keeps non-ASCII header bytes intact', () => {
    const value = Buffer.from('caf\u00e9', 'utf8');
    const head = downstreamResponseHeaders([Buffer.from('X-Name'), value]);
    expect(Buffer.from(head.headers[1]!, 'latin1').equals(value)).toBe(true);
    expect(head.eventStream).toBe(false);
  });
});
