import type Dockerode from 'dockerode';
import { dockerStatus, mapDockerError, type LogLine } from '../../../core/index.js';
import { toBuffer } from './docker-connect.js';
import { logLinesFromBuffer, logLinesFromStream } from './docker-log-stream.js';
import type { RunLogOptions } from '../runtime.js';

/**
 * One container's output as LogLines: what it printed so far (`tail` limits it), or with `follow`
 * a stream that ends when the container stops, `opts.signal` aborts or the runtime closes.
 */
export async function* containerLogs(
  container: Dockerode.Container,
  opts: RunLogOptions,
  ctx: { action: string; closing: AbortSignal },
): AsyncGenerator<LogLine> {
  const tail = opts.tail === undefined ? {} : { tail: Math.max(0, Math.floor(opts.tail)) };
  if (!opts.follow) {
    let out: Buffer;
    try {
      out = toBuffer(await container.logs({ stdout: true, stderr: true, timestamps: true, follow: false, ...tail }));
    } catch (err) {
      throw mapDockerError(err, { action: ctx.action });
    }
    yield* logLinesFromBuffer(out, { timestamps: true });
    return;
  }
  const signal = opts.signal ? AbortSignal.any([opts.signal, ctx.closing]) : ctx.closing;
  let stream: NodeJS.ReadableStream | undefined;
  try {
    stream = await container.logs({ stdout: true, stderr: true, timestamps: true, follow: true, abortSignal: signal, ...tail });
    yield* logLinesFromStream(stream as AsyncIterable<Buffer>, { timestamps: true });
  } catch (err) {
    if (signal.aborted) return;
    throw mapDockerError(err, { action: ctx.action });
  } finally {
    (stream as { destroy?: () => void } | undefined)?.destroy?.();
  }
}

/** The last `lines` lines a container printed (none if it is gone). */
export async function lastLogLines(container: Dockerode.Container, lines: number): Promise<string[]> {
  try {
    const out = await container.logs({ stdout: true, stderr: true, timestamps: false, tail: lines, follow: false });
    return logLinesFromBuffer(toBuffer(out), { timestamps: false }).map((l) => l.data);
  } catch (err) {
    if (dockerStatus(err) === 404) return [];
    throw err;
  }
}
