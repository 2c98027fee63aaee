import { createHash } from 'node:crypto';
import { render as renderDocker, DOCKER_TEMPLATE_VERSION } from './docker/render.js';
import { render as renderGradio, GRADIO_TEMPLATE_VERSION } from './gradio/render.js';
import { render as renderStatic, STATIC_DATA_FILES, STATIC_TEMPLATE_VERSION } from './static/render.js';
import { render as renderStreamlit, STREAMLIT_TEMPLATE_VERSION } from './streamlit/render.js';
import { readTemplateData } from './template-data.js';
import type { RenderedTemplate, Sdk, TemplateInput } from './template-input.js';

export * from './template-input.js';
export { SDK_TRAITS, appPortFor, orList, sdkTraits, sdksWhere, type SdkImage, type SdkTraits } from './sdk-traits.js';
export { IMAGE_CA_PATH, VENV_DIR } from './python-layers.js';
export { PIP_CACHE_PREFIX, UV_CACHE_PREFIX, cacheMountIds, packageCacheIdsFor, pipCacheIdFor, sdkLayerCacheIdFor, type PackageCacheIds } from './cache-ids.js';
export { PIP_VERSION, SDK_LAYER_NOTICE, UV_FALLBACK_NOTICE, UV_VERSION, cutoffFallbackNotice } from './install-commands.js';

/** Bump to give every template a new image identity (e.g. after a change to the shared layers). */
export const TEMPLATES_VERSION = 1;

interface TemplateEntry {
  render: (input: TemplateInput) => RenderedTemplate;
  version: number;
  dataFiles: readonly string[];
}

const TEMPLATES: Readonly<Record<Sdk, TemplateEntry>> = {
  gradio: { render: renderGradio, version: GRADIO_TEMPLATE_VERSION, dataFiles: [] },
  streamlit: { render: renderStreamlit, version: STREAMLIT_TEMPLATE_VERSION, dataFiles: [] },
  static: { render: renderStatic, version: STATIC_TEMPLATE_VERSION, dataFiles: STATIC_DATA_FILES },
  docker: { render: renderDocker, version: DOCKER_TEMPLATE_VERSION, dataFiles: [] },
};

/** Render the Dockerfile, extra context files and port for a Space. Pure apart from reading the template's data files. */
export function renderTemplate(input: TemplateInput): RenderedTemplate {
  return TEMPLATES[input.sdk].render(input);
}

const hashes = new Map<Sdk, string>();

/**
 * A hex digest identifying the template: its version constants, its data files, and what it renders
 * for a fixed set of inputs covering its branches. Any change to a template's output gives a new
 * hash, hence a new image identity, whether the code runs from source or compiled.
 */
export function templateHash(sdk: Sdk): string {
  const hit = hashes.get(sdk);
  if (hit) return hit;
  const t = TEMPLATES[sdk];
  const h = createHash('sha256');
  h.update(`spaceport-templates:${TEMPLATES_VERSION}\0${sdk}:${t.version}\0`);
  for (const file of t.dataFiles) h.update(`${file}\0${readTemplateData(file)}\0`);
  for (const input of fingerprintInputs(sdk)) h.update(`${JSON.stringify(t.render(input))}\0`);
  const digest = h.digest('hex');
  hashes.set(sdk, digest);
  return digest;
}

function fingerprintInputs(sdk: Sdk): TemplateInput[] {
  const none = { packagesTxt: false, preRequirements: false, requirements: false, packageJson: false, packageLock: false };
  const all = { packagesTxt: true, preRequirements: true, requirements: true, packageJson: true, packageLock: true };
  const base: TemplateInput = { sdk, pythonImage: 'P', nodeImage: 'N', appFile: 'app.py', files: none };
  return [
    base,
    { ...base, files: all, sdkVersion: '1.0', caBundleFile: 'CA', oauth: true, labels: { k: 'v' }, appPort: 1 },
    { ...base, files: all, pythonInstaller: 'uv', packageCutoff: 'C', pipCacheId: 'p', uvCacheId: 'u' },
    { ...base, files: all, pythonInstaller: 'uv', packageCutoff: 'C', fallbackCutoff: 'D' },
    { ...base, files: all, localRequirements: true, buildCommand: 'B', appFile: 'dist/index.html' },
    { ...base, files: { ...all, packageLock: false }, buildCommand: 'B', appFile: 'index.html' },
    { ...base, files: all, buildCommand: 'B', appFile: 'dist/index.html', node: { image: 'NI', version: 'NV', npm: 'NPM' }, npmRegistry: 'R' },
  ];
}
