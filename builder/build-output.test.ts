import { describe, expect, it } from 'vitest';
import { MemoryLogSink } from '../core/index.js';
import { BuildLog } from './build-log.js';
import { BuildOutputDecoder, decodeLine, type BuildEvent } from './build-output.js';
import { decodeBuildkitTrace, encodeBuildkitTrace } from './buildkit-trace.js';

const enc = (o: unknown) => `${JSON.stringify(o)}\r\n`;

describe('BuildOutputDecoder', () => {
  it('decodes stream, aux, status and error messages', () => {
    const d = new BuildOutputDecoder();
    const events = d.push(
      enc({ stream: 'Step 1/2 : FROM x\n' }) +
        enc({ aux: { ID: 'sha256:abc' } }) +
        enc({ status: 'Downloading', id: 'l1', progress: '[==> ]' }) +
        enc({ errorDetail: { code: 1, message: "The command '/bin/sh -c false' returned a non-zero code: 1" }, error: 'ignored' }),
    );
    expect(events).toEqual<BuildEvent[]>([
      { kind: 'stream', text: 'Step 1/2 : FROM x\n' },
      { kind: 'aux', imageId: 'sha256:abc', aux: { ID: 'sha256:abc' } },
      { kind: 'status', text: 'l1: Downloading [==> ]\n' },
      { kind: 'error', message: "The command '/bin/sh -c false' returned a non-zero code: 1", code: 1 },
    ]);
  });

  it('joins messages split across chunks, including split UTF-8 characters', () => {
    const d = new BuildOutputDecoder();
    const bytes = Buffer.from(enc({ stream: 'héllo ✓\n' }) + enc({ stream: 'two\n' }));
    const out: BuildEvent[] = [];
    for (let i = 0; i < bytes.length; i += 3) out.push(...d.push(bytes.subarray(i, i + 3)));
    out.push(...d.end());
    expect(out).toEqual([
      { kind: 'stream', text: 'héllo ✓\n' },
      { kind: 'stream', text: 'two\n' },
    ]);
  });

  it('keeps a last message without a newline for end()', () => {
    const d = new BuildOutputDecoder();
    expect(d.push('{"error":"boom"}')).toEqual([]);
    expect(d.end()).toEqual([{ kind: 'error', message: 'boom' }]);
  });

  it('passes through non-JSON lines as text and ignores blank ones', () => {
    expect(decodeLine('plain text')).toEqual({ kind: 'stream', text: 'plain text\n' });
    expect(decodeLine('   ')).toBeUndefined();
    expect(decodeLine('{"other":1}')).toEqual({ kind: 'unknown', raw: { other: 1 } });
    expect(decodeLine('{"aux":{"Digest":"x"}}')).toEqual({ kind: 'aux', aux: { Digest: 'x' } });
  });
});

describe('BuildLog', () => {
  it('writes whole lines, tracks the step, cache hits, the image id and the first error', () => {
    const sink = new MemoryLogSink();
    const log = new BuildLog(sink, { tailLines: 3 });
    log.handle({ kind: 'stream', text: 'Step 1/3 : FROM x\n ---> 1234\nStep 2/3 : COPY a b\n' });
    log.handle({ kind: 'stream', text: ' ---> Using cache\n ---> ab' });
    log.handle({ kind: 'stream', text: 'cd\nStep 3/3 : RUN false\n' });
    log.handle({ kind: 'error', message: 'returned a non-zero code: 1' });
    log.handle({ kind: 'error', message: 'second' });
    log.end();
    expect(sink.lines).toEqual([
      'Step 1/3 : FROM x\n',
      ' ---> 1234\n',
      'Step 2/3 : COPY a b\n',
      ' ---> Using cache\n',
      ' ---> abcd\n',
      'Step 3/3 : RUN false\n',
      'ERROR: returned a non-zero code: 1\n',
      'ERROR: second\n',
    ]);
    expect(log.step).toBe('Step 3/3 : RUN false');
    expect(log.error).toBe('returned a non-zero code: 1');
    expect(log.cacheHits).toBe(1);
    expect(log.tail()).toBe('Step 3/3 : RUN false\nERROR: returned a non-zero code: 1\nERROR: second\n');
  });

  it('takes the image id from "Successfully built" or aux, and keeps the last state of \\r progress', () => {
    const sink = new MemoryLogSink();
    const log = new BuildLog(sink);
    log.handle({ kind: 'stream', text: '10%\r50%\r100%\nSuccessfully built 0123456789ab\n' });
    expect(sink.lines).toEqual(['100%\n', 'Successfully built 0123456789ab\n']);
    expect(log.imageId).toBe('0123456789ab');
    const other = new BuildLog(new MemoryLogSink());
    other.handle({ kind: 'aux', imageId: 'sha256:ff', aux: {} });
    expect(other.imageId).toBe('sha256:ff');
  });
});

