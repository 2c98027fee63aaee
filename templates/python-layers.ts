import { APP_DIR, APP_HOME, APP_UID, CODE_DIR, SUPPORT_DIR, type TemplateInput } from './template-input.js';
import { execForm, shellQuote } from './dockerfile-syntax.js';
import { VENV_DIR, cacheDirsCommand, cacheScopeLines, installRun, installerOf, sdkLayerCutoff, sdkLayerRun, sdkLayerScopeLines, sharesSdkLayer, venvCommand, warmImport } from './install-commands.js';

export { VENV_DIR };

/** Where the build's CA bundle is copied in the image; pip, requests, OpenSSL and Node read it. */
export const IMAGE_CA_PATH = '/etc/spaceport/ca-bundle.crt';
const STAGING = '/tmp/spaceport';
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** FROM, the app user and the CA bundle: the layers every template shares. Leaves USER root. */
export function baseLayers(opts: { image: string; caBundleFile?: string; venv: boolean; stage?: string }): string[] {
  const path = opts.venv ? `${VENV_DIR}/bin:${APP_HOME}/.local/bin:${SYSTEM_PATH}` : `${APP_HOME}/.local/bin:${SYSTEM_PATH}`;
  const lines = [
    `FROM ${opts.image}${opts.stage ? ` AS ${opts.stage}` : ''}`,
    'USER root',
    `ENV HOME=${APP_HOME} \\`,
    `    PATH=${path} \\`,
    '    LANG=C.UTF-8 \\',
    '    PYTHONUNBUFFERED=1 \\',
    // Python SDKs keep pip's cache in a cache mount instead (see install-commands.ts).
    ...(opts.venv ? [] : ['    PIP_NO_CACHE_DIR=1 \\']),
    '    PIP_DISABLE_PIP_VERSION_CHECK=1 \\',
    '    DEBIAN_FRONTEND=noninteractive',
  ];
  if (opts.caBundleFile) {
    lines.push(
      `COPY ${opts.caBundleFile} ${IMAGE_CA_PATH}`,
      `ENV PIP_CERT=${IMAGE_CA_PATH} \\`,
      `    REQUESTS_CA_BUNDLE=${IMAGE_CA_PATH} \\`,
      `    SSL_CERT_FILE=${IMAGE_CA_PATH} \\`,
      `    NODE_EXTRA_CA_CERTS=${IMAGE_CA_PATH} \\`,
      `    NPM_CONFIG_CAFILE=${IMAGE_CA_PATH}`,
    );
  }
  lines.push(
    `RUN useradd --create-home --uid ${APP_UID} --shell /bin/bash user \\`,
    `    && install -d -o ${APP_UID} -g ${APP_UID} ${APP_DIR}`,
  );
  return lines;
}

/** `packages.txt`: one Debian package per line (comments and blank lines ignored), as root. */
export function aptLayers(input: TemplateInput): string[] {
  if (!input.files.packagesTxt) return [];
  return [
    `COPY ${CODE_DIR}/packages.txt ${STAGING}/packages.txt`,
    'RUN apt-get update \\',
    `    && sed -e 's/#.*//' ${STAGING}/packages.txt | xargs -r apt-get install -y --no-install-recommends \\`,
    '    && rm -rf /var/lib/apt/lists/*',
  ];
}

/**
 * Switch to the app user, make the venv with a pip that knows `--uploaded-prior-to`, and install
 * `pre-requirements.txt`. The owner's cache scope comes before the first step that mounts the
 * owner's cache: pip's venv step; with uv, the step after the venv (which mounts no cache, so every
 * owner shares it), or, when the SDK layer is the install's ({@link sharesSdkLayer}), the install's
 * scope there and the owner's after the SDK layer ({@link sdkAndCodeLayers}).
 */
export function venvLayers(input: TemplateInput): string[] {
  const scope = sharesSdkLayer(input) ? sdkLayerScopeLines(input) : cacheScopeLines(input);
  const venv = installerOf(input) === 'uv' ? [venvCommand(input), ...scope] : [...scope, venvCommand(input)];
  const lines = [`USER ${APP_UID}`, `WORKDIR ${APP_DIR}`, cacheDirsCommand(input), ...venv];
  if (input.files.preRequirements) {
    lines.push(
      `COPY --chown=${APP_UID}:${APP_UID} ${CODE_DIR}/pre-requirements.txt ${STAGING}/pre-requirements.txt`,
      // uv: at the SDK layer's cutoff (the day, or the SDK date without the commit-date retry), so a
      // requirements change, which moves the commit's cutoff, keeps this layer and the SDK layer above it.
      installRun(installerOf(input) === 'uv' ? { ...input, packageCutoff: sdkLayerCutoff(input), fallbackCutoff: undefined } : input, `-r ${STAGING}/pre-requirements.txt`),
    );
  }
  return lines;
}

