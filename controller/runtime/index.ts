export type { Instance, InstanceSpec, InstanceState, RunLogOptions, Runtime, StopOptions, StorageSpec, StorageTier } from './runtime.js';
export { DockerRuntime, connectDocker, type DockerRuntimeOptions } from './docker/docker-runtime.js';
export { detectDockerGpus, refuseGpuFlavor } from './docker/docker-gpus.js';
export { detectSnapshotSupport, type SnapshotSupport } from './docker/snapshots/index.js';
export { DockerSnapshots, NetnsSandboxes, SnapshotStore, engineSnapshots, type SnapshotWake } from './docker/snapshots/index.js';
export { DockerSpaceNetwork, spaceNetworkOptions, type SpaceNetworkOptions } from './docker/docker-space-network.js';
export { IptablesPacketFilter, applyFirewallPlan, removeFirewallPlan, type FilterResult, type PacketFilter } from './docker/docker-firewall.js';
export {
  buildFirewallPlan,
  restoreInput,
  spaceBridgeName,
  spaceChainBase,
  spaceFirewallPlan,
  spaceNetworkName,
  type FirewallPlan,
  type IpFamily,
} from './docker/space-firewall-rules.js';
export {
  DEFAULT_NAME_PREFIX,
  LABELS,
  containerName,
  dockerCreateOptions,
  runtimeEnv,
  type DockerCreateOptionsInput,
} from './docker/docker-create-options.js';
export { KubernetesRuntime, loadKubeConfig, type KubernetesRuntimeOptions } from './kubernetes/kubernetes-runtime.js';
export { type KubernetesPlacement } from './kubernetes/kubernetes-manifests.js';
export { probeHttp, type ProbeOptions, type ProbeTarget } from './readiness-probe.js';
export { staticTreeImage, staticTreeOf, type StaticTreeRef } from './static-instance.js';
export { StaticTreeRuntime, type TreePresent } from './static-runtime.js';
