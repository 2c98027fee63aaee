import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../../core/index.js';
import { LABELS } from './docker-create-options.js';

/** One container event from Docker's `/events` stream, reduced to what the runtime uses. */
export interface ContainerEvent {
  action: string;
  id: string;
  space?: string;
  release?: string;
  /** Seconds since the epoch. */
  time?: number;
}

/** Container actions that change what `list()` reports. */
export const WATCHED_ACTIONS = [
  'create',
  'start',
  'restart',
  'die',
  'stop',
  'kill',
  'oom',
  'destroy',
  'rename',
  'pause',
  'unpause',
  'health_status',
] as const;

export function parseContainerEvent(line: string): ContainerEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const ev = raw as { Type?: string; Action?: string; status?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> }; time?: number };
  if (ev.Type !== undefined && ev.Type !== 'container') return undefined;
  const attrs = ev.Actor?.Attributes ?? {};
  return {
    action: ev.Action ?? ev.status ?? '',
    id: ev.Actor?.ID ?? ev.id ?? '',
    space: attrs[LABELS.space],
    release: attrs[LABELS.release],
    time: typeof ev.time === 'number' ? ev.time : undefined,
  };
}

export interface EventStreamOptions {
  /** Open the raw stream (newline-delimited JSON) of events since `since` (epoch seconds). */
  open(opts: { since: number; signal: AbortSignal }): Promise<AsyncIterable<Buffer | string>>;
  onEvent(event: ContainerEvent): void;
  /** The stream is open: events from now on arrive (those since `since` are replayed first). */
  onOpen?(): void;
  /** The stream failed or ended: events may be missed until the next `onOpen`. */
  onDown?(): void;
  logger: Logger;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
}

/**
 * Follows Docker's event stream and reconnects with exponential backoff when it fails or ends.
 * Each (re)connection asks for events since the last one seen (or since just before `start()`), so
 * events that happen while it connects are replayed, not lost; a few may arrive twice.
 */
export class ReconnectingEventStream {
  readonly #opts: EventStreamOptions;
  readonly #abort = new AbortController();
  #loop?: Promise<void>;

  constructor(opts: EventStreamOptions) {
    this.#opts = opts;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async close(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { logger } = this.#opts;
    const now = this.#opts.now ?? Date.now;
    const initial = this.#opts.initialBackoffMs ?? 250;
    const max = this.#opts.maxBackoffMs ?? 10_000;
    const signal = this.#abort.signal;
    let since = Math.floor(now() / 1000) - 1;
    let backoff = initial;
    while (!signal.aborted) {
      const openedAt = now();
      let sawEvent = false;
      try {
        const stream = await this.#opts.open({ since, signal });
        this.#opts.onOpen?.();
        let rest = '';
        for await (const chunk of untilAborted(stream, signal)) {
          rest += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
          let nl: number;
          while ((nl = rest.indexOf('\n')) !== -1) {
            const line = rest.slice(0, nl).trim();
            rest = rest.slice(nl + 1);
            if (line === '') continue;
            const event = parseContainerEvent(line);
            if (!event) continue;
            sawEvent = true;
            if (event.time !== undefined) since = Math.max(since, event.time);
            try {
              this.#opts.onEvent(event);
            } catch (err) {
              logger.error({ err }, 'docker event handler failed');
            }
          }
        }
        if (!signal.aborted) logger.warn('docker event stream ended; reconnecting');
      } catch (err) {
        if (signal.aborted) break;
        logger.warn({ err: (err as Error)?.message ?? String(err), backoffMs: backoff }, 'docker event stream failed; reconnecting');
      }
      this.#opts.onDown?.();
      if (sawEvent || now() - openedAt > max) backoff = initial;
      try {
        await sleep(backoff, undefined, { signal });
      } catch {
        break;
      }
      backoff = Math.min(backoff * 2, max);
    }
  }
}

/** Iterate until the signal aborts, even if the source is stuck waiting; then destroy the source. */
async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Error('aborted'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    for (;;) {
      const r = await Promise.race([it.next(), aborted]);
      if (r.done) return;
      yield r.value;
    }
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    // Not awaited: a source stuck in an await would never settle it.
    void it.return?.()?.catch(() => undefined);
    (source as { destroy?: () => void }).destroy?.();
  }
}
