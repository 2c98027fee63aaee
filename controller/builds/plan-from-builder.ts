import { type SdkRelease, type SdkReleaseDates, CA_BUNDLE_FILE_NAME, DEFAULT_BASE_IMAGES, imageRefFor, nodeVersionRequest, parseSpaceConfig, planBuild, pythonImagesWith, type NodeDist } from '../../builder/index.js';
import { isSpaceportError, type Config } from '../../core/index.js';
import type { PlanRelease } from './release-plan.js';
import { packageCacheIdsFor, sdkLayerCacheIdFor, sdkTraits, type PythonInstaller } from '../../templates/index.js';
import { loadBuildCacheKey } from './build-cache-key.js';

const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org/';

export interface PlanFromBuilderOptions {
  /** Node.js releases from the npm registry for static builds; without it, Debian's Node. */
  node?: Pick<NodeDist, 'choose'>;
  /** The secret of the Spaces' BuildKit cache ids (default: `build-cache.key` in the data directory). */
  cacheKey?: Buffer;
  /** Upload dates of pinned SDK releases: an old `sdk_version` resolves its packages at its date; without it, at the commit's. */
  sdkReleases?: Pick<SdkReleaseDates, 'uploadedAt'>;
}

/** The builder's steps (README → config → Node.js version → template plan → image identity) as one PlanRelease. */
export function planFromBuilder(config: Readonly<Config>, opts: PlanFromBuilderOptions = {}): PlanRelease {
  const proxy =
    config.SPACEPORT_BUILD_HTTP_PROXY || config.SPACEPORT_BUILD_HTTPS_PROXY
      ? { http: config.SPACEPORT_BUILD_HTTP_PROXY, https: config.SPACEPORT_BUILD_HTTPS_PROXY, noProxy: config.SPACEPORT_BUILD_NO_PROXY }
      : undefined;
  const pythonImages = pythonImagesWith(config.SPACEPORT_PYTHON_IMAGES);
  let cacheKey = opts.cacheKey;
  return async ({ space, readme, files, tree, variables, requirementsTxt, nodeFiles, dependenciesChangedAt, staticOutput }) => {
    const parsed = parseSpaceConfig(readme);
    if (!parsed.ok) return { kind: 'config_error', message: parsed.message };
    const notices: string[] = [];
    let node: { image: string; version: string; npm: string } | undefined;
    if (sdkTraits(parsed.config.sdk).appBuildCommand && parsed.config.app_build_command && opts.node) {
      const request = nodeVersionRequest(nodeFiles ?? {});
      if (request.kind === 'error') return { kind: 'config_error', message: request.message };
      const why =
        request.source === 'default'
          ? `no engines.node in package.json and no .nvmrc: the current LTS line`
          : `${request.source} ${JSON.stringify(request.given)}`;
      try {
        const chosen = await opts.node.choose(request.range, request.source);
        node = { image: chosen.image, version: chosen.node, npm: chosen.npm };
        notices.push(`Node.js ${chosen.node} with npm ${chosen.npm} for the build (${why}).`);
      } catch (err) {
        if (isSpaceportError(err) && err.code === 'BadRequest') return { kind: 'config_error', message: err.message };
        notices.push(`Node.js for ${why} could not be looked up (${(err as Error).message}); building with Debian's Node.js (${DEFAULT_BASE_IMAGES.node}).`);
      }
    }
    const sdkRelease = await pinnedSdkRelease(parsed.config, opts.sdkReleases);
    const plan = planBuild({
      config: parsed.config,
      ...(sdkRelease ? { sdkRelease } : {}),
      files,
      pythonImages,
      defaultPython: config.SPACEPORT_DEFAULT_PYTHON,
      dependenciesChangedAt,
      // Per owner (never shared across owners; the SDK layer's only where it sees nothing of the Space) and secret: a Dockerfile can mount any cache whose id it knows.
      ...(sdkTraits(parsed.config.sdk).image.kind === 'python-packages'
        ? cacheIds((cacheKey ??= loadBuildCacheKey(config.dataDir)), space.owner, config.SPACEPORT_PYTHON_INSTALLER)
        : {}),
      nodeImage: DEFAULT_BASE_IMAGES.node,
      ...(node ? { node } : {}),
      ...(staticOutput ? { staticOutput } : {}),
      // An operator's own npm mirror serves the build's packages too (npm's default otherwise).
      ...(config.SPACEPORT_NPM_REGISTRY !== DEFAULT_NPM_REGISTRY ? { npmRegistry: config.SPACEPORT_NPM_REGISTRY } : {}),
      caBundleFileName: CA_BUNDLE_FILE_NAME,
      proxy,
      variables,
      requirementsTxt,
    });
    if (plan.kind !== 'ok') return plan;
    return {
      kind: 'ok',
      image: imageRefFor({ subdomain: space.subdomain, tree, templateHash: plan.identity, instance: config.SPACEPORT_INSTANCE_NAME }),
      dockerfile: plan.dockerfile,
      extraFiles: plan.extraFiles,
      buildArgs: plan.buildArgs,
      port: plan.port,
      sdk: parsed.config.sdk,
      config: { ...parsed.config },
      cardData: parsed.cardData,
      notices: [...notices, ...plan.notices],
    };
  };
}

/** The pinned SDK release's upload date when it matters (a Python SDK, sdk_version, the default resolve_packages_at), or why it is unknown. */
async function pinnedSdkRelease(
  config: { sdk: Parameters<typeof sdkTraits>[0]; sdk_version?: string; resolve_packages_at?: string },
  dates: Pick<SdkReleaseDates, 'uploadedAt'> | undefined,
): Promise<SdkRelease | undefined> {
  const image = sdkTraits(config.sdk).image;
  if (!dates || image.kind !== 'python-packages' || config.sdk_version === undefined || config.resolve_packages_at !== undefined) return undefined;
  const release = { name: image.sdkPackage, version: config.sdk_version };
  try {
    return { ...release, uploadedAt: await dates.uploadedAt(release.name, release.version) };
  } catch (err) {
    return { ...release, problem: (err as Error).message };
  }
}

/** The owner's cache ids, and the install's SDK layer cache id (one for every owner; see `sharesSdkLayer`). */
function cacheIds(key: Buffer, owner: string, installer: PythonInstaller): { pipCacheId: string; uvCacheId: string; sdkLayerCacheId: string; pythonInstaller: PythonInstaller } {
  const ids = packageCacheIdsFor(key, owner);
  return { pipCacheId: ids.pip, uvCacheId: ids.uv, sdkLayerCacheId: sdkLayerCacheIdFor(key), pythonInstaller: installer };
}
