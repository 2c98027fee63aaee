import type { Readable } from 'node:stream';
import type { LogSink, SpaceId } from '../core/index.js';

/** Everything one image build needs. The files are already exported to `contextDir`. */
export interface BuildRequest {
  space: SpaceId;
  /** The image reference to produce (see `imageRefFor`). */
  image: string;
  /** Directory holding the repo's files at the commit; the builder adds its own files beside them. */
  contextDir: string;
  /** Dockerfile text (rendered by a template), or undefined to use the repo's own `Dockerfile`. */
  dockerfile?: string;
  /** Extra files the template adds to the context (path → content). */
  extraFiles?: Record<string, string>;
  /** Build args (variables for docker Spaces, proxy settings). Never secrets. */
  buildArgs?: Record<string, string>;
  /** Build-time secrets (docker Spaces): BuildKit secret mounts, never in a layer. */
  secrets?: Record<string, string>;
  labels?: Record<string, string>;
  /** Factory rebuild: ignore the layer cache. */
  noCache?: boolean;
}

/** Files read back from a built image: its content id (hex) and a tar stream of one of its directories. */
export interface ImageFiles {
  /** The image's content id, hex (`sha256:` left out): the same files and labels give the same id. */
  id: string;
  /** Entries named below the directory's last segment (`site/index.html` for `/site`). Read it or destroy it. */
  tar: Readable;
}

export interface ImageBuilder {
  /** Build the image; resolves with its reference, rejects with a BuildError (step + log tail). */
  build(req: BuildRequest, log: LogSink, signal: AbortSignal): Promise<string>;
  exists(image: string): Promise<boolean>;
  /**
   * The reference a runtime runs for an image that exists (a registry builder answers the pull name
   * by digest); undefined when it does not exist. Without it, the image's own name is run.
   */
  resolve?(image: string): Promise<string | undefined>;
  remove(image: string): Promise<void>;
  /**
   * The files under `dir` of a built image (a static build's output). Builders that cannot read an
   * image back leave it out: such a static build is then released as its image.
   */
  imageFiles?(image: string, dir: string): Promise<ImageFiles>;
}
