import { BUILDKIT_TRACE_ID, decodeBuildkitTrace, type BuildkitTrace } from './buildkit-trace.js';

/**
 * Decoding the JSON-lines stream the Docker engine answers to `POST /build` (and `/images/create`,
 * `/images/{name}/push`): `{stream}` text, `{status}` progress, `{aux}` (the image id; with
 * BuildKit also `moby.buildkit.trace` progress), and `{error, errorDetail}`. The engine reports a
 * failed build only in the stream, so every event is checked for an error.
 */
export type BuildEvent =
  | { kind: 'stream'; text: string }
  | { kind: 'trace'; trace: BuildkitTrace }
  | { kind: 'status'; text: string }
  | { kind: 'aux'; imageId?: string; aux: unknown }
  | { kind: 'error'; message: string; code?: number }
  | { kind: 'unknown'; raw: unknown };

/** Splits a byte stream into JSON messages (which may arrive split or several to a chunk). */
export class BuildOutputDecoder {
  #pending = '';
  readonly #utf8 = new TextDecoder('utf-8');

  push(chunk: Uint8Array | string): BuildEvent[] {
    this.#pending += typeof chunk === 'string' ? chunk : this.#utf8.decode(chunk, { stream: true });
    const out: BuildEvent[] = [];
    let nl: number;
    while ((nl = this.#pending.indexOf('\n')) >= 0) {
      const line = this.#pending.slice(0, nl);
      this.#pending = this.#pending.slice(nl + 1);
      const event = decodeLine(line);
      if (event) out.push(event);
    }
    return out;
  }

  /** Whatever is left when the stream ends (a last message without a newline). */
  end(): BuildEvent[] {
    const rest = this.#pending + this.#utf8.decode();
    this.#pending = '';
    const event = decodeLine(rest);
    return event ? [event] : [];
  }
}

export function decodeLine(line: string): BuildEvent | undefined {
  const text = line.trim();
  if (text === '') return undefined;
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { kind: 'stream', text: `${text}\n` };
  }
  if (msg === null || typeof msg !== 'object') return { kind: 'unknown', raw: msg };
  const m = msg as Record<string, unknown>;
  const detail = m.errorDetail as { message?: unknown; code?: unknown } | undefined;
  if (m.error !== undefined || detail !== undefined) {
    const message = String(detail?.message ?? m.error ?? 'unknown error');
    return typeof detail?.code === 'number' ? { kind: 'error', message, code: detail.code } : { kind: 'error', message };
  }
  if (typeof m.stream === 'string') return { kind: 'stream', text: m.stream };
  if (m.id === BUILDKIT_TRACE_ID && typeof m.aux === 'string') {
    try {
      return { kind: 'trace', trace: decodeBuildkitTrace(m.aux) };
    } catch {
      return { kind: 'unknown', raw: msg };
    }
  }
  if (m.aux !== undefined) {
    const id = (m.aux as { ID?: unknown } | null)?.ID;
    return typeof id === 'string' ? { kind: 'aux', imageId: id, aux: m.aux } : { kind: 'aux', aux: m.aux };
  }
  if (typeof m.status === 'string') {
    const progress = typeof m.progress === 'string' ? ` ${m.progress}` : '';
    const id = typeof m.id === 'string' ? `${m.id}: ` : '';
    return { kind: 'status', text: `${id}${m.status}${progress}\n` };
  }
  return { kind: 'unknown', raw: msg };
}
