/** The SDKs a Space can declare in its README front matter. */
export const SDKS = ['gradio', 'streamlit', 'docker', 'static'] as const;
export type Sdk = (typeof SDKS)[number];

/** The installers a Python Space's packages can be installed with (`SPACEPORT_PYTHON_INSTALLER`). */
export const PYTHON_INSTALLERS = ['uv', 'pip'] as const;
export type PythonInstaller = (typeof PYTHON_INSTALLERS)[number];

/**
 * Where things sit in the build context of a templated build. The builder packs the repo's files
 * under `CODE_DIR` and the template's own files (rendered Dockerfile, CA bundle, helpers) under
 * `SUPPORT_DIR`, so the two never collide and the app directory gets only the repo's files.
 */
export const CODE_DIR = 'app';
export const SUPPORT_DIR = '.spaceport';

/** Everything a template needs; the builder maps a Space's config and file list onto it. */
export interface TemplateInput {
  sdk: Sdk;
  /** Python base image (`spaceport/python:3.11`): gradio, streamlit and static (its file server). */
  pythonImage: string;
  /** Node base image for a static Space's `app_build_command` stage (Debian's Node), when `node` is absent. */
  nodeImage: string;
  /**
   * The Node.js chosen for a static Space's build (from `engines.node` / `.nvmrc`): an image with
   * Node and npm under `/usr/local` that the build stage, based on `pythonImage`, copies from.
   */
  node?: NodeToolchain;
  /** npm registry for the static build's `npm ci` / `npm install` (an operator's mirror); npm's default when absent. */
  npmRegistry?: string;
  /** Path of the main file relative to the repo root, already validated (no `..`, not absolute). */
  appFile: string;
  /** `gradio==…` / `streamlit==…`; latest when absent. Already validated as a version. */
  sdkVersion?: string;
  /** docker: the port the app listens on. */
  appPort?: number;
  /** static: a build command such as `npm run build`; the output is `dirname(appFile)`. */
  buildCommand?: string;
  /**
   * static with `buildCommand`: `files` makes the final stage an empty image holding only the build's
   * output under {@link STATIC_OUTPUT_DIR} (released as a tree the proxy serves; no server, no
   * container). `server` (the default) adds the file server that runs as a container.
   */
  staticOutput?: 'files' | 'server';
  /** Which dependency files the repo has (repo-root paths). */
  files: RepoFiles;
  /** requirements.txt refers to local paths (`-e .`, `-r other.txt`): install it after the code is copied. */
  localRequirements?: boolean;
  /** Path of the CA bundle inside the build context, when builds must trust one. */
  caBundleFile?: string;
  /** `hf_oauth: true`: install gradio with its `oauth` extra. */
  oauth?: boolean;
  /**
   * `pip install --uploaded-prior-to` / `uv pip install --exclude-newer` value
   * (`2024-06-01T12:00:00+00:00`): every install step resolves packages as of this time. Undefined: the newest packages.
   */
  packageCutoff?: string;
  /**
   * Set when `packageCutoff` is the pinned SDK release's date plus a window (issue 19): the commit's
   * cutoff, which an install that fails at `packageCutoff` is tried at once more (the log says so).
   */
  fallbackCutoff?: string;
  /**
   * BuildKit cache mount id for pip's cache (per Space: one Space's build never writes another's cache).
   * Must be secret (`pipCacheIdFor`): any Dockerfile on the engine can mount a cache by its id.
   */
  pipCacheId?: string;
  /** BuildKit cache mount id for uv's cache (per owner and secret, like `pipCacheId`). */
  uvCacheId?: string;
  /**
   * uv's cache of the install's SDK layers (secret, `sdkLayerCacheIdFor`): shared by every owner, so
   * mounted only by an SDK layer that nothing of the Space comes before (no packages.txt, no
   * pre-requirements.txt); that layer is then the same for every owner (see `sharesSdkLayer`).
   */
  sdkLayerCacheId?: string;
  /**
   * What installs the Python packages (`pip` when absent): `uv` runs one `uv pip install` with its
   * cache mounted and falls back to pip (same cutoff, a line in the log saying so) when it fails.
   */
  pythonInstaller?: PythonInstaller;
  /**
   * requirements.txt with the lines naming the SDK removed (the README's `sdk_version` decides it), when
   * it had such lines: rendered as a support file and installed instead of the repo's copy.
   */
  requirementsWithoutSdk?: string;
  /** Image labels rendered as the last instruction (values that change per commit go last). */
  labels?: Record<string, string>;
}

export interface NodeToolchain {
  /** `spaceport/node:22.12.0-npm10.9.2`: only `/usr/local/{bin,include,lib,share}`. */
  image: string;
  version: string;
  npm: string;
}

export interface RepoFiles {
  packagesTxt: boolean;
  preRequirements: boolean;
  requirements: boolean;
  packageJson: boolean;
  packageLock: boolean;
}

export interface RenderedTemplate {
  /** Dockerfile text, or undefined for `sdk: docker` (the repo's own Dockerfile is used). */
  dockerfile: string | undefined;
  /** Files the template adds to the build context, by context path (all under `SUPPORT_DIR`). */
  extraFiles: Record<string, string>;
  /** The port the app serves HTTP on inside the container. */
  port: number;
}

/** The user every app runs as, as on the Hub. */
export const APP_UID = 1000;
export const APP_HOME = '/home/user';
export const APP_DIR = '/home/user/app';

/** Where a static build's output lies in its files-only image (`staticOutput: 'files'`). */
export const STATIC_OUTPUT_DIR = '/site';
