import type { BuildRequest, ImageBuilder } from '../../builder/index.js';
import type { LogSink } from '../../core/index.js';

/** The images a Dockerfile builds FROM or copies from (`COPY --from=image`), not its own stage names. */
export function baseImagesOf(dockerfile: string): string[] {
  const stages = new Set<string>();
  const images: string[] = [];
  for (const line of dockerfile.split('\n')) {
    const from = /^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    const copy = /^\s*COPY\s+(?:--\S+\s+)*?--from=(\S+)/i.exec(line);
    const image = from?.[1] ?? copy?.[1];
    if (!image) continue;
    // `scratch` is no image: the empty start of a files-only image.
    if (!stages.has(image) && !/^\d+$/.test(image) && image !== 'scratch' && !images.includes(image)) images.push(image);
    if (from?.[2]) stages.add(from[2]);
  }
  return images;
}

/**
 * Makes sure the base images a build needs exist before it starts (built from Debian packages
 * when missing: no registry needed). Each image is made once; a failed attempt is tried again
 * on the next build that needs it.
 */
export class BaseImageGate implements ImageBuilder {
  readonly #inner: ImageBuilder;
  readonly #ensure: (images: string[], log: LogSink) => Promise<void>;
  readonly #ready = new Map<string, Promise<void>>();
  /** The inner builder's, when it has one (a static build's output is read back through it). */
  readonly imageFiles?: ImageBuilder['imageFiles'];

  /** `ensure` builds those of the given images it knows how to make and that are missing. */
  constructor(inner: ImageBuilder, ensure: (images: string[], log: LogSink) => Promise<void>) {
    this.#inner = inner;
    this.#ensure = ensure;
    if (inner.imageFiles) this.imageFiles = (image, dir) => inner.imageFiles!(image, dir);
  }

  /** Make sure these base images exist (once each; again after a failure). */
  async ensureBaseImages(images: string[], log: LogSink): Promise<void> {
    for (const image of images) {
      let p = this.#ready.get(image);
      if (!p) {
        const how = /^spaceport\/node:\d+\.\d+\.\d+-npm/.test(image) ? 'made from the npm registry\'s Node.js and npm when missing' : 'built from Debian packages when missing; the first time takes a few minutes';
        log.write(`Checking base image ${image} (${how}) ...\n`);
        p = this.#ensure([image], log).catch((err: unknown) => {
          this.#ready.delete(image);
          throw err;
        });
        this.#ready.set(image, p);
      }
      await p;
    }
  }

  async build(req: BuildRequest, log: LogSink, signal: AbortSignal): Promise<string> {
    if (req.dockerfile) await this.ensureBaseImages(baseImagesOf(req.dockerfile), log);
    return this.#inner.build(req, log, signal);
  }

  exists(image: string): Promise<boolean> {
    return this.#inner.exists(image);
  }

  remove(image: string): Promise<void> {
    return this.#inner.remove(image);
  }
}