/**
 * The SDK and `requirements.txt` resolved in ONE install run (pip or uv) (as the Hub does): two
 * separate resolutions let the second undo what the first installed (a `typer-slim` pin uninstalling
 * `typer` under Gradio). `packages` are the SDK spec and its companions (`spaces`); `warm` the Python the build runs once after a uv install so the
 * image has the .pyc files of the app's start (default `import {sdkName}`; pip compiles every file it installs); a requirements
 * line naming the SDK is left out when the plan gave `requirementsWithoutSdk` (the README's
 * sdk_version decides). Then a line in the build log with the Python and SDK versions installed.
 *
 * uv with a cutoff: first the SDK alone in a layer a requirements change does not touch
 * ({@link sdkLayerRun}; also without requirements.txt, so that adding one later keeps it; one for
 * every owner of the install where nothing of the Space comes before it), then the
 * requirements step installs SDK, companions and requirements.txt (if any)
 * together with `--upgrade`: uv resolves them as if nothing were installed (the same set one
 * `uv pip install` of all together gives) and changes only the packages whose version differs, so a
 * changed requirements.txt installs and exports only what changed. With a pre-requirements.txt it
 * runs without `--upgrade` (its packages stay where they fit, as on the Hub, where pip installs
 * requirements.txt over them): installed versions are then uv's first choice, the SDK layer's
 * included. Requirements that refer to local
 * paths are installed after the code is copied; otherwise the code comes last, so a code-only change
 * reuses every layer.
 */
export function sdkAndCodeLayers(input: TemplateInput, packages: readonly string[], sdkName: string, warm = `import ${sdkName}`): string[] {
  const pkgs = packages.map(shellQuote).join(' ');
  const copyCode = `COPY --chown=${APP_UID}:${APP_UID} ${CODE_DIR}/ ${APP_DIR}/`;
  const report = `python -c ${shellQuote(`import sys, importlib.metadata as m; print("Spaceport: installed Python %s, ${sdkName} %s" % (sys.version.split()[0], m.version("${sdkName}")))`)}`;
  const uv = installerOf(input) === 'uv';
  const then = uv ? `${report} && ${warmImport(warm, sdkName)}` : report;
  // Not with pre-requirements.txt: what it installed stays where it fits, as pip's second run keeps it on the Hub.
  const upgrade = uv && !input.files.preRequirements;
  // uv with a cutoff: the SDK layer always (with requirements.txt or not: its first addition then keeps the layer).
  // Shared by every owner of the install (nothing of the Space before it): the owner's scope follows it.
  const sdkLayer = uv && input.packageCutoff ? [sdkLayerRun(input, pkgs, sdkName, warm), ...(sharesSdkLayer(input) ? cacheScopeLines(input) : [])] : [];
  const install = (reqs?: string) => installRun(input, `${reqs ? `-r ${reqs} ` : ''}${pkgs}`, then, { upgrade: upgrade && sdkLayer.length > 0 });
  if (!input.files.requirements) return [...sdkLayer, install(), copyCode];
  if (input.localRequirements) return [...sdkLayer, copyCode, install('requirements.txt')];
  const source = input.requirementsWithoutSdk !== undefined ? `${SUPPORT_DIR}/requirements.txt` : `${CODE_DIR}/requirements.txt`;
  return [...sdkLayer, `COPY --chown=${APP_UID}:${APP_UID} ${source} ${STAGING}/requirements.txt`, install(`${STAGING}/requirements.txt`), copyCode];
}

/** The support files the Python layers add to the build context. */
export function pythonExtraFiles(input: TemplateInput): Record<string, string> {
  if (!input.files.requirements || input.localRequirements || input.requirementsWithoutSdk === undefined) return {};
  return { [`${SUPPORT_DIR}/requirements.txt`]: input.requirementsWithoutSdk };
}

export function cmdLine(argv: readonly string[]): string {
  return `CMD ${execForm(argv)}`;
}
