import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { BuildError, dockerStatus, fail, failBuild, mapDockerError, type LogSink, type Logger } from '../core/index.js';
import { BuildLog } from './build-log.js';
import { summarizeBuildFailure } from './build-error-summary.js';
import { BuildOutputDecoder } from './build-output.js';
import { packBuildContext, TEMPLATED_DOCKERFILE } from './build-context.js';
import { openBuildkitSession, type BuildkitSession } from './buildkit-session.js';
import type { BuildRequest, ImageBuilder, ImageFiles } from './image-builder.js';
import { readImageFiles } from './image-files.js';
import { CA_BUNDLE_FILE_NAME } from './plan-build.js';
import { registryImagesOf, registryPullProblem } from './registry-images.js';
import { pullThroughMirrors } from './registry-mirrors.js';
import { SUPPORT_DIR, cacheMountIds } from '../templates/index.js';

export interface DockerImageBuilderOptions {
  docker: Docker;
  logger: Logger;
  /** Host CA bundle put in every templated build context as `.spaceport/ca-bundle.crt` (see `CA_BUNDLE_FILE_NAME`). */
  caBundle?: string;
  /** Lines kept for a failure's log tail (default 30). */
  tailLines?: number;
  /**
   * `buildkit` (default): `POST /build?version=2` with our own gRPC session, which serves build
   * secrets to `RUN --mount=type=secret` as on the Hub. `classic`: the legacy builder, for engines
   * without BuildKit; it cannot take secrets (they are skipped, with a note in the log).
   */
  engine?: 'buildkit' | 'classic';
  /** Registry mirrors a Space's registry images are pulled through before the build (`SPACEPORT_REGISTRY_MIRRORS`). */
  registryMirrors?: readonly string[];
  /** The base images this install makes itself: named when a registry image cannot be pulled. */
  localImages?: readonly string[];
}

/**
 * Builds Space images with the Docker engine, streaming progress to the Space's build log.
 * The classic builder and BuildKit both work on engine 20.10; BuildKit is the default because
 * Hub-style Dockerfiles need it (`RUN --mount=type=secret`, `WORKDIR` owned by the `USER`).
 */
export class DockerImageBuilder implements ImageBuilder {
  readonly #o: DockerImageBuilderOptions;

  constructor(opts: DockerImageBuilderOptions) {
    this.#o = opts;
  }

