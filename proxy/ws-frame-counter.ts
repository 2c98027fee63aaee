/** Length of a frame header from its second byte: 2, plus 2 or 8 for extended lengths, plus 4 if masked. */
function headerLength(b1: number): number {
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + ((b1 & 0x80) !== 0 ? 4 : 0);
}

/**
 * Counts websocket data frames (opcodes 0x0 continuation, 0x1 text, 0x2 binary) in one direction of a
 * byte stream by reading only frame headers (RFC 6455 §5.2) and skipping payloads. Control frames
 * (close, ping, pong) are not counted, so an abandoned tab that only pings lets its Space sleep.
 */
export class WsFrameCounter {
  /** A header split across chunks is gathered here (at most 14 bytes). */
  readonly #head = Buffer.alloc(14);
  #headLen = 0;
  /** Payload bytes still to skip. */
  #skip = 0;
  /** Set when the stream stops looking like websocket frames: we keep relaying but stop counting. */
  #lost = false;

  /** Feed the next chunk; returns how many data frames start in it. */
  push(chunk: Buffer): number {
    let frames = 0;
    let i = 0;
    const n = chunk.length;
    while (i < n && !this.#lost) {
      if (this.#skip > 0) {
        const step = Math.min(this.#skip, n - i);
        this.#skip -= step;
        i += step;
        continue;
      }
      if (this.#headLen === 0 && n - i >= 2) {
        const need = headerLength(chunk[i + 1]!);
        if (n - i >= need) {
          frames += this.#consume(chunk, i);
          i += need;
          continue;
        }
      }
      // Slow path, at a chunk boundary: gather the header byte by byte.
      this.#head[this.#headLen++] = chunk[i++]!;
      if (this.#headLen >= 2 && this.#headLen === headerLength(this.#head[1]!)) {
        frames += this.#consume(this.#head, 0);
        this.#headLen = 0;
      }
    }
    return frames;
  }

  /** Read a complete header at buf[off], set the payload to skip; 1 for a data frame, else 0. */
  #consume(buf: Buffer, off: number): number {
    const opcode = buf[off]! & 0x0f;
    const len7 = buf[off + 1]! & 0x7f;
    if (len7 === 126) this.#skip = buf.readUInt16BE(off + 2);
    else if (len7 === 127) {
      const hi = buf.readUInt32BE(off + 2);
      if (hi > 0x1fffff) this.#lost = true; // over 2^53 bytes: not a frame
      this.#skip = hi * 2 ** 32 + buf.readUInt32BE(off + 6);
    } else this.#skip = len7;
    if (opcode <= 0x2) return 1;
    if (opcode < 0x8 || opcode > 0xa) this.#lost = true; // reserved opcode: we lost the framing
    return 0;
  }
}
