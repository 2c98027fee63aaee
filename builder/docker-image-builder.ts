import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { BuildError, SpaceportError, type LogSink, type Logger } from '../core/index.js';
import { BuildLog } from './build-log.js';
import { BuildOutputDecoder } from './build-output.js';
import { packBuildContext, TEMPLATED_DOCKERFILE } from './build-context.js';
import { isNotFound, mapDockerError } from './docker-errors.js';
import type { BuildRequest, ImageBuilder } from './image-builder.js';
import { CA_BUNDLE_FILE_NAME } from './plan-build.js';
import { SUPPORT_DIR } from '../templates/index.js';

export interface DockerImageBuilderOptions {
  docker: Docker;
  logger: Logger;
  /** Host CA bundle put in every templated build context as `.spaceport/ca-bundle.crt` (see `CA_BUNDLE_FILE_NAME`). */
  caBundle?: string;
  /** Lines kept for a failure's log tail (default 30). */
  tailLines?: number;
}

/**
 * Builds Space images with the Docker engine's classic builder (`POST /build`, version 1).
 *
 * BuildKit through dockerode needs a gRPC session, and dockerode's session offers only registry
 * auth, not build secrets, so the classic builder is used everywhere. Build secrets are therefore
 * not available during the build (they never land in a layer); the runtime sets them as env vars.
 */
export class DockerImageBuilder implements ImageBuilder {
  readonly #o: DockerImageBuilderOptions;

  constructor(opts: DockerImageBuilderOptions) {
    this.#o = opts;
  }

  async build(req: BuildRequest, log: LogSink, signal: AbortSignal): Promise<string> {
    const logger = this.#o.logger.child({ space: req.space, image: req.image });
    signal.throwIfAborted();
    const secretNames = Object.keys(req.secrets ?? {});
    if (secretNames.length > 0) {
      log.write(
        `Note: ${secretNames.length} secret(s) are not available during the build (this engine builds without BuildKit secrets); they are set as environment variables when the Space runs.\n`,
      );
    }
    const support: Record<string, string | Buffer> = { ...req.extraFiles };
    if (req.dockerfile !== undefined && this.#o.caBundle) {
      support[`${SUPPORT_DIR}/${CA_BUNDLE_FILE_NAME}`] = await readCaBundle(this.#o.caBundle);
    }
    const context = await packBuildContext({ contextDir: req.contextDir, dockerfile: req.dockerfile, supportFiles: support });

    const started = Date.now();
    logger.info({ noCache: Boolean(req.noCache) }, 'image build started');
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.#o.docker.buildImage(context, {
        t: req.image,
        dockerfile: req.dockerfile === undefined ? 'Dockerfile' : TEMPLATED_DOCKERFILE,
        buildargs: req.buildArgs ?? {},
        labels: req.labels ?? {},
        nocache: Boolean(req.noCache),
        rm: true,
        forcerm: true,
        version: '1',
        abortSignal: signal,
      } as Docker.ImageBuildOptions);
    } catch (err) {
      context.destroy();
      if (signal.aborted) throw cancelled(signal, new BuildLog(log));
      throw mapDockerError(err, `Building ${req.image}`, 'BuildFailed');
    }

    const progress = new BuildLog(log, { tailLines: this.#o.tailLines });
    const decoder = new BuildOutputDecoder();
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        for (const ev of decoder.push(chunk)) progress.handle(ev);
      }
      for (const ev of decoder.end()) progress.handle(ev);
    } catch (err) {
      progress.end();
      if (signal.aborted) throw cancelled(signal, progress);
      throw new BuildError(`The build stream broke: ${(err as Error).message}`, { logTail: progress.tail(), step: progress.step, cause: err });
    }
    progress.end();
    if (signal.aborted) throw cancelled(signal, progress);
    if (progress.error !== undefined) {
      logger.warn({ step: progress.step }, 'image build failed');
      const at = progress.step ? ` at "${progress.step}"` : '';
      throw new BuildError(`The image build failed${at}: ${progress.error}`, { logTail: progress.tail(), step: progress.step });
    }
    if (!(await this.exists(req.image))) {
      throw new BuildError(`The build ended without producing ${req.image}.`, { logTail: progress.tail(), step: progress.step });
    }
    logger.info({ ms: Date.now() - started, cacheHits: progress.cacheHits }, 'image build succeeded');
    return req.image;
  }

  async exists(image: string): Promise<boolean> {
    try {
      await this.#o.docker.getImage(image).inspect();
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw mapDockerError(err, `Inspecting ${image}`);
    }
  }

  async remove(image: string): Promise<void> {
    try {
      await this.#o.docker.getImage(image).remove();
    } catch (err) {
      if (isNotFound(err)) return;
      if ((err as { statusCode?: number }).statusCode === 409) {
        throw new SpaceportError('ImageInUse', `The image ${image} is used by a container; remove the container first.`, { cause: err });
      }
      throw mapDockerError(err, `Removing ${image}`);
    }
  }
}

function cancelled(signal: AbortSignal, progress: BuildLog): BuildError {
  const reason = signal.reason instanceof Error ? signal.reason.message : 'The build was cancelled.';
  return new BuildError(reason, { logTail: progress.tail(), step: progress.step, cause: signal.reason });
}

async function readCaBundle(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new SpaceportError('BuildFailed', `Cannot read the build CA bundle ${file}: set SPACEPORT_BUILD_CA_BUNDLE to a readable PEM file.`, { cause: err });
  }
}
