import { readdirSync } from 'node:fs';
import { BuildError, type LogSink } from '../../core/index.js';
import type { BuildRequest, ImageBuilder } from '../../builder/index.js';

/** An ImageBuilder that builds nothing: it records requests and can be told to fail. */
export class FakeImageBuilder implements ImageBuilder {
  readonly built: (BuildRequest & { files: string[] })[] = [];
  readonly #images = new Set<string>();
  failNext?: { step: string; logTail: string };
  /** Resolve builds only when released (to observe BUILDING / RUNNING_BUILDING). */
  hold = false;
  #waiters: (() => void)[] = [];

  release(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  async build(req: BuildRequest, log: LogSink, signal: AbortSignal): Promise<string> {
    log.write(`Step 1/1 : FAKE build of ${req.image}\n`);
    if (this.hold) await new Promise<void>((r) => this.#waiters.push(r));
    if (signal.aborted) throw new BuildError('cancelled', { logTail: '' });
    this.built.push({ ...req, files: readdirSync(req.contextDir) });
    const fail = this.failNext;
    if (fail) {
      this.failNext = undefined;
      log.write(fail.logTail);
      throw new BuildError('The build failed.', { step: fail.step, logTail: fail.logTail });
    }
    this.#images.add(req.image);
    return req.image;
  }

  async exists(image: string): Promise<boolean> {
    return this.#images.has(image);
  }

  async remove(image: string): Promise<void> {
    this.#images.delete(image);
  }
}
