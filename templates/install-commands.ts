import { createHash } from 'node:crypto';
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

/**
 * The line a build log gets when an install resolved as of the SDK release's date (plus its window)
 * failed (no solution, a package or version missing at that date) and is tried once more as of the
 * commit date (issue 19). The installer's error is printed just above it.
 */
export function cutoffFallbackNotice(first: string, second: string): string {
  return `Spaceport: these packages could not be installed as of ${first} (the date of the pinned SDK release plus its window; the error is above); installing them as of ${second}, the date of the last commit that changed the dependency files, instead.`;
}
/** The SDK layer's line when it could not install the SDK at its cutoff: the next layer installs everything. */
export const SDK_LAYER_NOTICE = 'Spaceport: the SDK layer could not install the SDK at its date; the requirements step installs it with everything else.';

const ID_RE = /^[A-Za-z0-9._-]{1,128}$/;

export function installerOf(input: TemplateInput): PythonInstaller {
  return input.pythonInstaller ?? 'pip';
}

function cacheMount(id: string | undefined, fallbackId: string, target: string): string {
  const safe = id !== undefined && ID_RE.test(id) ? id : fallbackId;
  return `--mount=type=cache,id=${safe},target=${target},uid=${APP_UID},gid=${APP_UID}`;
}

/** The build arg that scopes every later step to the owner of the cache mounts (see {@link cacheScopeLines}). */
export const CACHE_SCOPE_ARG = 'SPACEPORT_CACHE_SCOPE';

/**
 * `ARG SPACEPORT_CACHE_SCOPE=<digest of the owner's cache ids>`, placed before the first `RUN` that
 * mounts an owner's cache: from there on every step's BuildKit cache key names the owner. BuildKit
 * before 0.12 (Docker 20.10 to 24) leaves a `RUN`'s mounts, cache ids included, out of its cache key
 * (`cloneExecOp` dropped them): without this line a Space of another owner with the same SDK, cutoff
 * and requirements got this owner's layers as CACHED, built from this owner's cache, which this
 * owner's own code can write (docs/security.md). The value is a digest of the ids, never an id (image
 * history shows build args); no cache ids (the shared fallback ids), no line.
 */
export function cacheScopeLines(input: TemplateInput): string[] {
  const ids = [input.uvCacheId, input.pipCacheId].filter((id): id is string => id !== undefined && ID_RE.test(id));
  if (ids.length === 0) return [];
  const scope = createHash('sha256').update(`spaceport-cache-scope\0${ids.join('\0')}`).digest('hex').slice(0, 32);
  return [`ARG ${CACHE_SCOPE_ARG}=${scope}`];
}

/** The build arg that scopes the install's shared SDK layer to this install (see {@link sdkLayerScopeLines}). */
export const SDK_LAYER_SCOPE_ARG = 'SPACEPORT_SDK_LAYER_SCOPE';

/**
 * Whether the SDK layer is the install's, one for every owner: uv with a cutoff, the install's SDK
 * layer cache id, and nothing of the Space before the layer (no packages.txt, no
 * pre-requirements.txt: their steps would come first, and the layer would then run the SDK's import
 * over what the owner chose). The layer installs the SDK from the index at its date and sees no file
 * of the Space, so its content depends on the SDK, its version and that date alone; the owner's cache
 * scope comes after it. A new owner's first Space then takes it from BuildKit's cache when any
 * Space of this install used the same SDK pin before.
 */
export function sharesSdkLayer(input: TemplateInput): boolean {
  const id = input.sdkLayerCacheId;
  return installerOf(input) === 'uv' && !!input.packageCutoff && id !== undefined && ID_RE.test(id) && !input.files.preRequirements && !input.files.packagesTxt;
}

/**
 * `ARG SPACEPORT_SDK_LAYER_SCOPE=<digest of the install's SDK layer cache id>` before a shared SDK
 * layer: the layer is shared by the owners of one install, never with another install on the same
 * engine (BuildKit 0.13+ keys a RUN without its cache mounts' ids), whose cache it was not built from.
 */
export function sdkLayerScopeLines(input: TemplateInput): string[] {
  if (!sharesSdkLayer(input)) return [];
  const scope = createHash('sha256').update(`spaceport-sdk-layer-scope\0${input.sdkLayerCacheId}`).digest('hex').slice(0, 32);
  return [`ARG ${SDK_LAYER_SCOPE_ARG}=${scope}`];
}

const pipMount = (input: TemplateInput) => cacheMount(input.pipCacheId, 'spaceport-pip', PIP_CACHE_DIR);
const uvMount = (input: TemplateInput) => cacheMount(input.uvCacheId, 'spaceport-uv', UV_CACHE_DIR);

/** `RUN` with pip's cache mounted (per owner when `pipCacheId` is set), so a requirements change downloads only what changed. */
export function pipRun(input: TemplateInput, command: string): string {
  return `RUN ${pipMount(input)} ${command}`;
}

/** How one install command runs: its cutoff (default the input's) and whether it re-resolves what is installed. */
interface InstallMode {
  cutoff?: string | undefined;
  /** Resolve as if nothing were installed, then change only what differs (the requirements layer over the SDK layer). */
  upgrade?: boolean;
}

const cutoffOf = (input: TemplateInput, mode: InstallMode) => ('cutoff' in mode ? mode.cutoff : input.packageCutoff);