describe('BuildLog masking', () => {
  it('masks secret values (and each line of a multi-line one) in lines, tail and error', () => {
    const sink = new MemoryLogSink();
    const log = new BuildLog(sink, { mask: ['s3cr3t-value', 'line-one\nline-two', 'ab'] });
    log.handle({ kind: 'stream', text: 'token=s3cr3t-value\nline-one\n  line-two  \nab stays\n' });
    log.handle({ kind: 'error', message: 'failed with s3cr3t-value' });
    log.end();
    expect(sink.lines).toEqual(['token=***\n', '***\n', '  ***  \n', 'ab stays\n', 'ERROR: failed with ***\n']);
    expect(log.tail()).not.toContain('s3cr3t');
    expect(log.error).toBe('failed with ***');
  });
});

describe('BuildKit traces', () => {
  const trace = (t: Parameters<typeof encodeBuildkitTrace>[0]) => enc({ id: 'moby.buildkit.trace', aux: encodeBuildkitTrace(t) });

  it('decodes moby.buildkit.trace messages into vertices and logs', () => {
    const [ev] = new BuildOutputDecoder().push(
      trace({ vertexes: [{ digest: 'sha256:a', name: '[2/3] RUN make', started: 1_000, completed: 2_500 }], logs: [{ vertex: 'sha256:a', text: 'compiling\n' }] }),
    );
    expect(ev).toEqual({
      kind: 'trace',
      trace: {
        vertexes: [{ digest: 'sha256:a', name: '[2/3] RUN make', cached: false, started: 1_000, completed: 2_500 }],
        logs: [{ vertex: 'sha256:a', text: 'compiling\n' }],
      },
    });
    expect(decodeBuildkitTrace('')).toEqual({ vertexes: [], logs: [] });
    expect(decodeLine('{"id":"moby.buildkit.trace","aux":"%%%notbase64"}')?.kind).toBe('unknown');
  });

  it('renders BuildKit progress like --progress=plain and names the failed step', () => {
    const sink = new MemoryLogSink();
    const log = new BuildLog(sink);
    const d = new BuildOutputDecoder();
    const events = d.push(
      trace({ vertexes: [{ digest: 'a', name: '[1/3] FROM docker.io/spaceport/python:3.11', started: 0, completed: 0 }] }) +
        trace({ vertexes: [{ digest: 'b', name: '[2/3] COPY app/ /home/user/app/', cached: true, started: 0, completed: 0 }] }) +
        trace({ vertexes: [{ digest: 'c', name: '[3/3] RUN pip install -r r.txt', started: 1_000 }] }) +
        trace({ logs: [{ vertex: 'c', text: 'Collecting numpy\nDownl' }] }) +
        trace({ logs: [{ vertex: 'c', text: 'oading 10%\r100%\n' }] }) +
        trace({ vertexes: [{ digest: 'c', name: '[3/3] RUN pip install -r r.txt', started: 1_000, completed: 3_000, error: 'process did not complete successfully: exit code: 1' }] }) +
        enc({ errorDetail: { message: 'process "/bin/sh -c pip install -r r.txt" did not complete successfully: exit code: 1' } }),
    );
    for (const ev of events) log.handle(ev);
    log.end();
    expect(sink.lines.join('')).toBe(
      [
        '#1 [1/3] FROM docker.io/spaceport/python:3.11',
        '#1 DONE 0.0s',
        '#2 [2/3] COPY app/ /home/user/app/',
        '#2 CACHED',
        '#3 [3/3] RUN pip install -r r.txt',
        '#3 Collecting numpy',
        '#3 100%',
        '#3 ERROR: process did not complete successfully: exit code: 1',
        'ERROR: process "/bin/sh -c pip install -r r.txt" did not complete successfully: exit code: 1',
        '',
      ].join('\n'),
    );
    expect(log.step).toBe('[3/3] RUN pip install -r r.txt');
    expect(log.cacheHits).toBe(1);
    expect(log.error).toBe('process "/bin/sh -c pip install -r r.txt" did not complete successfully: exit code: 1');
  });

  it('masks cache mount ids (secrets) in the failed step it reports', () => {
    const id = 'spaceport-uv-0123456789abcdef0123456789abcdef';
    const log = new BuildLog(new MemoryLogSink(), { mask: [id] });
    const name = `[9/10] RUN --mount=type=cache,id=${id},target=/home/user/.cache/uv uv pip install -r r.txt`;
    log.handle({ kind: 'trace', trace: { vertexes: [{ digest: 'z', name, cached: false, started: 1, completed: 2, error: 'exit code: 1' }], logs: [] } });
    expect(log.step).toBe('[9/10] RUN --mount=type=cache,id=***,target=/home/user/.cache/uv uv pip install -r r.txt');
  });

  it('reports the last started step when no vertex failed', () => {
    const log = new BuildLog(new MemoryLogSink());
    log.handle({ kind: 'trace', trace: { vertexes: [{ digest: 'x', name: '[internal] load build context', cached: false, started: 1 }], logs: [] } });
    expect(log.step).toBeUndefined();
    log.handle({ kind: 'trace', trace: { vertexes: [{ digest: 'y', name: '[build 2/4] RUN npm ci', cached: false, started: 1 }], logs: [] } });
    expect(log.step).toBe('[build 2/4] RUN npm ci');
  });
});
