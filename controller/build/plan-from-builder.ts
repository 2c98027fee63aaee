import { CA_BUNDLE_FILE_NAME, DEFAULT_BASE_IMAGES, imageRefFor, parseSpaceConfig, planBuild, pythonImagesWith } from '../../builder/index.js';
import type { Config } from '../../core/index.js';
import type { PlanBuild } from './plan.js';

/** The builder's pure steps (README → config → template plan → image identity) as one PlanBuild. */
export function planFromBuilder(config: Readonly<Config>): PlanBuild {
  const proxy =
    config.SPACEPORT_BUILD_HTTP_PROXY || config.SPACEPORT_BUILD_HTTPS_PROXY
      ? { http: config.SPACEPORT_BUILD_HTTP_PROXY, https: config.SPACEPORT_BUILD_HTTPS_PROXY, noProxy: config.SPACEPORT_BUILD_NO_PROXY }
      : undefined;
  const pythonImages = pythonImagesWith(config.SPACEPORT_PYTHON_IMAGES);
  return ({ space, readme, files, tree, variables, requirementsTxt, dependenciesChangedAt }) => {
    const parsed = parseSpaceConfig(readme);
    if (!parsed.ok) return { kind: 'config_error', message: parsed.message };
    const plan = planBuild({
      config: parsed.config,
      files,
      pythonImages,
      defaultPython: config.SPACEPORT_DEFAULT_PYTHON,
      dependenciesChangedAt,
      pipCacheId: `spaceport-pip-${space.uid}`,
      nodeImage: DEFAULT_BASE_IMAGES.node,
      caBundleFileName: CA_BUNDLE_FILE_NAME,
      proxy,
      variables,
      requirementsTxt,
    });
    if (plan.kind !== 'ok') return plan;
    return {
      kind: 'ok',
      image: imageRefFor({ subdomain: space.subdomain, tree, templateHash: plan.identity }),
      dockerfile: plan.dockerfile,
      extraFiles: plan.extraFiles,
      buildArgs: plan.buildArgs,
      port: plan.port,
      sdk: parsed.config.sdk,
      config: { ...parsed.config },
      cardData: parsed.cardData,
      notices: plan.notices,
    };
  };
}
