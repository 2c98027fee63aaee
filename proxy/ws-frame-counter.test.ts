import { describe, expect, it } from 'vitest';
import { WsFrameCounter } from './ws-frame-counter.js';

function frame(opcode: number, length: number, masked: boolean): Buffer {
  const parts: Buffer[] = [];
  const b0 = 0x80 | opcode;
  const m = masked ? 0x80 : 0;
  if (length < 126) parts.push(Buffer.from([b0, m | length]));
  else if (length < 65536) {
    const h = Buffer.alloc(4);
    h[0] = b0;
    h[1] = m | 126;
    h.writeUInt16BE(length, 2);
    parts.push(h);
  } else {
    const h = Buffer.alloc(10);
    h[0] = b0;
    h[1] = m | 127;
    h.writeUInt32BE(0, 2);
    h.writeUInt32BE(length, 6);
    parts.push(h);
  }
  if (masked) parts.push(Buffer.from([1, 2, 3, 4]));
  // Payload bytes that look like frame headers, to catch a parser that reads into payloads.
  parts.push(Buffer.alloc(length, 0x89));
  return Buffer.concat(parts);
}

function stream(masked: boolean): Buffer {
  return Buffer.concat([
    frame(0x1, 5, masked), // text
    frame(0x9, 0, masked), // ping
    frame(0x2, 200, masked), // binary, 16-bit length
    frame(0xa, 3, masked), // pong
    frame(0x0, 70_000, masked), // continuation, 64-bit length
    frame(0x8, 2, masked), // close
  ]);
}

function countIn(chunks: Buffer[]): number {
  const c = new WsFrameCounter();
  return chunks.reduce((n, chunk) => n + c.push(chunk), 0);
}

describe('WsFrameCounter', () => {
  for (const masked of [false, true]) {
    const bytes = stream(masked);
    it(`counts data frames only (${masked ? 'masked' : 'unmasked'}, one chunk)`, () => {
      expect(countIn([bytes])).toBe(3);
    });

    it(`handles every chunk boundary (${masked ? 'masked' : 'unmasked'}, byte by byte)`, () => {
      const chunks: Buffer[] = [];
      for (let i = 0; i < 400; i++) chunks.push(bytes.subarray(i, i + 1));
      chunks.push(bytes.subarray(400));
      expect(countIn(chunks)).toBe(3);
    });

    it(`handles random splits (${masked ? 'masked' : 'unmasked'})`, () => {
      let seed = 7;
      const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 23) + 1;
      for (let round = 0; round < 50; round++) {
        const chunks: Buffer[] = [];
        for (let i = 0; i < bytes.length; ) {
          const n = i < 500 ? rand() : 4096;
          chunks.push(bytes.subarray(i, i + n));
          i += n;
        }
        expect(countIn(chunks)).toBe(3);
      }
    });
  }

  it('a stream of pings and pongs counts nothing', () => {
    const pings = Buffer.concat(Array.from({ length: 10 }, (_, i) => frame(i % 2 ? 0x9 : 0xa, 4, true)));
    expect(countIn([pings])).toBe(0);
  });

  it('stops counting when the bytes are not websocket frames', () => {
    const c = new WsFrameCounter();
    expect(c.push(Buffer.from([0x83, 0x00]))).toBe(0); // reserved opcode 0x3
    expect(c.push(frame(0x1, 1, false))).toBe(0);
  });
});
