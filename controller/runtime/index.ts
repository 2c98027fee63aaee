export type { Instance, InstanceSpec, InstanceState, RunLogOptions, Runtime, StorageSpec, StorageTier } from './runtime.js';
export { DockerRuntime, connectDocker, type DockerRuntimeOptions } from './docker-runtime.js';
export { detectDockerGpus, refuseGpuFlavor } from './docker-gpus.js';
export {
  FakeRuntime,
  type FakeCounts,
  type FakeOperation,
  type FakeRuntimeOptions,
} from './fake-runtime.js';
export {
  DEFAULT_NAME_PREFIX,
  LABELS,
  containerName,
  dockerCreateOptions,
  runtimeEnv,
  type DockerCreateOptionsInput,
} from './docker-create-options.js';
export { mapDockerError } from './map-docker-error.js';
export { KubernetesRuntime, loadKubeConfig, type KubernetesRuntimeOptions } from './kubernetes-runtime.js';
export { type KubernetesPlacement } from './kubernetes-manifests.js';
export { probeHttp, type ProbeOptions, type ProbeTarget } from './readiness-probe.js';
