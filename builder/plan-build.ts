import {
  SUPPORT_DIR,
  orList,
  renderTemplate,
  sdkTraits,
  sdksWhere,
  templateHash as hashTemplate,
  type NodeToolchain,
  type PythonInstaller,
  type RepoFiles,
  type TemplateInput,
} from '../templates/index.js';
import { createHash } from 'node:crypto';
import { DEFAULT_BASE_IMAGES } from './base-image-specs.js';
import { packageCutoff, sdkDateCutoff, type SdkRelease } from './package-cutoff.js';
import { HUB_DEFAULT_PYTHON, pickPython } from './python-images.js';
import type { SpaceConfig } from './space-config.js';

/** The CA bundle's file name under `.spaceport/` in a build context (the DockerImageBuilder writes it there). */
export const CA_BUNDLE_FILE_NAME = 'ca-bundle.crt';

export interface BuildProxy {
  http?: string;
  https?: string;
  noProxy?: string;
}

export interface PlanBuildInput {
  config: SpaceConfig;
  /** Every file path in the repo at the commit (`a/b.txt`, no directories needed). */
  files: readonly string[];
  /** Python base image per python_version, e.g. `{ "3.11": "spaceport/python:3.11" }` (see `pythonImagesWith`). */
  pythonImages: Readonly<Record<string, string>>;
  /** The version a Space without python_version asks for (default the Hub's, 3.10; the nearest image is used). */
  defaultPython?: string;
  /** Committer date of the newest commit that changed README.md or a dependency file: packages are resolved as of then. */
  dependenciesChangedAt?: Date;
  /** The current time (a cutoff after it is taken as now). */
  now?: Date;
  /** The pinned SDK release's upload time (or why it is unknown): an old pin resolves at its date (`sdkDateCutoff`). */
  sdkRelease?: SdkRelease;
  /** pip's BuildKit cache id for this Space's owner (secret: `packageCacheIdsFor`). */
  pipCacheId?: string;
  /** uv's BuildKit cache id for this Space's owner (secret: `packageCacheIdsFor`). */
  uvCacheId?: string;
  /** uv's BuildKit cache id of the install's SDK layers, one for every owner (secret: `sdkLayerCacheIdFor`). */
  sdkLayerCacheId?: string;
  /** What installs Python packages (`SPACEPORT_PYTHON_INSTALLER`); pip when absent. */
  pythonInstaller?: PythonInstaller;
  nodeImage?: string;
  /** static with app_build_command: the Node.js chosen for the build (else Debian's, `nodeImage`). */
  node?: NodeToolchain;
  /** npm registry for static builds' npm (an operator's mirror); npm's default when absent. */
  npmRegistry?: string;
  /** static with app_build_command: `files` builds an image of the output alone, released as a tree (see `TemplateInput.staticOutput`). */
  staticOutput?: 'files' | 'server';
  /** Name of the CA bundle file the builder puts in the context (see `CA_BUNDLE_FILE_NAME`); none when builds need no CA. */
  caBundleFileName?: string;
  /** Proxy for the build's network (pip, apt, npm), passed as the predefined HTTP_PROXY… build args. */
  proxy?: BuildProxy;
  /** The Space's variables: build args for docker Spaces (as on the Hub). */
  variables?: Readonly<Record<string, string>>;
  /** requirements.txt's text, when the caller has it: local references (`-e .`) change the layer order. */
  requirementsTxt?: string;
  /** Labels rendered last in the Dockerfile (constant per template, e.g. the sdk). */
  labels?: Readonly<Record<string, string>>;
}

export type BuildPlan =
  | {
      kind: 'ok';
      templateInput: TemplateInput;
      /** undefined: build the repo's own Dockerfile. */
      dockerfile: string | undefined;
      extraFiles: Record<string, string>;
      port: number;
      templateHash: string;
      /** Template hash and everything rendered (Dockerfile with its cutoff and base image, support files): the image identity. */
      identity: string;
      /** `--uploaded-prior-to` of this build, or undefined: newest packages. */
      packageCutoff?: string;
      buildArgs: Record<string, string>;
      /** Things to tell the user in the build log (e.g. a python_version fallback). */
      notices: string[];
    }
  | { kind: 'no_app_file'; message: string }
  | { kind: 'config_error'; message: string };

