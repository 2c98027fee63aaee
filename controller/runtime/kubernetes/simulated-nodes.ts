import type * as k8s from '@kubernetes/client-node';
import type { Logger } from '../../../core/index.js';

/** kwok's mark on the Nodes it manages (and the label the test and trial clusters add). */
export const KWOK_ANNOTATION = 'kwok.x-k8s.io/node';

/** Whether a Node is simulated: managed by kwok (annotation `kwok.x-k8s.io/node: fake`, or label `type: kwok`). Pure. */
export function isSimulatedNode(node: Pick<k8s.V1Node, 'metadata'>): boolean {
  return node.metadata?.annotations?.[KWOK_ANNOTATION] === 'fake' || node.metadata?.labels?.type === 'kwok';
}

/**
 * Whether a running pod's app container was started by a real kubelet: it always records the
 * container's id; kwok's pod stages mark the container running without one. The sign used when
 * Nodes cannot be read (the chart's RBAC is namespaced). Pure.
 */
export function startedWithoutRuntime(pod: k8s.V1Pod, container: string): boolean {
  const cs = pod.status?.containerStatuses?.find((c) => c.name === container);
  return cs?.state?.running !== undefined && !cs.containerID;
}

/**
 * Which nodes are simulated, read once per node name. Nodes are cluster-scoped: without the right
 * to read them (a 403, as with the chart's namespaced Role) the answer comes from the pod instead.
 */
export class SimulatedNodes {
  readonly #core: k8s.CoreV1Api;
  readonly #log: Logger;
  readonly #known = new Map<string, boolean>();
  #canRead = true;

  constructor(core: k8s.CoreV1Api, log: Logger) {
    this.#core = core;
    this.#log = log;
  }

  async simulated(pod: k8s.V1Pod, container: string): Promise<boolean> {
    const name = pod.spec?.nodeName;
    if (!name) return false;
    const known = this.#known.get(name);
    if (known !== undefined) return known;
    if (!this.#canRead) return startedWithoutRuntime(pod, container);
    try {
      const node = await this.#core.readNode({ name });
      const simulated = isSimulatedNode(node);
      if (this.#known.size > 10_000) this.#known.clear();
      this.#known.set(name, simulated);
      return simulated;
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code === 403 || code === 401) {
        this.#canRead = false;
        this.#log.info('nodes cannot be read (namespaced RBAC): simulated nodes are told from their pods');
      } else this.#log.warn({ node: name, err: (err as Error).message }, 'could not read a node');
      return startedWithoutRuntime(pod, container);
    }
  }
}
