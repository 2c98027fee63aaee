import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { SecretMask, type LogLine, type LogSink } from '../../core/index.js';

/**
 * Build logs, one JSON-lines file per build under `{dataDir}/logs/builds/`, with live followers.
 * Values of the Space's secrets are masked before a line is stored.
 */
export class BuildLogs {
  readonly #dir: string;
  readonly #followers = new Map<string, Set<(line: LogLine | null) => void>>();
  readonly #open = new Set<string>();

  constructor(dataDir: string) {
    this.#dir = path.join(dataDir, 'logs', 'builds');
    mkdirSync(this.#dir, { recursive: true });
  }

  #file(buildId: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(buildId)) throw new Error('bad build id');
    return path.join(this.#dir, `${buildId}.jsonl`);
  }

  /** A sink for a running build; `end()` when the build is over. */
  open(buildId: string, mask: string[] = []): LogSink & { end(): void } {
    const file = this.#file(buildId);
    this.#open.add(buildId);
    const secrets = new SecretMask(mask);
    let partial = '';
    let lost = 0;
    const store = (line: LogLine): void => {
      // A full disk must not fail the build (or the process): the lines still reach live followers,
      // and the stored log says how many it lost once it can be written again.
      try {
        if (lost > 0) {
          const note: LogLine = { timestamp: line.timestamp, data: `[${lost} line(s) of this log were lost: the data directory's disk was full]\n` };
          appendFileSync(file, `${JSON.stringify(note)}\n`);
          lost = 0;
        }
        appendFileSync(file, `${JSON.stringify(line)}\n`);
      } catch {
        lost += 1;
      }
    };
    const emit = (text: string) => {
      const line: LogLine = { timestamp: new Date().toISOString(), data: secrets.apply(text) };
      store(line);
      for (const f of this.#followers.get(buildId) ?? []) f(line);
    };
    return {
      write: (data: string) => {
        const parts = (partial + data).split('\n');
        partial = parts.pop() ?? '';
        for (const p of parts) emit(`${p}\n`);
      },
      end: () => {
        if (partial) emit(partial);
        partial = '';
        this.#open.delete(buildId);
        for (const f of this.#followers.get(buildId) ?? []) f(null);
        this.#followers.delete(buildId);
      },
    };
  }

  isOpen(buildId: string): boolean {
    return this.#open.has(buildId);
  }

  /** The stored lines (the last `tail` when given), then, with `follow`, new ones until the build ends. */
  async *read(buildId: string, opts: { tail?: number; follow: boolean; signal?: AbortSignal }): AsyncIterable<LogLine> {
    const queue: (LogLine | null)[] = [];
    let wake: (() => void) | undefined;
    const follower = (line: LogLine | null) => {
      queue.push(line);
      wake?.();
    };
    const following = opts.follow && this.#open.has(buildId);
    if (following) {
      const set = this.#followers.get(buildId) ?? new Set();
      set.add(follower);
      this.#followers.set(buildId, set);
    }
    try {
      const file = this.#file(buildId);
      let stored: LogLine[] = [];
      if (existsSync(file)) {
        const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
        for await (const text of rl) if (text) stored.push(JSON.parse(text) as LogLine);
      }
      if (opts.tail !== undefined) stored = stored.slice(-opts.tail);
      // Lines written while we read the file arrive twice: skip queued ones already seen.
      const seen = new Set(stored.map((l) => `${l.timestamp}\u0000${l.data}`));
      yield* stored;
      if (!following) return;
      while (!opts.signal?.aborted) {
        if (queue.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            opts.signal?.addEventListener('abort', () => resolve(), { once: true });
          });
          wake = undefined;
          continue;
        }
        const line = queue.shift()!;
        if (line === null) return;
        if (!seen.has(`${line.timestamp}\u0000${line.data}`)) yield line;
      }
    } finally {
      this.#followers.get(buildId)?.delete(follower);
    }
  }

  /** Keep the newest `keep` log files of the given builds' set; remove older files. */
  prune(buildIds: string[], keep: number): void {
    const wanted = new Set(buildIds.slice(0, keep));
    for (const id of buildIds.slice(keep)) if (!wanted.has(id)) rmSync(this.#file(id), { force: true });
  }

  /**
   * Remove every log whose build is not in `keep` (builds past each Space's last N, deleted Spaces),
   * except logs written in the last `graceMs` (a build that started after `keep` was listed).
   * Returns how many were removed.
   */
  retainOnly(keep: ReadonlySet<string>, graceMs = 60 * 60_000, now = Date.now()): number {
    let removed = 0;
    for (const f of readdirSync(this.#dir)) {
      if (!f.endsWith('.jsonl') || keep.has(f.slice(0, -'.jsonl'.length))) continue;
      const p = path.join(this.#dir, f);
      try {
        if (now - statSync(p).mtimeMs < graceMs) continue;
        rmSync(p, { force: true });
        removed++;
      } catch {
        /* gone meanwhile */
      }
    }
    return removed;
  }

  /** Remove log files older than `maxAgeMs` (for deleted Spaces). */
  sweep(maxAgeMs: number, now = Date.now()): void {
    for (const f of readdirSync(this.#dir)) {
      const p = path.join(this.#dir, f);
      if (now - statSync(p).mtimeMs > maxAgeMs) rmSync(p, { force: true });
    }
  }
}