  async build(req: BuildRequest, log: LogSink, signal: AbortSignal): Promise<string> {
    const logger = this.#o.logger.child({ space: req.space, image: req.image });
    const buildkit = (this.#o.engine ?? 'buildkit') === 'buildkit';
    // Our templates' cache ids are secrets too (see pipCacheIdFor): BuildKit prints each step with its mounts.
    const mask = [...Object.values(req.secrets ?? {}), ...(req.dockerfile === undefined ? [] : cacheMountIds(req.dockerfile))];
    if (signal.aborted) throw cancelled(signal, new BuildLog(log, { mask }));
    const secretNames = Object.keys(req.secrets ?? {});
    if (secretNames.length > 0 && !buildkit) {
      log.write(
        `Note: ${secretNames.length} secret(s) are not available during the build (the classic builder has no build secrets); they are set as environment variables when the Space runs.\n`,
      );
    }
    const support: Record<string, string | Buffer> = { ...req.extraFiles };
    if (req.dockerfile !== undefined && this.#o.caBundle) {
      support[`${SUPPORT_DIR}/${CA_BUNDLE_FILE_NAME}`] = await readCaBundle(this.#o.caBundle);
    }
    const progress = new BuildLog(log, { tailLines: this.#o.tailLines, mask });
    if (signal.aborted) throw cancelled(signal, progress);
    // The classic builder has no cache mounts: a templated Dockerfile's pip steps then run without one.
    const dockerfile = !buildkit && req.dockerfile !== undefined ? withoutCacheMounts(req.dockerfile) : req.dockerfile;

    const remote = await this.#registryImages(req, log);
    let session: BuildkitSession | undefined;
    let context: Readable | undefined;
    const started = Date.now();
    logger.info({ noCache: Boolean(req.noCache), engine: buildkit ? 'buildkit' : 'classic' }, 'image build started');
    try {
      if (buildkit) {
        try {
          session = await openBuildkitSession(this.#o.docker, { secrets: req.secrets, signal });
        } catch (err) {
          if (signal.aborted) throw cancelled(signal, progress);
          throw mapDockerError(err, { action: 'open a BuildKit session', otherwise: 'BuildFailed' });
        }
      }
      if (signal.aborted) throw cancelled(signal, progress);
      // Packed only now, once nothing else is awaited before the engine reads it: the tar stream reads
      // the context directory as soon as it exists, and a read error (the directory removed under a
      // build that was stopped) is an 'error' event that must find a listener. docker-modem's own
      // listener is attached when the request starts; ours is there from the first tick.
      context = packBuildContext({ contextDir: req.contextDir, dockerfile, supportFiles: support });
      context.on('error', (err) => logger.warn({ err }, 'build context unreadable: the build stops'));
      let stream: NodeJS.ReadableStream;
      try {
        stream = await this.#dialBuild(context, {
          t: req.image,
          dockerfile: req.dockerfile === undefined ? 'Dockerfile' : TEMPLATED_DOCKERFILE,
          buildargs: req.buildArgs ?? {},
          labels: req.labels ?? {},
          nocache: Boolean(req.noCache),
          rm: true,
          forcerm: true,
          version: buildkit ? '2' : '1',
          ...(session ? { session: session.id } : {}),
        }, signal);
      } catch (err) {
        if (signal.aborted) throw cancelled(signal, progress);
        throw mapDockerError(err, { action: `build ${req.image}`, otherwise: 'BuildFailed' });
      }
      const decoder = new BuildOutputDecoder();
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          for (const ev of decoder.push(chunk)) progress.handle(ev);
        }
        for (const ev of decoder.end()) progress.handle(ev);
      } catch (err) {
        progress.end();
        if (signal.aborted) throw cancelled(signal, progress);
        throw failBuild('buildStreamBroke', { reason: (err as Error).message }, { logTail: progress.tail(), step: progress.step, cause: err });
      }
    } finally {
      context?.destroy();
      session?.close();
    }
    progress.end();
    if (signal.aborted) throw cancelled(signal, progress);
    if (progress.error !== undefined) {
      logger.warn({ step: progress.step }, 'image build failed');
      const summary = summarizeBuildFailure({ step: progress.step, error: progress.error, stepOutput: progress.failedOutput });
      const pull = registryPullProblem([progress.error, ...progress.failedOutput].join('\n'), remote, this.#o.localImages ?? [], this.#o.registryMirrors ?? []);
      const message = pull ? `${pull}\n\n${summary}` : summary;
      throw new BuildError(message, { logTail: progress.tail(), step: progress.step });
    }
    const built = await this.exists(req.image);
    if (signal.aborted) throw cancelled(signal, progress);
    if (!built) {
      throw failBuild('buildProducedNoImage', { image: req.image }, { logTail: progress.tail(), step: progress.step });
    }
    logger.info({ ms: Date.now() - started, cacheHits: progress.cacheHits }, 'image build succeeded');
    return req.image;
  }

  /** The registry images the Dockerfile names (pulled through the mirrors first, when there are any). */
  async #registryImages(req: BuildRequest, log: LogSink): Promise<string[]> {
    const text = req.dockerfile ?? (await readFile(`${req.contextDir}/Dockerfile`, 'utf8').catch(() => ''));
    const own = new Set(this.#o.localImages ?? []);
    const images = registryImagesOf(text, (i) => own.has(i) || i.startsWith('spaceport/'));
    if (images.length > 0 && (this.#o.registryMirrors ?? []).length > 0) await pullThroughMirrors(this.#o.docker, images, this.#o.registryMirrors!, log);
    return images;
  }

  /** `POST /build` with a tar stream (dockerode's buildImage would open its own session for version 2). */
  #dialBuild(context: NodeJS.ReadableStream, query: Record<string, unknown>, signal: AbortSignal): Promise<NodeJS.ReadableStream> {
    return new Promise((resolve, reject) => {
      this.#o.docker.modem.dial(
        {
          path: '/build?',
          method: 'POST',
          file: context,
          options: query,
          isStream: true,
          abortSignal: signal,
          statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
        },
        (err: unknown, stream: unknown) => (err ? reject(err) : resolve(stream as NodeJS.ReadableStream)),
      );
    });
  }

  async exists(image: string): Promise<boolean> {
    try {
      await this.#o.docker.getImage(image).inspect();
      return true;
    } catch (err) {
      if (dockerStatus(err) === 404) return false;
      throw mapDockerError(err, { action: `inspect ${image}`, otherwise: 'Internal' });
    }
  }

  imageFiles(image: string, dir: string): Promise<ImageFiles> {
    return readImageFiles(this.#o.docker, image, dir);
  }

  async remove(image: string): Promise<void> {
    try {
      await this.#o.docker.getImage(image).remove();
    } catch (err) {
      if (dockerStatus(err) === 404) return;
      if ((err as { statusCode?: number }).statusCode === 409) {
        throw fail('imageInUse', { image }, { cause: err });
      }
      throw mapDockerError(err, { action: `remove ${image}`, otherwise: 'Internal' });
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
    throw fail('buildCaBundleUnreadable', { file }, { cause: err });
  }
}

/** A Dockerfile with `RUN --mount=type=cache,…` options removed (for the classic builder). */
export function withoutCacheMounts(dockerfile: string): string {
  return dockerfile.replace(/^(RUN\s+)((?:--mount=type=cache,\S+\s+)+)/gm, '$1');
}
