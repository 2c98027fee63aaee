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
}
