import type { LogSink } from '../core/index.js';
import type { BuildEvent } from './build-output.js';

const STEP_RE = /^Step \d+\/\d+ : /;
const CACHE_RE = /^ ---> Using cache$/;

/**
 * Follows a build's events: writes whole lines to the Space's log, remembers the current
 * `Step N/M : …` line, the last lines (for a failure's tail), the first error and the image id.
 */
export class BuildLog {
  readonly #sink: LogSink;
  readonly #tailSize: number;
  readonly #tail: string[] = [];
  #partial = '';
  #step: string | undefined;
  #error: string | undefined;
  #imageId: string | undefined;
  #cacheHits = 0;

  constructor(sink: LogSink, opts: { tailLines?: number } = {}) {
    this.#sink = sink;
    this.#tailSize = opts.tailLines ?? 30;
  }

  get step(): string | undefined {
    return this.#step;
  }
  get error(): string | undefined {
    return this.#error;
  }
  get imageId(): string | undefined {
    return this.#imageId;
  }
  get cacheHits(): number {
    return this.#cacheHits;
  }
  /** The last lines, newline-terminated. */
  tail(): string {
    return this.#tail.map((l) => `${l}\n`).join('');
  }

  handle(event: BuildEvent): void {
    switch (event.kind) {
      case 'stream':
      case 'status':
        this.text(event.text);
        break;
      case 'aux':
        if (event.imageId) this.#imageId = event.imageId;
        break;
      case 'error':
        this.#flush();
        this.#error ??= event.message;
        this.#line(`ERROR: ${event.message}`);
        break;
      case 'unknown':
        break;
    }
  }

  /** Text from the build: split into lines (carriage-return progress redraws keep their last state). */
  text(text: string): void {
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop() ?? '';
    for (const part of parts) this.#line(part);
  }

  /** Write out a last line that had no newline. */
  end(): void {
    this.#flush();
  }

  #flush(): void {
    if (this.#partial !== '') {
      const rest = this.#partial;
      this.#partial = '';
      this.#line(rest);
    }
  }

  #line(raw: string): void {
    const cr = raw.lastIndexOf('\r', raw.length - 2);
    const line = (cr >= 0 ? raw.slice(cr + 1) : raw).replace(/\r$/, '');
    if (STEP_RE.test(line)) this.#step = line;
    if (CACHE_RE.test(line)) this.#cacheHits++;
    const built = /^Successfully built ([0-9a-f]{12,64})$/.exec(line);
    if (built && !this.#imageId) this.#imageId = built[1];
    this.#tail.push(line);
    if (this.#tail.length > this.#tailSize) this.#tail.shift();
    this.#sink.write(`${line}\n`);
  }
}
