export type { BuildRequest, ImageBuilder, ImageFiles } from './image-builder.js';
export { DockerImageBuilder, type DockerImageBuilderOptions } from './docker-image-builder.js';
export {
  parseSpaceConfig,
  relativePathProblem,
  COLORS,
  CUSTOM_HEADERS,
  DEFAULT_STARTUP_DURATION_TIMEOUT,
  type Color,
  type CustomHeaderName,
  type ParseSpaceConfigOptions,
  type SpaceConfig,
  type SpaceConfigResult,
} from './space-config.js';
export { parseDuration } from './duration.js';
export { readmePushProblems } from './readme-push-check.js';
export { planBuild, hasLocalReferences, withoutSdkLines, CA_BUNDLE_FILE_NAME, type BuildPlan, type BuildProxy, type PlanBuildInput } from './plan-build.js';
export { IMAGE_LABELS, imageRefFor, SPACE_IMAGE_PREFIX } from './image-ref.js';
export { RegistryImageBuilder, type RegistryImageBuilderOptions } from './registry-image-builder.js';
export { RegistryClient, parseRegistry, registryRepository, splitReference, type RegistryTarget } from './registry-client.js';
export {
  ensureBaseImages,
  buildBaseImage,
  debianSource,
  imageExists,
  type BaseImageOptions,
  type BaseImageOutcome,
  type BaseImageResult,
} from './base-images.js';
export {
  DEFAULT_BASE_IMAGES,
  DEFAULT_DEBIAN_MIRROR,
  DEFAULT_DEBIAN_SECURITY_MIRROR,
  baseImageSpec,
  type BaseImageKind,
  type BaseImageSpec,
} from './base-image-specs.js';
export { hostAptMirrors, type AptMirrors } from './host-apt-sources.js';
export { BuildOutputDecoder, decodeLine, type BuildEvent } from './build-output.js';
export { BuildLog } from './build-log.js';
export { NodeDist, type NodeDistOptions, type NodeChoice } from './node-dist.js';
export {
  nodeVersionRequest,
  pickNodeVersion,
  pickNpmVersion,
  nodeDistImage,
  parseNodeDistImage,
  DEFAULT_NODE_MAJOR,
  type NodeVersionRequest,
  type NodeVersionSource,
} from './node-version.js';
export { summarizeBuildFailure, type BuildFailure } from './build-error-summary.js';
export type { Sdk } from '../templates/index.js';
export { DEBIAN_PYTHONS, HUB_DEFAULT_PYTHON, TIE_BREAK_PYTHON, debianSuiteOf, pickPython, pythonImagesWith, type DebianPython, type PythonPick } from './python-images.js';
export { DEPENDENCY_FILES, SDK_DATE_WINDOW_DAYS, packageCutoff, pipTimestamp, resolvePackagesAtProblem, sdkDateCutoff, type PackageCutoff, type SdkRelease } from './package-cutoff.js';
export { SdkReleaseDates, type SdkReleaseDatesOptions } from './sdk-release-dates.js';
