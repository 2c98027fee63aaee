import { describe, expect, it } from 'vitest';
import { parseCgiHead } from './cgi-response.js';

describe('parseCgiHead', () => {
  it('parses headers and Status with CRLF, keeping the body bytes', () => {
    const head = parseCgiHead(Buffer.from('Status: 403 Forbidden\r\nContent-Type: text/plain\r\nExpires: Fri\r\n\r\nbody\n\x00'));
    expect(head).toEqual({
      status: 403,
      headers: [
        ['Content-Type', 'text/plain'],
        ['Expires', 'Fri'],
      ],
      rest: Buffer.from('body\n\x00'),
    });
  });

  it('defaults to 200 and accepts bare LF', () => {
    const head = parseCgiHead(Buffer.from('Content-Type: application/x-git-upload-pack-advertisement\n\n001e#'));
    expect(head?.status).toBe(200);
    expect(head?.rest.toString()).toBe('001e#');
  });

  it('waits for the blank line', () => {
    expect(parseCgiHead(Buffer.from('Content-Type: x\r\n'))).toBeUndefined();
  });

  it('throws on malformed or endless headers', () => {
    expect(() => parseCgiHead(Buffer.from('garbage\r\n\r\n'))).toThrow(/malformed/);
    expect(() => parseCgiHead(Buffer.from('Status: nope\r\n\r\n'))).toThrow(/malformed/);
    expect(() => parseCgiHead(Buffer.alloc(70_000, 0x41))).toThrow(/too long/);
  });
});
