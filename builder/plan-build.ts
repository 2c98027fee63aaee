import {
  SUPPORT_DIR,
  renderTemplate,
  templateHash as hashTemplate,
  type NodeToolchain,
  type RepoFiles,
  type TemplateInput,
} from '../templates/index.js';
import { DEFAULT_BASE_IMAGES } from './base-image-specs.js';
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
  /** Python base image per python_version, e.g. `{ "3.11": "spaceport/python:3.11" }`. */
  pythonImages: Readonly<Record<string, string>>;
  defaultPython: string;
  nodeImage?: string;
  /** static with app_build_command: the Node.js chosen for the build (else Debian's, `nodeImage`). */
  node?: NodeToolchain;
  /** npm registry for static builds' npm (an operator's mirror); npm's default when absent. */
  npmRegistry?: string;
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

  let pythonImage = '';
  if (config.sdk !== 'docker') {
    const picked = pickPython(config.python_version, input.pythonImages, input.defaultPython);
    if (picked.kind === 'error') return { kind: 'config_error', message: picked.message };
    if (picked.notice) notices.push(picked.notice);
    pythonImage = picked.image;
  }

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
    ...(config.sdk_version !== undefined && (config.sdk === 'gradio' || config.sdk === 'streamlit')
      ? { sdkVersion: config.sdk_version }
      : {}),
    ...(config.sdk === 'docker' ? { appPort: config.app_port } : {}),
    ...(config.sdk === 'static' && config.app_build_command ? { buildCommand: config.app_build_command } : {}),
    ...(config.sdk === 'static' && config.app_build_command && input.node ? { node: input.node } : {}),
    ...(config.sdk === 'static' && config.app_build_command && input.npmRegistry ? { npmRegistry: input.npmRegistry } : {}),
    ...(repoFiles.requirements && input.requirementsTxt !== undefined && hasLocalReferences(input.requirementsTxt)
      ? { localRequirements: true }
      : {}),
    ...(input.caBundleFileName ? { caBundleFile: `${SUPPORT_DIR}/${input.caBundleFileName}` } : {}),
    ...(config.hf_oauth ? { oauth: true } : {}),
    labels: { ...input.labels, 'spaceport.sdk': config.sdk, 'spaceport.template': templateHash.slice(0, 12) },
  };
  const rendered = renderTemplate(templateInput);
  return {
    kind: 'ok',
    templateInput,
    dockerfile: rendered.dockerfile,
    extraFiles: rendered.extraFiles,
    port: rendered.port,
    templateHash,
    buildArgs: buildArgsFor(config.sdk === 'docker' ? input.variables : undefined, input.proxy),
    notices,
  };
}

function missingAppFile(config: SpaceConfig, files: Set<string>): string | undefined {
  if (config.sdk === 'docker') {
    if (files.has('Dockerfile')) return undefined;
    return 'No Dockerfile at the root of the repo: "sdk: docker" builds your own Dockerfile. Add one, or use sdk: gradio, streamlit or static in README.md.';
  }
  if (config.sdk === 'static' && config.app_build_command) return undefined; // app_file is build output
  if (files.has(config.app_file)) return undefined;
  const setting = config.sdk === 'static' ? 'index.html' : 'app.py';
  return `The app file "${config.app_file}" is not in the repo. Add it, or set "app_file" in README.md to your main file (default ${setting}).`;
}

type PythonPick = { kind: 'ok'; image: string; notice?: string } | { kind: 'error'; message: string };

function pickPython(wanted: string | undefined, images: Readonly<Record<string, string>>, fallback: string): PythonPick {
  if (wanted !== undefined) {
    const minor = wanted.split('.').slice(0, 2).join('.');
    const exact = images[wanted] ?? images[minor];
    if (exact) return { kind: 'ok', image: exact };
  }
  const image = images[fallback];
  if (!image) {
    return {
      kind: 'error',
      message: `No Python base image for the default Python ${fallback}: the operator must add it to SPACEPORT_PYTHON_IMAGES.`,
    };
  }
  if (wanted === undefined) return { kind: 'ok', image };
  const available = Object.keys(images).sort().join(', ');
  return {
    kind: 'ok',
    image,
    notice: `python_version ${wanted} is not available here (available: ${available}); building with Python ${fallback} (${image}).`,
  };
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
