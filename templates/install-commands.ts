import { APP_HOME, APP_UID, type PythonInstaller, type TemplateInput } from './template-input.js';
import { shellQuote } from './dockerfile-syntax.js';

export const VENV_DIR = `${APP_HOME}/.venv`;
/** pip in every venv: 26 has `--uploaded-prior-to`; 26.0.1 is the newest that still runs on Python 3.9. */
export const PIP_VERSION = '26.0.1';
/** pip's cache in the app user's home, a BuildKit cache mount (never part of a layer). */
export const PIP_CACHE_DIR = `${APP_HOME}/.cache/pip`;
/** uv (PyPI package `uv`, one static binary): the version the templates install when the base image lacks it. */
export const UV_VERSION = '0.13.9';
/** uv's cache, a BuildKit cache mount like pip's. */
export const UV_CACHE_DIR = `${APP_HOME}/.cache/uv`;
/**
 * The line a build log gets when uv failed and pip takes over. uv's own error is printed just above
 * it (uv refuses some things pip accepts, like `--config-settings` lines in requirements.txt).
 */
export const UV_FALLBACK_NOTICE = 'Spaceport: uv could not install these requirements (its error is above); installing them with pip instead, resolved as of the same date.';

const ID_RE = /^[A-Za-z0-9._-]{1,128}$/;

export function installerOf(input: TemplateInput): PythonInstaller {
  return input.pythonInstaller ?? 'pip';
}

function cacheMount(id: string | undefined, fallbackId: string, target: string): string {
  const safe = id !== undefined && ID_RE.test(id) ? id : fallbackId;
  return `--mount=type=cache,id=${safe},target=${target},uid=${APP_UID},gid=${APP_UID}`;
}

const pipMount = (input: TemplateInput) => cacheMount(input.pipCacheId, 'spaceport-pip', PIP_CACHE_DIR);
const uvMount = (input: TemplateInput) => cacheMount(input.uvCacheId, 'spaceport-uv', UV_CACHE_DIR);

/** `RUN` with pip's cache mounted (per owner when `pipCacheId` is set), so a requirements change downloads only what changed. */
export function pipRun(input: TemplateInput, command: string): string {
  return `RUN ${pipMount(input)} ${command}`;
}

/** `pip install` with the resolution cutoff, when there is one. */
export function pipInstall(input: TemplateInput): string {
  return input.packageCutoff ? `pip install --uploaded-prior-to ${shellQuote(input.packageCutoff)}` : 'pip install';
}

/**
 * `uv pip install` as close to pip as uv gets: into the venv, every index consulted for every
 * package as pip does (`--index-strategy unsafe-best-match`: a torch index URL next to PyPI picks
 * the best version across both), resolved as of the cutoff (`--exclude-newer`). Not
 * `--compile-bytecode`: compiling every installed file took longer than downloading and installing
 * them together (docs/benchmarks.md); {@link warmImport} compiles what the app's start imports.
 */
export function uvInstall(input: TemplateInput): string {
  const cutoff = input.packageCutoff ? ` --exclude-newer ${shellQuote(input.packageCutoff)}` : '';
  return `uv pip install --python ${VENV_DIR}/bin/python --index-strategy unsafe-best-match${cutoff}`;
}

/**
 * Run `python` once in the build, so the image carries the .pyc files of what the app's start
 * imports (a container starts from the image's files on every wake: without them each start would
 * compile them again). `python` is the SDK's own warm start: `import {sdk}`, or more where the start
 * of an app imports more than the SDK's import does (gradio: `templates/gradio/warm-start.ts`).
 * Never fails the build: an app that cannot import its SDK fails at start, as on the Hub, with its own error.
 */
export function warmImport(python: string): string {
  return `{ timeout 300 python -c ${shellQuote(python)} >/dev/null 2>&1 || true; }`;
}

/**
 * One `RUN` that installs `args` (`-r file 'pkg==1'`) with the Space's installer, then runs `then`
 * when given. uv: uv's and pip's caches mounted; when uv fails, a notice, then pip with the same
 * arguments and cutoff.
 */
export function installRun(input: TemplateInput, args: string, then?: string): string {
  const after = then ? ` && ${then}` : '';
  if (installerOf(input) === 'pip') return pipRun(input, `${pipInstall(input)} ${args}${after}`);
  const fallback = `{ echo ${shellQuote(UV_FALLBACK_NOTICE)}; ${pipInstall(input)} ${args}; }`;
  return `RUN ${uvMount(input)} ${pipMount(input)} ${uvInstall(input)} ${args} || ${fallback}${after}`;
}

/**
 * uv mode, as root: uv from the base image when it carries this version (`spaceport/python:*` do),
 * else from PyPI. The layer names nothing of the Space, so every Space on the same base image shares it.
 */
export function uvToolLayers(input: TemplateInput): string[] {
  if (installerOf(input) !== 'uv') return [];
  const version = shellQuote(UV_VERSION);
  return [
    // Copies, not hard links: the cache mount and the image are different file systems. No managed Pythons.
    'ENV UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never',
    `RUN [ "$(uv --version 2>/dev/null | cut -d' ' -f2)" = ${version} ] \\`,
    `    || PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir --disable-pip-version-check ${shellQuote(`uv==${UV_VERSION}`)}`,
  ];
}

/**
 * The venv, with a pip that knows `--uploaded-prior-to` (Spaces call pip at run time; uv's fallback
 * needs it). uv mode: uv installs pip without a cache mount, so the layer is the same for every owner.
 */
export function venvCommand(input: TemplateInput): string {
  const pip = shellQuote(`pip==${PIP_VERSION}`);
  if (installerOf(input) === 'uv') return `RUN python3 -m venv ${VENV_DIR} && uv pip install --no-cache --python ${VENV_DIR}/bin/python ${pip}`;
  return pipRun(input, `python3 -m venv ${VENV_DIR} && pip install ${pip}`);
}

/** The caches' directories, made by the app user before a cache mount would make them root's. */
export function cacheDirsCommand(input: TemplateInput): string {
  return installerOf(input) === 'uv' ? `RUN mkdir -p ${PIP_CACHE_DIR} ${UV_CACHE_DIR}` : `RUN mkdir -p ${PIP_CACHE_DIR}`;
}
