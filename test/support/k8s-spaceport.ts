import type { TestCluster } from './k8s-cluster.js';

/**
 * Settings for a Spaceport in cluster mode on the test cluster: Spaces in `namespace`, images
 * pushed to the cluster's registry under `sp-{run}`, pods only on the real node (kwok nodes are
 * tainted), and small requests so several fit its 2 CPUs.
 */
export function clusterModeEnv(cluster: TestCluster, o: { namespace: string; run: string }): Record<string, string> {
  return {
    SPACEPORT_RUNTIME: 'kubernetes',
    SPACEPORT_KUBECONFIG: cluster.kubeconfigPath,
    SPACEPORT_K8S_NAMESPACE: o.namespace,
    SPACEPORT_REGISTRY: `${cluster.registry}/sp-${o.run}`,
    SPACEPORT_INSTANCE_NAME: `sp-${o.run}`,
    SPACEPORT_HARDWARE: JSON.stringify({ nodeSelector: { 'spaceport.dev/pool': 'real' }, requestRatio: { cpu: 0.05, memory: 0.1 } }),
  };
}