/** `pip install` with the resolution cutoff, when there is one. */
export function pipInstall(input: TemplateInput, mode: InstallMode = {}): string {
  const cutoff = cutoffOf(input, mode);
  const upgrade = mode.upgrade ? ' --upgrade --upgrade-strategy eager' : '';
  return `pip install${upgrade}${cutoff ? ` --uploaded-prior-to ${shellQuote(cutoff)}` : ''}`;
}

/**
 * `uv pip install` as close to pip as uv gets: into the venv, every index consulted for every
 * package as pip does (`--index-strategy unsafe-best-match`: a torch index URL next to PyPI picks
 * the best version across both), resolved as of the cutoff (`--exclude-newer`). Not
 * `--compile-bytecode`: compiling every installed file took longer than downloading and installing
 * them together (docs/benchmarks.md); {@link warmImport} compiles what the app's start imports.
 */
export function uvInstall(input: TemplateInput, mode: InstallMode = {}): string {
  const at = cutoffOf(input, mode);
  const cutoff = at ? ` --exclude-newer ${shellQuote(at)}` : '';
  return `uv pip install --python ${VENV_DIR}/bin/python --index-strategy unsafe-best-match${mode.upgrade ? ' --upgrade' : ''}${cutoff}`;
}

/**
 * Run `python` once in the build, so the image carries the .pyc files of what the app's start
 * imports (a container starts from the image's files on every wake: without them each start would
 * compile them again). `python` is the SDK's own warm start: `import {sdk}`, or more where the start
 * of an app imports more than the SDK's import does (gradio: `templates/gradio/warm-start.ts`).
 * Never fails the build: an app that cannot import its SDK fails at start, as on the Hub, with its own error.
 */
export function warmImport(python: string, module: string): string {
  // Skipped when the module's own .pyc is there already (the SDK layer warmed this very install).
  const compiled = `import importlib.util as u, os, sys; s = u.find_spec("${module}"); sys.exit(0 if s and s.origin and os.path.exists(u.cache_from_source(s.origin)) else 1)`;
  return `{ python -c ${shellQuote(compiled)} 2>/dev/null || timeout 300 python -c ${shellQuote(python)} >/dev/null 2>&1 || true; }`;
}

/**
 * `install` at the cutoff, then, when the cutoff is the SDK release's date and that failed, once
 * more as of the commit date (`fallbackCutoff`) after a line saying so. That second try keeps what
 * is installed where it fits (no `--upgrade`): the SDK layer's packages of the SDK's date stay
 * unless requirements.txt needs newer ones (an old Gradio keeps the huggingface_hub it imports).
 */
function withCutoffFallback(input: TemplateInput, upgrade: boolean, install: (mode: InstallMode) => string): string {
  const first = install({ cutoff: input.packageCutoff, upgrade });
  if (!input.fallbackCutoff || !input.packageCutoff) return first;
  const notice = cutoffFallbackNotice(input.packageCutoff, input.fallbackCutoff);
  return `${first} || { echo ${shellQuote(notice)}; ${install({ cutoff: input.fallbackCutoff })}; }`;
}

/**
 * One `RUN` that installs `args` (`-r file 'pkg==1'`) with the Space's installer, then runs `then`
 * when given. uv: uv's and pip's caches mounted; when uv fails, a notice, then pip with the same
 * arguments and cutoff.
 */
export function installRun(input: TemplateInput, args: string, then?: string, opts: { upgrade?: boolean } = {}): string {
  const after = then ? ` && ${then}` : '';
  const upgrade = opts.upgrade === true;
  const pip = withCutoffFallback(input, upgrade, (mode) => `${pipInstall(input, mode)} ${args}`);
  if (installerOf(input) === 'pip') return pipRun(input, `${pip}${after}`);
  const uv = withCutoffFallback(input, upgrade, (mode) => `${uvInstall(input, mode)} ${args}`);
  return `RUN ${uvMount(input)} ${pipMount(input)} ${uv} || { echo ${shellQuote(UV_FALLBACK_NOTICE)}; ${pip}; }${after}`;
}

/**
 * The cutoff of the SDK layer: one that a requirements change does not move, so the layer stays a
 * BuildKit hit. The SDK release's date when packages resolve at it; else the cutoff's day (00:00
 * UTC): every dependency change of that day, and every Space of the owner with the same SDK pin that
 * day, reuses the layer. What it picks is only a head start: the requirements step re-resolves
 * everything at the real cutoff.
 */
export function sdkLayerCutoff(input: TemplateInput): string | undefined {
  if (!input.packageCutoff || input.fallbackCutoff) return input.packageCutoff;
  return `${input.packageCutoff.slice(0, 10)}T00:00:00+00:00`;
}

/**
 * uv mode, a Space with requirements.txt: the SDK (and its companions, `args`) in a layer of their
 * own, which sees none of the Space's files (it runs no code of the Space), then its import for the
 * .pyc files. Never fails the build: when the SDK cannot be installed at this layer's cutoff (a
 * release of the same day), {@link SDK_LAYER_NOTICE} and the requirements step installs it.
 */
export function sdkLayerRun(input: TemplateInput, args: string, module: string, warm = `import ${module}`): string {
  const install = `${uvInstall(input, { cutoff: sdkLayerCutoff(input) })} ${args}`;
  // The install's SDK layer cache when the layer is shared by every owner; else the owner's.
  const mount = sharesSdkLayer(input) ? cacheMount(input.sdkLayerCacheId, 'spaceport-uv', UV_CACHE_DIR) : uvMount(input);
  return `RUN ${mount} { ${install} || echo ${shellQuote(SDK_LAYER_NOTICE)}; } && ${warmImport(warm, module)}`;
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
