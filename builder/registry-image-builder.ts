import type Docker from 'dockerode';
import { fail, type LogSink, type Logger } from '../core/index.js';
import type { BuildRequest, ImageBuilder, ImageFiles } from './image-builder.js';
import { RegistryClient, registryRepository, splitReference, type RegistryTarget } from './registry-client.js';
import { readRegistryImageFiles } from './registry-image-files.js';

export interface RegistryImageBuilderOptions {
  inner: ImageBuilder;
  docker: Docker;
  registry: RegistryTarget;
  /** The registry as nodes name it (`SPACEPORT_REGISTRY_PULL`), when it differs from where we push. */
  pullRegistry?: RegistryTarget;
  logger: Logger;
}

interface PushEvent {
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Tag?: string; Digest?: string; Size?: number };
}

/**
 * Builds for a cluster: the inner builder (a Docker engine, `DOCKER_HOST`) makes the image, which
 * is then pushed to the registry; the reference a node runs is the pull name by digest
 * (`registry/spaceport/alice-demo@sha256:…`). A tag the registry already has is not built again
 * (BinderHub's rule: the tag is the content identity).
 */
export class RegistryImageBuilder implements ImageBuilder {
  readonly #o: RegistryImageBuilderOptions;
  readonly #client: RegistryClient;

  constructor(opts: RegistryImageBuilderOptions) {
    this.#o = opts;
    this.#client = new RegistryClient(opts.registry);
  }

  /** Where `local` goes in the registry: the push name and the tag. */
  remoteOf(local: string): { push: string; pull: string; repository: string; tag: string } {
    const { name, tag } = splitReference(local);
    const repository = registryRepository(this.#o.registry, name);
    const pullRepository = registryRepository(this.#o.pullRegistry ?? this.#o.registry, name);
    return { push: `${this.#o.registry.host}/${repository}`, pull: `${(this.#o.pullRegistry ?? this.#o.registry).host}/${pullRepository}`, repository, tag };
  }

  async resolve(image: string): Promise<string | undefined> {
    const r = this.remoteOf(image);
    const digest = await this.#client.digestOf(r.repository, r.tag);
    return digest ? `${r.pull}@${digest}` : undefined;
  }

  async exists(image: string): Promise<boolean> {
    return (await this.resolve(image)) !== undefined;
  }

  async build(req: BuildRequest, log: LogSink, signal: AbortSignal): Promise<string> {
    const local = await this.#o.inner.build(req, log, signal);
    const r = this.remoteOf(local);
    log.write(`Pushing ${r.push}:${r.tag} ...\n`);
    const started = Date.now();
    await this.#o.docker.getImage(local).tag({ repo: r.push, tag: r.tag });
    const digest = await this.#push(`${r.push}:${r.tag}`, r.tag);
    log.write(`Pushed ${r.push}:${r.tag} (${digest}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    this.#o.logger.info({ space: req.space, image: `${r.pull}@${digest}` }, 'image pushed');
    return `${r.pull}@${digest}`;
  }

  async #push(ref: string, tag: string): Promise<string> {
    const t = this.#o.registry;
    const authconfig = { username: t.username ?? '', password: t.password ?? '', serveraddress: t.host };
    const stream = (await this.#o.docker.getImage(ref).push({ tag, authconfig })) as NodeJS.ReadableStream;
    const events = await new Promise<PushEvent[]>((resolve, reject) =>
      this.#o.docker.modem.followProgress(stream, (err: Error | null, out: PushEvent[]) => (err ? reject(err) : resolve(out))),
    );
    const failed = events.find((e) => e.error || e.errorDetail);
    if (failed) {
      throw fail('registryPushFailed', { ref, reason: String(failed.errorDetail?.message ?? failed.error) });
    }
    const digest = events.map((e) => e.aux?.Digest).find(Boolean);
    if (!digest) throw fail('registryNoDigest', { ref });
    return digest;
  }

  /**
   * The files under `dir` of an image in the registry (a static build's output), read over the
   * registry's HTTP API: the engine that built it may be gone or have dropped its copy, and a
   * cluster's builder runs no container to read it back. `image` is what `build`/`resolve` answered
   * (`{pull}@sha256:…`) or a local name (`spaceport/x:tag`).
   */
  async imageFiles(image: string, dir: string): Promise<ImageFiles> {
    const { repository, reference } = this.#inRegistry(image);
    return readRegistryImageFiles(this.#client, { repository, reference, dir, image });
  }

  /** The repository where we push `image` and the tag or digest to read. */
  #inRegistry(image: string): { repository: string; reference: string } {
    const at = image.indexOf('@');
    if (at < 0) {
      const r = this.remoteOf(image);
      return { repository: r.repository, reference: r.tag };
    }
    const name = image.slice(0, at);
    const reference = image.slice(at + 1);
    for (const target of [this.#o.pullRegistry ?? this.#o.registry, this.#o.registry]) {
      const base = target.prefix ? `${target.host}/${target.prefix}/` : `${target.host}/`;
      if (name.startsWith(base)) return { repository: registryRepository(this.#o.registry, name.slice(base.length)), reference };
    }
    throw fail('registryImageElsewhere', { image, host: this.#o.registry.host });
  }

  async remove(image: string): Promise<void> {
    await this.#o.inner.remove(image);
  }
}
