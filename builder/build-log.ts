import { SecretMask, type LogSink } from '../core/index.js';
import type { BuildEvent } from './build-output.js';
import type { BuildkitTrace } from './buildkit-trace.js';

const STEP_RE = /^Step \d+\/\d+ : /;
const CACHE_RE = /^ ---> Using cache$/;
/** BuildKit vertices that are Dockerfile instructions: `[2/5] RUN …`, `[build 3/7] COPY …`. */
const BUILDKIT_STEP_RE = /^\[[^\]]*\d+\/\d+\] /;

interface VertexState {
  n: number;
  name: string;
  announced: boolean;
  done: boolean;
  partial: string;
  /** The step's own output (last `OUTPUT_LINES` lines), for a failure's cause. */
  output: string[];
}

const OUTPUT_LINES = 400;

function keep(lines: string[], line: string): void {
  lines.push(line);
  if (lines.length > OUTPUT_LINES) lines.shift();
}

/**
 * Follows a build's events and writes the Space's build log: whole lines, classic builder output
 * as is, BuildKit progress like `docker build --progress=plain` (`#3 [2/4] RUN …`, `#3 CACHED`).
 * Remembers the step being run (`Step N/M : …` or `[N/M] …`), the last lines (a failure's tail),
 * the first error, the image id and how many steps came from the cache.
 * Values in `mask` (the build's secrets) are replaced by `***` in every line, the tail and the error,
 * so a Dockerfile that prints a secret leaks it neither to the log nor to a failure's message.
 */
export class BuildLog {
  readonly #sink: LogSink;
  readonly #tailSize: number;
  readonly #tail: string[] = [];
  readonly #vertices = new Map<string, VertexState>();
  readonly #mask: SecretMask;
  #partial = '';
  #step: string | undefined;
  #failedStep: string | undefined;
  #failedOutput: string[] | undefined;
  /** The classic builder's output since its last `Step N/M`. */
  #classicOutput: string[] = [];
  #error: string | undefined;
  #imageId: string | undefined;
  #cacheHits = 0;

  constructor(sink: LogSink, opts: { tailLines?: number; mask?: readonly string[] } = {}) {
    this.#sink = sink;
    this.#tailSize = opts.tailLines ?? 30;
    this.#mask = new SecretMask(opts.mask ?? []);
  }

  /** The step that failed, else the last step started. */
  get step(): string | undefined {
    // Masked too: a templated step names its cache mounts, whose ids are secret (issue 16: the
    // BUILD_ERROR message of a Space showed them through `Failed step:`).
    const step = this.#failedStep ?? this.#step;
    return step === undefined ? undefined : this.#mask.apply(step);
  }
  /** The output of the step that failed (else of the last classic step), oldest first, secrets masked. */
  get failedOutput(): readonly string[] {
    return this.#failedOutput ?? this.#classicOutput;
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
      case 'trace':
        this.#trace(event.trace);
        break;
      case 'aux':
        if (event.imageId) this.#imageId = event.imageId;
        break;
      case 'error':
        this.#flush();
        this.#error ??= this.#redact(event.message);
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

  /** Write out last lines that had no newline. */
  end(): void {
    this.#flush();
    for (const v of this.#vertices.values()) {
      if (v.partial) {
        keep(v.output, this.#redact(v.partial));
        this.#line(`#${v.n} ${v.partial}`);
      }
      v.partial = '';
    }
  }

  #trace(trace: BuildkitTrace): void {
    for (const t of trace.vertexes) {
      const v = this.#vertex(t.digest, t.name);
      if (!v.announced && (t.started !== undefined || t.cached || t.completed !== undefined)) {
        v.announced = true;
        this.#line(`#${v.n} ${v.name}`);
        if (BUILDKIT_STEP_RE.test(v.name)) this.#step = v.name;
      }
      if (t.error) {
        if (BUILDKIT_STEP_RE.test(v.name) && this.#failedStep === undefined) {
          this.#failedStep = v.name;
          this.#failedOutput = v.output;
        }
        this.#line(`#${v.n} ERROR: ${t.error}`);
        v.done = true;
      } else if (t.completed !== undefined && !v.done) {
        v.done = true;
        if (t.cached) {
          if (BUILDKIT_STEP_RE.test(v.name)) this.#cacheHits++;
          this.#line(`#${v.n} CACHED`);
        } else {
          const secs = t.started !== undefined ? ` ${((t.completed - t.started) / 1000).toFixed(1)}s` : '';
          this.#line(`#${v.n} DONE${secs}`);
        }
      }
    }
    for (const log of trace.logs) {
      const v = this.#vertex(log.vertex, '');
      const parts = (v.partial + log.text).split('\n');
      v.partial = parts.pop() ?? '';
      for (const part of parts) {
        const line = lastRedraw(part);
        keep(v.output, this.#redact(line));
        this.#line(`#${v.n} ${line}`);
      }
    }
  }

  #vertex(digest: string, name: string): VertexState {
    let v = this.#vertices.get(digest);
    if (!v) {
      v = { n: this.#vertices.size + 1, name, announced: false, done: false, partial: '', output: [] };
      this.#vertices.set(digest, v);
    } else if (!v.name && name) {
      v.name = name;
    }
    return v;
  }

  #flush(): void {
    if (this.#partial !== '') {
      const rest = this.#partial;
      this.#partial = '';
      this.#line(rest);
    }
  }

  #redact(text: string): string {
    return this.#mask.apply(text);
  }

  #line(raw: string): void {
    const line = this.#redact(lastRedraw(raw));
    if (STEP_RE.test(line)) {
      this.#step = line;
      this.#classicOutput = [];
    } else if (this.#step !== undefined) {
      keep(this.#classicOutput, line);
    }
    if (CACHE_RE.test(line)) this.#cacheHits++;
    const built = /^Successfully built ([0-9a-f]{12,64})$/.exec(line);
    if (built && !this.#imageId) this.#imageId = built[1];
    this.#tail.push(line);
    if (this.#tail.length > this.#tailSize) this.#tail.shift();
    this.#sink.write(`${line}\n`);
  }
}

/** A line redrawn with carriage returns (`10%\r50%\r100%`) keeps its last state. */
function lastRedraw(raw: string): string {
  const cr = raw.lastIndexOf('\r', raw.length - 2);
  return (cr >= 0 ? raw.slice(cr + 1) : raw).replace(/\r$/, '');
}
