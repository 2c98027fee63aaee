import { StringDecoder } from 'node:string_decoder';
import type { LogLine } from '../../../core/index.js';

/**
 * Decoding of Docker's multiplexed log stream (containers without a TTY): frames of an 8-byte header
 * `[stream, 0, 0, 0, size(uint32 BE)]` and `size` bytes of payload. With `timestamps=true` each frame is
 * one log message prefixed by an RFC 3339 timestamp and a space; a message without a trailing newline
 * is a partial line that the next frame of the same stream continues. Pure: tested without a daemon.
 */

export type LogStreamKind = 'stdin' | 'stdout' | 'stderr' | 'system';

export interface LogFrame {
  stream: LogStreamKind;
  payload: Buffer;
}

const HEADER = 8;
const KINDS: LogStreamKind[] = ['stdin', 'stdout', 'stderr', 'system'];

/** Splits byte chunks (cut anywhere) into whole frames. */
export class DockerFrameDecoder {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): LogFrame[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const frames: LogFrame[] = [];
    while (this.#buf.length >= HEADER) {
      const size = this.#buf.readUInt32BE(4);
      if (this.#buf.length < HEADER + size) break;
      const kind = KINDS[this.#buf[0] ?? 1] ?? 'stdout';
      frames.push({ stream: kind, payload: this.#buf.subarray(HEADER, HEADER + size) });
      this.#buf = this.#buf.subarray(HEADER + size);
    }
    return frames;
  }

  /** Bytes of an incomplete frame left at the end of the stream. */
  get pending(): number {
    return this.#buf.length;
  }
}

const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** `2026-11-22T15:24:40.123456789Z` → `2026-11-22T15:24:40.123Z`; undefined if it is not a timestamp. */
export function normalizeTimestamp(text: string): string | undefined {
  if (!TIMESTAMP_RE.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

interface Pending {
  timestamp: string;
  text: string;
  decoder: StringDecoder;
}

/**
 * Turns frames into lines: one `LogLine` per line of output, without its line ending, stamped with
 * the time of the message that started it.
 */
export class LogLineAssembler {
  readonly #timestamps: boolean;
  readonly #now: () => string;
  readonly #pending = new Map<LogStreamKind, Pending>();

  constructor(opts: { timestamps: boolean; now?: () => string }) {
    this.#timestamps = opts.timestamps;
    this.#now = opts.now ?? (() => new Date().toISOString());
  }

  push(frame: LogFrame): LogLine[] {
    let p = this.#pending.get(frame.stream);
    if (!p) {
      p = { timestamp: '', text: '', decoder: new StringDecoder('utf8') };
      this.#pending.set(frame.stream, p);
    }
    let payload = frame.payload;
    let stamp: string | undefined;
    if (this.#timestamps) {
      // The timestamp is ASCII at the start of the frame: cut it before decoding, since the decoder
      // may still hold the first bytes of a character split across two partial messages.
      const space = payload.subarray(0, 64).indexOf(0x20);
      stamp = space > 0 ? normalizeTimestamp(payload.subarray(0, space).toString('latin1')) : undefined;
      if (stamp !== undefined) payload = payload.subarray(space + 1);
    }
    const text = p.decoder.write(payload);
    if (p.text === '') p.timestamp = stamp ?? this.#now();
    const lines: LogLine[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      lines.push({ timestamp: p.timestamp, data: stripCr(p.text + text.slice(start, nl)) });
      p.text = '';
      p.timestamp = stamp ?? this.#now();
      start = nl + 1;
    }
    p.text += text.slice(start);
    return lines;
  }

  /** Lines left without a line ending when the stream ended. */
  flush(): LogLine[] {
    const lines: LogLine[] = [];
    for (const p of this.#pending.values()) {
      const rest = p.text + p.decoder.end();
      if (rest !== '') lines.push({ timestamp: p.timestamp || this.#now(), data: stripCr(rest) });
      p.text = '';
    }
    return lines;
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** All lines of a complete (non-follow) log response. */
export function logLinesFromBuffer(buf: Buffer, opts: { timestamps: boolean }): LogLine[] {
  const decoder = new DockerFrameDecoder();
  const assembler = new LogLineAssembler(opts);
  const lines: LogLine[] = [];
  for (const frame of decoder.push(buf)) lines.push(...assembler.push(frame));
  lines.push(...assembler.flush());
  return lines;
}

/** Lines of a streamed (follow) log response, as they arrive. */
export async function* logLinesFromStream(
  chunks: AsyncIterable<Buffer | string>,
  opts: { timestamps: boolean },
): AsyncGenerator<LogLine> {
  const decoder = new DockerFrameDecoder();
  const assembler = new LogLineAssembler(opts);
  for await (const chunk of chunks) {
    for (const frame of decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) {
      yield* assembler.push(frame);
    }
  }
  yield* assembler.flush();
}