/** Decide what to build from the parsed config and the repo's file list: no Docker, no I/O. */
export function planBuild(input: PlanBuildInput): BuildPlan {
  const { config } = input;
  const files = new Set(input.files.map((f) => f.replace(/^\.\//, '')));
  const notices: string[] = [];

  const missing = missingAppFile(config, files);
  if (missing) return { kind: 'no_app_file', message: missing };

  const traits = sdkTraits(config.sdk);
  const ownDockerfile = traits.image.kind === 'own-dockerfile';
  const sdkPackage = traits.image.kind === 'python-packages' ? traits.image.sdkPackage : undefined;
  const pythonSdk = sdkPackage !== undefined;
  const buildCommand = traits.appBuildCommand ? config.app_build_command : undefined;
  let pythonImage = '';
  let pythonVersion = '';
  if (!ownDockerfile) {
    const picked = pickPython(config.python_version, input.pythonImages, input.defaultPython ?? HUB_DEFAULT_PYTHON);
    if (picked.kind === 'error') return { kind: 'config_error', message: picked.message };
    // An app that resolves no packages (static's file server) runs on any Python: no notice about python_version for it.
    if (picked.notice && pythonSdk) notices.push(picked.notice);
    pythonImage = picked.image;
    pythonVersion = picked.version;
  }
  const cutoff = pythonSdk
    ? sdkDateCutoff(config.resolve_packages_at, packageCutoff(config.resolve_packages_at, input.dependenciesChangedAt, input.now ?? new Date()), input.sdkRelease)
    : undefined;

  const repoFiles: RepoFiles = {
    packagesTxt: files.has('packages.txt'),
    preRequirements: files.has('pre-requirements.txt'),
    requirements: files.has('requirements.txt'),
    packageJson: files.has('package.json'),
    packageLock: files.has('package-lock.json'),
  };
  const templateHash = hashTemplate(config.sdk);
  const templateInput: TemplateInput = {
    sdk: config.sdk,
    pythonImage,
    nodeImage: input.nodeImage ?? DEFAULT_BASE_IMAGES.node,
    appFile: config.app_file,
    files: repoFiles,
    ...(config.sdk_version !== undefined && pythonSdk ? { sdkVersion: config.sdk_version } : {}),
    ...(traits.readsAppPort ? { appPort: config.app_port } : {}),
    ...(buildCommand ? { buildCommand } : {}),
    ...(buildCommand && input.node ? { node: input.node } : {}),
    ...(buildCommand && input.npmRegistry ? { npmRegistry: input.npmRegistry } : {}),
    ...(buildCommand && input.staticOutput === 'files' ? { staticOutput: 'files' as const } : {}),
    ...(repoFiles.requirements && input.requirementsTxt !== undefined && hasLocalReferences(input.requirementsTxt)
      ? { localRequirements: true }
      : {}),
    ...(input.caBundleFileName ? { caBundleFile: `${SUPPORT_DIR}/${input.caBundleFileName}` } : {}),
    ...(config.hf_oauth ? { oauth: true } : {}),
    ...(cutoff?.cutoff ? { packageCutoff: cutoff.cutoff } : {}),
    ...(cutoff?.cutoff && cutoff.fallback ? { fallbackCutoff: cutoff.fallback } : {}),
    ...(pythonSdk && input.pipCacheId ? { pipCacheId: input.pipCacheId } : {}),
    ...(pythonSdk && input.uvCacheId ? { uvCacheId: input.uvCacheId } : {}),
    ...(pythonSdk && input.sdkLayerCacheId ? { sdkLayerCacheId: input.sdkLayerCacheId } : {}),
    ...(pythonSdk && input.pythonInstaller ? { pythonInstaller: input.pythonInstaller } : {}),
    labels: { ...input.labels, 'spaceport.sdk': config.sdk, 'spaceport.template': templateHash.slice(0, 12) },
  };
  if (sdkPackage !== undefined && config.sdk_version !== undefined && repoFiles.requirements && !templateInput.localRequirements && input.requirementsTxt !== undefined) {
    const { kept, dropped } = withoutSdkLines(input.requirementsTxt, sdkPackage);
    if (dropped.length > 0) {
      templateInput.requirementsWithoutSdk = kept;
      notices.push(
        `Notice: requirements.txt line(s) ${dropped.map((l) => JSON.stringify(l)).join(', ')} left out: sdk_version in README.md decides the ${config.sdk} version (${config.sdk_version}).`,
      );
    }
  }
  if (pythonSdk) {
    const sdk = config.sdk_version !== undefined ? `${config.sdk} ${config.sdk_version} (sdk_version)` : `${config.sdk}: the newest release ${cutoff?.cutoff ? `as of ${cutoff.cutoff}` : 'on PyPI'} (README.md names no sdk_version)`;
    notices.push(`Python ${pythonVersion} (${pythonImage}), ${sdk}, Python packages ${cutoff!.describe}.`);
  }
  const rendered = renderTemplate(templateInput);
  return {
    kind: 'ok',
    templateInput,
    dockerfile: rendered.dockerfile,
    extraFiles: rendered.extraFiles,
    port: rendered.port,
    templateHash,
    identity: identityOf(templateHash, rendered.dockerfile, rendered.extraFiles),
    ...(cutoff?.cutoff ? { packageCutoff: cutoff.cutoff } : {}),
    buildArgs: buildArgsFor(ownDockerfile ? input.variables : undefined, input.proxy),
    notices,
  };
}

function missingAppFile(config: SpaceConfig, files: Set<string>): string | undefined {
  const traits = sdkTraits(config.sdk);
  if (traits.image.kind === 'own-dockerfile') {
    if (files.has('Dockerfile')) return undefined;
    const templated = orList(sdksWhere((t) => t.image.kind !== 'own-dockerfile'));
    return `No Dockerfile at the root of the repo: "sdk: ${config.sdk}" builds your own Dockerfile. Add one, or use sdk: ${templated} in README.md.`;
  }
  if (traits.appBuildCommand && config.app_build_command) return undefined; // app_file is build output
  if (files.has(config.app_file)) return undefined;
  return `The app file "${config.app_file}" is not in the repo. Add it, or set "app_file" in README.md to your main file (default ${traits.defaultAppFile}).`;
}

/** sha256 of the template hash and what it rendered: a change to either is a new image. */
function identityOf(templateHash: string, dockerfile: string | undefined, extraFiles: Record<string, string>): string {
  const h = createHash('sha256').update(`${templateHash}\0${dockerfile ?? ''}\0`);
  for (const name of Object.keys(extraFiles).sort()) h.update(`${name}\0${extraFiles[name]}\0`);
  return h.digest('hex');
}

/** requirements.txt without the lines that name the SDK's own package (`gradio`, `gradio[oauth]>=4`, `Gradio == 4.0`). */
export function withoutSdkLines(requirements: string, sdkPackage: string): { kept: string; dropped: string[] } {
  const re = new RegExp(`^\\s*${sdkPackage}\\s*(\\[[^\\]]*\\])?\\s*([<>=!~;@]|$)`, 'i');
  const dropped: string[] = [];
  const kept = requirements
    .split(/\r?\n/)
    .filter((line) => {
      if (!re.test(line.replace(/(^|\s)#.*$/, ''))) return true;
      dropped.push(line.trim());
      return false;
    })
    .join('\n');
  return { kept, dropped };
}

/** `-e .`, `-r other.txt`, `./pkg`, `file:`: requirements that need the repo's files. */
export function hasLocalReferences(requirements: string): boolean {
  const local = [
    /^(-e|--editable)\s*=?\s*(\.|\/)/, // -e . / -e ./pkg
    /^(-r|--requirement|-c|--constraint)\s*=?\s*(?!https?:)\S/, // another file in the repo
    /^(\.|\.\.)(\/|$)|^\//, // ./pkg, ../pkg, /abs
    /(^|@\s*)file:/, // file: URLs
  ];
  return requirements
    .split(/\r?\n/)
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .some((l) => local.some((re) => re.test(l)));
}

function buildArgsFor(variables: Readonly<Record<string, string>> | undefined, proxy: BuildProxy | undefined): Record<string, string> {
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries(variables ?? {})) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) args[k] = v;
  const set = (names: string[], value: string | undefined) => {
    if (value) for (const n of names) args[n] = value;
  };
  set(['HTTP_PROXY', 'http_proxy'], proxy?.http);
  set(['HTTPS_PROXY', 'https_proxy'], proxy?.https);
  set(['NO_PROXY', 'no_proxy'], proxy?.noProxy);
  return args;
}
