import { APP_DIR, APP_HOME, APP_UID, CODE_DIR, type TemplateInput } from './template-input.js';
import { execForm, shellQuote } from './dockerfile-syntax.js';

/** Where the build's CA bundle is copied in the image; pip, requests, OpenSSL and Node read it. */
export const IMAGE_CA_PATH = '/etc/spaceport/ca-bundle.crt';
export const VENV_DIR = `${APP_HOME}/.venv`;
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
    '    PIP_NO_CACHE_DIR=1 \\',
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

/** Switch to the app user, make the venv and install `pre-requirements.txt`. */
export function venvLayers(input: TemplateInput): string[] {
  const lines = [`USER ${APP_UID}`, `WORKDIR ${APP_DIR}`, `RUN python3 -m venv ${VENV_DIR}`];
  if (input.files.preRequirements) {
    lines.push(
      `COPY --chown=${APP_UID}:${APP_UID} ${CODE_DIR}/pre-requirements.txt ${STAGING}/pre-requirements.txt`,
      `RUN pip install -r ${STAGING}/pre-requirements.txt`,
    );
  }
  return lines;
}

/**
 * The SDK, then `requirements.txt`, then the SDK again: the README's `sdk_version` wins over a pin in
 * requirements.txt (as on the Hub), and a requirements change does not reinstall the SDK layer.
 * Requirements that refer to local paths are installed after the code is copied.
 */
export function sdkAndCodeLayers(input: TemplateInput, sdkSpec: string): string[] {
  const sdk = shellQuote(sdkSpec);
  const copyCode = `COPY --chown=${APP_UID}:${APP_UID} ${CODE_DIR}/ ${APP_DIR}/`;
  const lines = [`RUN pip install ${sdk}`];
  if (!input.files.requirements) return [...lines, copyCode];
  if (input.localRequirements) {
    return [...lines, copyCode, `RUN pip install -r requirements.txt && pip install ${sdk}`];
  }
  return [
    ...lines,
    `COPY --chown=${APP_UID}:${APP_UID} ${CODE_DIR}/requirements.txt ${STAGING}/requirements.txt`,
    `RUN pip install -r ${STAGING}/requirements.txt && pip install ${sdk}`,
    copyCode,
  ];
}

export function cmdLine(argv: readonly string[]): string {
  return `CMD ${execForm(argv)}`;
}
