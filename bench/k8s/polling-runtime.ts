/**
 * The bench's named alternative to the informers: a runtime whose `list(space)` asks the API
 * server every time, as a naive runtime would (one GET of the Space's Deployments and one of its
 * Pods, by label selector: 2 requests per call). The same pure functions as KubernetesRuntime turn
 * the objects into instances, so both report the same states. Writes go to the wrapped runtime
 * (a steady-state pass makes none). At most `concurrency` requests in flight, as a client's rate
 * limiter would keep it (1,000 Spaces kicked at once must not open 2,000 connections).
 */
import * as k8s from '@kubernetes/client-node';
import type { Flavor, LogLine, ReleaseId, SpaceId } from '../../core/index.js';
import type { Instance, InstanceSpec, RunLogOptions, Runtime } from '../../controller/runtime/index.js';
import { K8S_ANNOTATIONS, K8S_LABELS, selectorFor } from '../../controller/runtime/kubernetes/kubernetes-manifests.js';
import { currentPod, instanceStateFor, podVerdict, startsOf } from '../../controller/runtime/kubernetes/kubernetes-state.js';

/** At most `n` tasks at a time, in arrival order. */
export class Semaphore {
  #free: number;
  readonly #queue: (() => void)[] = [];

  constructor(n: number) {
    this.#free = n;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free -= 1;
    else await new Promise<void>((resolve) => this.#queue.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#queue.shift();
      if (next) next();
      else this.#free += 1;
    }
  }
}

export interface PollingRuntimeOptions {
  kubeConfig: k8s.KubeConfig;
  namespace: string;
  instance: string;
  /** Where writes go. */
  writes: Runtime;
  concurrency: number;
}

export class PollingRuntime implements Runtime {
  readonly name = 'kubernetes-polling';
  readonly #o: PollingRuntimeOptions;
  readonly #core: k8s.CoreV1Api;
  readonly #apps: k8s.AppsV1Api;
  readonly #limit: Semaphore;

  constructor(opts: PollingRuntimeOptions) {
    this.#o = opts;
    this.#core = opts.kubeConfig.makeApiClient(k8s.CoreV1Api);
    this.#apps = opts.kubeConfig.makeApiClient(k8s.AppsV1Api);
    this.#limit = new Semaphore(opts.concurrency);
  }

  async list(space?: SpaceId): Promise<Instance[]> {
    const labelSelector = selectorFor(this.#o.instance, space);
    const namespace = this.#o.namespace;
    const [deployments, pods] = await Promise.all([
      this.#limit.run(() => this.#apps.listNamespacedDeployment({ namespace, labelSelector })),
      this.#limit.run(() => this.#core.listNamespacedPod({ namespace, labelSelector })),
    ]);
    return deployments.items.filter((d) => !d.metadata?.deletionTimestamp).map((d) => instanceOf(d, pods.items));
  }

  apply(spec: InstanceSpec): Promise<void> {
    return this.#o.writes.apply(spec);
  }

  stop(space: SpaceId, release: ReleaseId): Promise<void> {
    return this.#o.writes.stop(space, release);
  }

  remove(space: SpaceId, opts?: { keep?: ReleaseId }): Promise<void> {
    return this.#o.writes.remove(space, opts);
  }

  logs(space: SpaceId, release: ReleaseId, opts: RunLogOptions): AsyncIterable<LogLine> {
    return this.#o.writes.logs(space, release, opts);
  }

  removeStorage(key: string): Promise<void> {
    return this.#o.writes.removeStorage(key);
  }

  refuseFlavor(flavor: Flavor): string | undefined {
    return this.#o.writes.refuseFlavor(flavor);
  }

  /** A polling runtime has no events: the reconciler's resync is all it gets. */
  watch(): () => void {
    return () => {};
  }

  async close(): Promise<void> {}
}

/** One release's instance, read as KubernetesRuntime reads it (no exit tails: a steady state has none). */
function instanceOf(d: k8s.V1Deployment, pods: k8s.V1Pod[]): Instance {
  const hash = d.metadata?.labels?.[K8S_LABELS.releaseHash];
  const own = pods.filter((p) => p.metadata?.labels?.[K8S_LABELS.releaseHash] === hash);
  const verdict = (d.spec?.replicas ?? 1) === 0 ? ({ kind: 'none' } as const) : podVerdict(currentPod(d, own), d.metadata?.labels?.[K8S_LABELS.flavor] ?? 'unknown');
  const state = instanceStateFor(d, verdict);
  const ann = d.metadata?.annotations ?? {};
  return {
    space: ann[K8S_ANNOTATIONS.space] as SpaceId,
    release: ann[K8S_ANNOTATIONS.release] as ReleaseId,
    image: d.spec?.template.spec?.containers[0]?.image ?? '',
    state,
    ...(verdict.kind === 'ready' ? { endpoint: { host: verdict.ip, port: Number(ann[K8S_ANNOTATIONS.port]) } } : {}),
    restartCount: startsOf(d),
  };
}
