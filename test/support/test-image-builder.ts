import Dockerode from 'dockerode';
import type { LogSink } from '../../core/index.js';
import type { BuildRequest, ImageBuilder } from '../../builder/index.js';
import { ensureTestImage } from './test-image.js';

/**
 * An ImageBuilder for real-engine suites that need a running app but not a real build: every
 * "build" tags the busybox test image (test/support/test-image.ts) as the requested reference, so
 * the release runs on Docker in a second, whatever the Space's files are.
 */
export class TestImageBuilder implements ImageBuilder {
  readonly built: string[] = [];
  readonly #docker: Dockerode;

  constructor(docker: Dockerode = new Dockerode()) {
    this.#docker = docker;
  }

  async build(req: BuildRequest, log: LogSink): Promise<string> {
    const source = await ensureTestImage(this.#docker);
    const at = req.image.lastIndexOf(':');
    const [repo, tag] = at > req.image.lastIndexOf('/') ? [req.image.slice(0, at), req.image.slice(at + 1)] : [req.image, 'latest'];
    await this.#docker.getImage(source).tag({ repo, tag });
    log.write(`Tagged ${source} as ${req.image}\n`);
    this.built.push(req.image);
    return req.image;
  }

  async exists(image: string): Promise<boolean> {
    try {
      await this.#docker.getImage(image).inspect();
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return false;
      throw err;
    }
  }

  async remove(image: string): Promise<void> {
    await this.#docker
      .getImage(image)
      .remove()
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 404) throw err;
      });
  }
}
