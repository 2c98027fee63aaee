/**
 * Room on the test cluster for 1,000 Space pods, for one bench run only: simulated kwok nodes of
 * our own (the test cluster's four take 110 pods each and are shared with the tests), and a
 * ServiceCIDR of our own (the cluster's service range is a /24: ~250 Services, one per Space).
 * Everything is named after the run and removed by `remove()`.
 */
import type { TestCluster } from '../../test/support/k8s-cluster.js';

export const SIMULATED_TAINT = { key: 'spaceport.dev/simulated', operator: 'Equal', value: 'true', effect: 'NoSchedule' } as const;
export const BENCH_NODE_LABEL = 'spaceport.dev/bench';

export interface BenchCapacityOptions {
  cluster: TestCluster;
  /** Unique per run: node names, the node label's value, the ServiceCIDR's name. */
  runId: string;
  nodes: number;
  podsPerNode: number;
  /** A range of service IPs that overlaps nothing on the cluster. */
  serviceCidr: string;
}

function benchNode(name: string, runId: string, pods: number): unknown {
  const capacity = { cpu: '256', memory: '1Ti', pods: String(pods) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
        'spaceport.dev/simulated': 'true',
        [BENCH_NODE_LABEL]: runId,
      },
    },
    spec: { taints: [{ key: SIMULATED_TAINT.key, value: SIMULATED_TAINT.value, effect: SIMULATED_TAINT.effect }] },
    status: { capacity, allocatable: capacity },
  };
}

export class BenchCapacity {
  readonly #o: BenchCapacityOptions;
  readonly nodeNames: string[];

  constructor(opts: BenchCapacityOptions) {
    this.#o = opts;
    this.nodeNames = Array.from({ length: opts.nodes }, (_, i) => `bench-kwok-${opts.runId}-${i}`);
  }

  get serviceCidrName(): string {
    return `spaceport-bench-${this.#o.runId}`;
  }

  /** Node selector and toleration that put a pod on the bench nodes only. */
  get placement(): { nodeSelector: Record<string, string>; tolerations: (typeof SIMULATED_TAINT)[] } {
    return { nodeSelector: { [BENCH_NODE_LABEL]: this.#o.runId }, tolerations: [SIMULATED_TAINT] };
  }

  async add(): Promise<void> {
    const { cluster, runId, podsPerNode, serviceCidr } = this.#o;
    const items = [
      ...this.nodeNames.map((n) => benchNode(n, runId, podsPerNode)),
      { apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', metadata: { name: this.serviceCidrName }, spec: { cidrs: [serviceCidr] } },
    ];
    await cluster.kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    // kwok marks a node Ready once it manages it; the scheduler skips nodes that are not.
    await cluster.kubectl(['wait', '--for=condition=Ready', '--timeout=60s', ...this.nodeNames.map((n) => `node/${n}`)]);
    await cluster.kubectl(['wait', '--for=condition=Ready', '--timeout=60s', `servicecidr/${this.serviceCidrName}`]);
  }

  /** Call after the Spaces' namespace is gone (a ServiceCIDR stays until none of its IPs is used). */
  async remove(): Promise<void> {
    const names = [...this.nodeNames.map((n) => `node/${n}`), `servicecidr/${this.serviceCidrName}`];
    await this.#o.cluster.kubectl(['delete', '--ignore-not-found', '--wait=false', ...names]);
  }
}
