import { describe, expect, it } from 'vitest';
import { ResponseParser, type ResponseHeadEvent } from './response-parser.js';

function parse(chunks: string[], head = false): { heads: ResponseHeadEvent[]; body: string; complete: number; lasts: boolean[]; parser: ResponseParser } {
  const out = { heads: [] as ResponseHeadEvent[], body: '', complete: 0, lasts: [] as boolean[] };
  const parser = new ResponseParser(head, {
    onHead: (h) => out.heads.push(h),
    onBody: (c, last) => {
      out.body += c.toString('latin1');
      out.lasts.push(last === true);
    },
    onComplete: () => (out.complete += 1),
  });
  for (const c of chunks) parser.feed(Buffer.from(c, 'latin1'));
  return Object.assign(out, { parser });
}

describe('ResponseParser', () => {
  it('reads a Content-Length body split anywhere, and keeps the connection', () => {
    const r = parse(['HTTP/1.1 200 OK\r\nContent-Le', 'ngth: 5\r\nX-A: 1\r\n\r', '\nhe', 'llo']);
    expect(r.heads).toEqual([{ status: 200, statusText: 'OK', rawHeaders: ['Content-Length', '5', 'X-A', '1'], keepAlive: true }]);
    expect(r.body).toBe('hello');
    expect(r.complete).toBe(1);
    // Only the bytes that end the body say so (the proxy ends the client's response with them).
    expect(r.lasts).toEqual([false, true]);
    expect(parse(['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi']).lasts).toEqual([true]);
  });

  it('decodes chunked bodies with extensions and trailers, byte by byte', () => {
    const text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n';
    const r = parse([...text]);
    expect(r.body).toBe('hello world');
    expect(r.complete).toBe(1);
    expect(r.heads[0]!.keepAlive).toBe(true);
    expect(r.lasts.every((l) => !l)).toBe(true); // a chunked body ends with its 0-size chunk: no data says last
  });

  it('has no body for HEAD, 204 and 304, and skips interim 1xx heads', () => {
    expect(parse(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'], true)).toMatchObject({ body: '', complete: 1 });
    expect(parse(['HTTP/1.1 204 No Content\r\n\r\n'])).toMatchObject({ complete: 1 });
    expect(parse(['HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n'])).toMatchObject({ body: '', complete: 1 });
    const r = parse(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok']);
    expect(r.heads.map((h) => h.status)).toEqual([201]);
    expect(r.body).toBe('ok');
  });

  it('reads until close without a length, and such a connection is not reused', () => {
    const r = parse(['HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsome', ' more']);
    expect(r.heads[0]!.keepAlive).toBe(false);
    expect(r.complete).toBe(0);
    r.parser.end();
    expect(r.body).toBe('some more');
    expect(r.complete).toBe(1);
  });

  it('honours Connection: close and HTTP/1.0', () => {
    expect(parse(['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n']).heads[0]!.keepAlive).toBe(false);
    expect(parse(['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n']).heads[0]!.keepAlive).toBe(false);
    expect(parse(['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n']).heads[0]!.keepAlive).toBe(true);
  });

  it('refuses malformed responses', () => {
    expect(() => parse(['HTTP/1.1 2000 OK\r\n\r\n'])).toThrow(/status line/);
    expect(() => parse(['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n'])).toThrow(/content-length/);
    expect(() => parse(['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'])).toThrow(/content-length/);
    expect(() => parse(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'])).toThrow(/chunk size/);
    expect(() => parse(['HTTP/1.1 200 OK\r\n' + 'X: y\r\n'.repeat(20_000)])).toThrow(/too large/);
    expect(() => parse(['HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab'])).toThrow(/after the end/);
  });
});
