import { describe, expect, it } from 'vitest';
import { DockerFrameDecoder, LogLineAssembler, logLinesFromBuffer, logLinesFromStream, normalizeTimestamp } from './docker-log-stream.js';

function frame(stream: 1 | 2, text: string | Buffer): Buffer {
  const payload = typeof text === 'string' ? Buffer.from(text) : text;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

const T1 = '2026-11-22T15:24:40.123456789Z';
const T2 = '2026-11-22T15:24:41.000000001Z';

describe('docker log stream decoding', () => {
  it('splits frames cut anywhere across chunks', () => {
    const bytes = Buffer.concat([frame(1, 'hello\n'), frame(2, 'oops\n')]);
    const decoder = new DockerFrameDecoder();
    const frames = [];
    for (let i = 0; i < bytes.length; i += 3) frames.push(...decoder.push(bytes.subarray(i, i + 3)));
    expect(frames.map((f) => [f.stream, f.payload.toString()])).toEqual([
      ['stdout', 'hello\n'],
      ['stderr', 'oops\n'],
    ]);
    expect(decoder.pending).toBe(0);
  });

  it('gives one line per line, timestamped, without the line ending', () => {
    const buf = Buffer.concat([frame(1, `${T1} listening on 7860\n`), frame(2, `${T2} warning\r\n`)]);
    expect(logLinesFromBuffer(buf, { timestamps: true })).toEqual([
      { timestamp: '2026-11-22T15:24:40.123Z', data: 'listening on 7860' },
      { timestamp: '2026-11-22T15:24:41.000Z', data: 'warning' },
    ]);
  });

  it('joins partial messages of one stream into one line, keeping the first timestamp', () => {
    const buf = Buffer.concat([frame(1, `${T1} part one `), frame(2, `${T2} other\n`), frame(1, `${T2} part two\n`)]);
    expect(logLinesFromBuffer(buf, { timestamps: true })).toEqual([
      { timestamp: '2026-11-22T15:24:41.000Z', data: 'other' },
      { timestamp: '2026-11-22T15:24:40.123Z', data: 'part one part two' },
    ]);
  });

  it('keeps a character split between two partial messages', () => {
    const euro = Buffer.from('€');
    const buf = Buffer.concat([
      frame(1, Buffer.concat([Buffer.from(`${T1} price `), euro.subarray(0, 1)])),
      frame(1, Buffer.concat([Buffer.from(`${T2} `), euro.subarray(1), Buffer.from('5\n')])),
    ]);
    expect(logLinesFromBuffer(buf, { timestamps: true }).map((l) => l.data)).toEqual(['price €5']);
  });

  it('flushes a last line without a newline, and stamps lines without timestamps with now', () => {
    const assembler = new LogLineAssembler({ timestamps: false, now: () => '2000-01-01T00:00:00.000Z' });
    expect(assembler.push({ stream: 'stdout', payload: Buffer.from('a\nb') })).toEqual([{ timestamp: '2000-01-01T00:00:00.000Z', data: 'a' }]);
    expect(assembler.flush()).toEqual([{ timestamp: '2000-01-01T00:00:00.000Z', data: 'b' }]);
  });

  it('streams lines as chunks arrive', async () => {
    async function* chunks(): AsyncGenerator<Buffer> {
      const all = Buffer.concat([frame(1, `${T1} one\n`), frame(1, `${T2} two\n`)]);
      yield all.subarray(0, 10);
      yield all.subarray(10);
    }
    const lines = [];
    for await (const line of logLinesFromStream(chunks(), { timestamps: true })) lines.push(line.data);
    expect(lines).toEqual(['one', 'two']);
  });

  it('normalizes only real timestamps', () => {
    expect(normalizeTimestamp(T1)).toBe('2026-11-22T15:24:40.123Z');
    expect(normalizeTimestamp('hello')).toBeUndefined();
  });
});
