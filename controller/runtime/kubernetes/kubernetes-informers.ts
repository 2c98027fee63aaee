import * as k8s from '@kubernetes/client-node';
import type { Logger } from '../../../core/index.js';
import { INFORMER_RESTART, RestartBackoff } from '../backoff.js';

type Waiter = { check: () => boolean; resolve: () => void };
export type DeploymentInformer = k8s.Informer<k8s.V1Deployment> & k8s.ObjectCache<k8s.V1Deployment>;
export type PodInformer = k8s.Informer<k8s.V1Pod> & k8s.ObjectCache<k8s.V1Pod>;

export interface KubernetesInformersOptions {
  kubeConfig: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  namespace: string;
  /** The install's label selector. */
  selector: string;
  logger: Logger;
  /** How long `until` waits for the caches before listing and watching again. */
  cacheWaitMs: number;
  /** An object was added, updated or deleted (`{}` after the informers were rebuilt). */
  onChange(obj: k8s.KubernetesObject): void;
}

/**
 * The two informers (list + watch of the install's Deployments and Pods) the Kubernetes runtime
 * reads from: started once, restarted after a watch error (exponential backoff with full jitter,
 * `INFORMER_RESTART`: 1 s growing to 30 s, short again after a healthy minute), rebuilt (a fresh list and watch, swapped
 * in once synced) when a watch went quiet without one.
 */
export class KubernetesInformers {
  readonly #o: KubernetesInformersOptions;
  #deployments: DeploymentInformer;
  #pods: PodInformer;
  #rebuilding?: Promise<void>;
  /** When the pod watch last delivered an event: while events flow, the watch is alive. */
  #podEventAt = Date.now();
  readonly #waiters = new Set<Waiter>();
  /** Restart delays of each informer whose watch failed. */
  readonly #restarts = new WeakMap<k8s.Informer<k8s.KubernetesObject>, RestartBackoff>();
  #closed = false;

  constructor(opts: KubernetesInformersOptions) {
    this.#o = opts;
    [this.#deployments, this.#pods] = this.#makeInformers();
  }

  get deployments(): DeploymentInformer {
    return this.#deployments;
  }

  get pods(): PodInformer {
    return this.#pods;
  }

  /** When the pod watch last delivered an event. */
  get podEventAt(): number {
    return this.#podEventAt;
  }

  /** The first list of both informers. */
  async start(): Promise<void> {
    await Promise.all([this.#deployments.start(), this.#pods.start()]);
  }

  /** The two informers (Deployments and Pods with this install's labels), wired to our callbacks. */
  #makeInformers(): [DeploymentInformer, PodInformer] {
    const { kubeConfig, namespace: ns, selector } = this.#o;
    const deployments = k8s.makeInformer(
      kubeConfig,
      `/apis/apps/v1/namespaces/${ns}/deployments`,
      () => this.#o.apps.listNamespacedDeployment({ namespace: ns, labelSelector: selector }),
      selector,
    );
    const pods = k8s.makeInformer(
      kubeConfig,
      `/api/v1/namespaces/${ns}/pods`,
      () => this.#o.core.listNamespacedPod({ namespace: ns, labelSelector: selector }),
      selector,
    );
    for (const informer of [deployments, pods] as k8s.Informer<k8s.KubernetesObject>[]) {
      for (const verb of ['add', 'update', 'delete'] as const) {
        informer.on(verb, (obj) => {
          if (informer === (pods as unknown)) this.#podEventAt = Date.now();
          this.#changed(obj);
        });
      }
      informer.on('error', (err) => this.#restartInformer(informer, err));
    }
    return [deployments, pods];
  }

  /** New informers (a fresh list and watch), swapped in once synced; the old ones stopped. */
  rebuild(): Promise<void> {
    this.#rebuilding ??= (async () => {
      const [deployments, pods] = this.#makeInformers();
      try {
        await Promise.all([deployments.start(), pods.start()]);
      } catch (err) {
        this.#o.logger.warn({ err: (err as Error).message }, 'could not list again; keeping the current informers');
        await Promise.allSettled([deployments.stop(), pods.stop()]);
        return;
      }
      const old = [this.#deployments, this.#pods];
      [this.#deployments, this.#pods] = [deployments, pods];
      await Promise.allSettled(old.map((i) => i.stop()));
      this.#changed({});
    })().finally(() => {
      this.#rebuilding = undefined;
    });
    return this.#rebuilding;
  }

  #restartInformer(informer: k8s.Informer<k8s.KubernetesObject>, err: unknown): void {
    const current = informer === (this.#deployments as unknown) || informer === (this.#pods as unknown);
    if (this.#closed || !current) return;
    let backoff = this.#restarts.get(informer);
    if (!backoff) this.#restarts.set(informer, (backoff = new RestartBackoff(INFORMER_RESTART)));
    const delayMs = backoff.next();
    this.#o.logger.warn({ err: (err as Error)?.message ?? String(err), delayMs }, 'watch failed; restarting the informer');
    setTimeout(() => {
      const stillCurrent = informer === (this.#deployments as unknown) || informer === (this.#pods as unknown);
      if (!this.#closed && stillCurrent) informer.start().catch((e: unknown) => this.#restartInformer(informer, e));
    }, delayMs).unref();
  }

  #changed(obj: k8s.KubernetesObject): void {
    for (const w of [...this.#waiters]) {
      if (w.check()) {
        this.#waiters.delete(w);
        w.resolve();
      }
    }
    this.#o.onChange(obj);
  }

  /** Resolves once `check()` holds for the informers' caches (checked on every event), or after cacheWaitMs. */
  async until(check: () => boolean, what: string): Promise<void> {
    if (check()) return;
    await new Promise<void>((resolve) => {
      const w: Waiter = { check, resolve };
      this.#waiters.add(w);
      setTimeout(() => {
        if (this.#waiters.delete(w)) {
          // A watch that went quiet without an error: list and watch again.
          this.#o.logger.warn({ what }, 'the informers did not see our write in time: listing and watching again');
          void this.rebuild().then(resolve, resolve);
        }
      }, this.#o.cacheWaitMs).unref();
    });
  }

  /** Stop both informers; pending `until`s resolve at once. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#waiters) w.resolve();
    this.#waiters.clear();
    await Promise.allSettled([this.#deployments.stop(), this.#pods.stop()]);
  }
}
