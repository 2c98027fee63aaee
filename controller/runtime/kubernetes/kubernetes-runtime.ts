import * as k8s from '@kubernetes/client-node';
import { fail, type Flavor, type LogLine, type Logger, type ReleaseId, type SpaceId } from '../../../core/index.js';
import { exitReason, REASON_MAX_LINES } from '../docker/docker-state.js';
import { KeyedLock } from '../keyed-lock.js';
import {
  CONTAINER_NAME,
  FIELD_MANAGER,
  K8S_ANNOTATIONS,
  K8S_LABELS,
  releaseObjectName,
  renderAnchor,
  renderDeployment,
  renderReleaseConfig,
  renderService,
  renderStorageClaim,
  selectorFor,
  spaceHash,
  storageClaimName,
  type KubeObject,
  type KubernetesPlacement,
  type Owner,
} from './kubernetes-manifests.js';
import { KubernetesInformers } from './kubernetes-informers.js';
import { currentPod, instanceStateFor, podVerdict, restartHead, startsOf, type KubeletRestarts, type PodVerdict } from './kubernetes-state.js';
import { mapKubernetesError } from './map-kubernetes-error.js';
import { streamPodLog } from './kubernetes-log-stream.js';
import { SimulatedNodes } from './simulated-nodes.js';
import type { InPlaceRestarts, Instance, InstanceSpec, RunLogOptions, Runtime } from '../runtime.js';

export interface KubernetesRuntimeOptions {
  kubeConfig: k8s.KubeConfig;
  placement: KubernetesPlacement;
  logger: Logger;
  /** How long a write waits for the informers to see it (list() reads only the informers' caches). */
  cacheWaitMs?: number;
}

/** A kubeconfig: the file given, else in-cluster (a pod's service account), else ~/.kube/config. */
export function loadKubeConfig(file?: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  return kc;
}

/**
 * An instance starting for longer than this is checked once with a direct read (then at most every
 * STALE_CHECK_MS): a watch can go quiet without an error, and a wake must not wait on a stale cache.
 */
const STALE_AFTER_MS = 10_000;
const STALE_CHECK_MS = 10_000;

/**
 * Spaces as Deployments in one namespace (see kubernetes-manifests.ts for the objects). Every read
 * comes from two informers (list + watch of the install's Deployments and Pods), so `list()` makes
 * no API call for a Space that did not change; writes use server-side apply with our field manager
 * and then wait until the informers have seen them, so a read right after a write sees it.
 *
 * States: replicas 0 → stopped (asleep); the current pod Ready → ready at its pod IP; a container
 * that ended (exit, OOMKilled, CrashLoopBackOff) → exited with the log tail; an image that cannot
 * be pulled, a bad config, or no node for the flavor (the scheduler's message) → failed.
 */
export class KubernetesRuntime implements Runtime {
  readonly name = 'kubernetes';
  readonly #kc: k8s.KubeConfig;
  readonly #p: KubernetesPlacement;
  readonly #log: Logger;
  readonly #objects: k8s.KubernetesObjectApi;
  readonly #core: k8s.CoreV1Api;
  readonly #apps: k8s.AppsV1Api;
  readonly #informers: KubernetesInformers;
  /** Deployment name → when list() first saw it starting, and when it was last read directly. */
  readonly #startingSince = new Map<string, number>();
  readonly #checkedAt = new Map<string, number>();
  readonly #lock = new KeyedLock();
  readonly #listeners = new Set<(space: SpaceId) => void>();
  readonly #tails = new Map<string, string>();
  readonly #nodes: SimulatedNodes;
  #started?: Promise<void>;
  #closed = false;
  /** API calls made (reads and writes, informers' own list/watch excluded): the benchmark's figure. */
  apiCalls = 0;

  constructor(opts: KubernetesRuntimeOptions) {
    this.#kc = opts.kubeConfig;
    this.#p = opts.placement;
    this.#log = opts.logger.child({ runtime: 'kubernetes', namespace: opts.placement.namespace });
    this.#objects = k8s.KubernetesObjectApi.makeApiClient(this.#kc);
    this.#core = this.#kc.makeApiClient(k8s.CoreV1Api);
    this.#apps = this.#kc.makeApiClient(k8s.AppsV1Api);
    this.#nodes = new SimulatedNodes(this.#core, this.#log);
    this.#informers = new KubernetesInformers({
      kubeConfig: this.#kc,
      core: this.#core,
      apps: this.#apps,
      namespace: this.#p.namespace,
      selector: selectorFor(this.#p.instance),
      logger: this.#log,
      cacheWaitMs: opts.cacheWaitMs ?? 30_000,
      onChange: (obj) => this.#changed(obj),
    });
  }

  /** Start the informers (the first list); every other method awaits it. */
  start(): Promise<void> {
    this.#started ??= (async () => {
      try {
        await this.#informers.start();
      } catch (err) {
        this.#started = undefined;
        throw mapKubernetesError(err, { action: `watch deployments and pods in namespace ${this.#p.namespace}` });
      }
      this.#log.info('informers synced');
    })();
    return this.#started;
  }

  /** An informer saw a change (its waiters already told): tell the watchers of its Space. */
  #changed(obj: k8s.KubernetesObject): void {
    const space = obj.metadata?.annotations?.[K8S_ANNOTATIONS.space] as SpaceId | undefined;
    if (space) for (const l of this.#listeners) l(space);
  }

  refuseFlavor(_flavor: Flavor): string | undefined {
    // Whether a node can take it is the scheduler's call: an unschedulable pod is reported with its message.
    return undefined;
  }

  apply(spec: InstanceSpec): Promise<void> {
    return this.#lock.run(spec.space, async () => {
      await this.start();
      try {
        await this.#apply(spec);
      } catch (err) {
        throw mapKubernetesError(err, { action: `start ${spec.space} (release ${spec.release})` });
      }
    });
  }

  async #apply(spec: InstanceSpec): Promise<void> {
    const name = releaseObjectName(spec.space, spec.release);
    const anchor = await this.#anchor(spec.space);
    await this.#ssa(renderService(this.#p, spec.space, anchor));
    const claim = renderStorageClaim(this.#p, spec);
    if (claim) await this.#ssa(claim);
    for (const obj of renderReleaseConfig(this.#p, spec, anchor)) await this.#ssa(obj);
    const existing = this.#informers.deployments.get(name, this.#p.namespace);
    let starts = startsOf(existing);
    if (existing) {
      const verdict = this.#verdictOf(existing);
      const sameImage = existing.spec?.template.spec?.containers[0]?.image === spec.image;
      const stopped = existing.spec?.replicas === 0;
      if (sameImage && (stopped || verdict.kind === 'exited' || verdict.kind === 'failed')) starts += 1;
    }
    const applied = (await this.#ssa(renderDeployment(this.#p, { spec, replicas: 1, starts, anchor }))) as k8s.V1Deployment;
    if (!existing) this.#log.info({ space: spec.space, release: spec.release, image: spec.image, deployment: name }, 'deployment created');
    await this.#seen(name, applied.metadata?.resourceVersion);
  }

  /**
   * The Space's anchor, applied on every apply (never a cached uid: an owner reference to an anchor
   * that was deleted meanwhile would make the garbage collector delete the new objects at once).
   */
  async #anchor(space: SpaceId): Promise<Owner> {
    const obj = (await this.#ssa(renderAnchor(this.#p, space))) as KubeObject & { metadata: { uid?: string } };
    return { apiVersion: 'v1', kind: 'ConfigMap', name: obj.metadata.name, uid: obj.metadata.uid! };
  }

  async #ssa(obj: KubeObject): Promise<KubeObject> {
    this.apiCalls++;
    return (await this.#objects.patch(obj, undefined, undefined, FIELD_MANAGER, true, k8s.PatchStrategy.ServerSideApply)) as KubeObject;
  }

  /** Wait until the Deployment informer holds `name` at `resourceVersion` or later (or no longer holds it). */
  async #seen(name: string, resourceVersion: string | undefined, gone = false): Promise<void> {
    const want = resourceVersion ? BigInt(resourceVersion) : 0n;
    await this.#informers.until(() => {
      const d = this.#informers.deployments.get(name, this.#p.namespace);
      if (gone) return d === undefined;
      return d !== undefined && BigInt(d.metadata?.resourceVersion ?? '0') >= want;
    }, `deployment ${name}`);
  }

  #podsOf(d: k8s.V1Deployment): k8s.V1Pod[] {
    const hash = d.metadata?.labels?.[K8S_LABELS.releaseHash];
    const space = d.metadata?.labels?.[K8S_LABELS.spaceHash];
    return this.#informers.pods
      .list(this.#p.namespace)
      .filter((p) => p.metadata?.labels?.[K8S_LABELS.releaseHash] === hash && p.metadata?.labels?.[K8S_LABELS.spaceHash] === space);
  }

  #verdictOf(d: k8s.V1Deployment): PodVerdict {
    return podVerdict(currentPod(d, this.#podsOf(d)), d.metadata?.labels?.[K8S_LABELS.flavor] ?? 'unknown');
  }

  async list(space?: SpaceId): Promise<Instance[]> {
    await this.start();
    const hash = space ? spaceHash(space) : undefined;
    const out: Instance[] = [];
    for (const d of this.#informers.deployments.list(this.#p.namespace)) {
      if (d.metadata?.deletionTimestamp) continue;
      if (hash && d.metadata?.labels?.[K8S_LABELS.spaceHash] !== hash) continue;
      out.push(await this.#instanceOf(d));
    }
    return out;
  }

  async #instanceOf(d: k8s.V1Deployment): Promise<Instance> {
    const ann = d.metadata?.annotations ?? {};
    let verdict: PodVerdict = (d.spec?.replicas ?? 1) === 0 ? { kind: 'none' } : this.#verdictOf(d);
    if ((d.spec?.replicas ?? 1) > 0 && (verdict.kind === 'none' || verdict.kind === 'starting')) verdict = await this.#checkStarting(d, verdict);
    else this.#startingSince.delete(d.metadata?.name ?? '');
    const tail = verdict.kind === 'exited' ? await this.#exitTail(verdict) : undefined;
    const state = instanceStateFor(d, verdict, tail);
    const restarted = (verdict.kind === 'ready' || verdict.kind === 'starting') && verdict.restarted ? await this.#restartsOf(verdict.restarted) : undefined;
    const pod = verdict.kind === 'ready' ? currentPod(d, this.#podsOf(d)) : undefined;
    const simulated = pod !== undefined && (await this.#nodes.simulated(pod, CONTAINER_NAME));
    const port = Number(ann[K8S_ANNOTATIONS.port]);
    return {
      space: ann[K8S_ANNOTATIONS.space] as SpaceId,
      release: ann[K8S_ANNOTATIONS.release] as ReleaseId,
      image: d.spec?.template.spec?.containers[0]?.image ?? '',
      state,
      ...(state.kind === 'ready' && verdict.kind === 'ready' ? { endpoint: { host: verdict.ip, port } } : {}),
      ...(verdict.kind === 'ready' && verdict.startedAt !== undefined ? { startedAt: verdict.startedAt } : {}),
      restartCount: startsOf(d),
      ...(restarted ? { restartedInPlace: restarted } : {}),
      ...(simulated ? { simulatedNode: true } : {}),
    };
  }

  /** The kubelet's in-place restarts of the current pod, with the last one's output (the previous container's log, read once per restart). */
  async #restartsOf(r: KubeletRestarts): Promise<InPlaceRestarts> {
    const tail = await this.#exitTail({ kind: 'exited', exitCode: r.exitCode, reason: r.reason, previous: true, pod: r.pod, restarts: r.restarts });
    return { run: r.pod, count: r.restarts, lastAt: r.finishedAt, reason: `${restartHead(r)}\n${tail}` };
  }

  /**
   * An instance the cache says is still starting: after STALE_AFTER_MS with no pod event at all,
   * read its pods directly (at most every STALE_CHECK_MS). If the API says otherwise, the watches
   * missed it: list and watch again, and answer what the API says. Costs nothing for instances that
   * are ready or asleep, nor while the pod watch delivers events.
   */
  async #checkStarting(d: k8s.V1Deployment, cached: PodVerdict): Promise<PodVerdict> {
    const name = d.metadata?.name ?? '';
    const now = Date.now();
    const since = this.#startingSince.get(name) ?? now;
    this.#startingSince.set(name, since);
    // Only when the pod watch has been quiet too: with events flowing (a thousand Spaces starting
    // at once), it is alive and the cache is merely behind the cluster.
    const quiet = now - this.#informers.podEventAt >= STALE_AFTER_MS;
    if (!quiet || now - since < STALE_AFTER_MS || now - (this.#checkedAt.get(name) ?? 0) < STALE_CHECK_MS) return cached;
    this.#checkedAt.set(name, now);
    const labels = d.metadata?.labels ?? {};
    try {
      this.apiCalls++;
      const list = await this.#core.listNamespacedPod({
        namespace: this.#p.namespace,
        labelSelector: `${K8S_LABELS.spaceHash}=${labels[K8S_LABELS.spaceHash]},${K8S_LABELS.releaseHash}=${labels[K8S_LABELS.releaseHash]}`,
      });
      const fresh = podVerdict(currentPod(d, list.items), labels[K8S_LABELS.flavor] ?? 'unknown');
      if (fresh.kind === cached.kind) return cached;
      this.#log.warn({ deployment: name, cached: cached.kind, actual: fresh.kind }, 'the informers missed a change: listing and watching again');
      void this.#informers.rebuild();
      return fresh;
    } catch (err) {
      this.#log.warn({ deployment: name, err: (err as Error).message }, 'could not read the pods directly');
      return cached;
    }
  }

  /** The last lines an exited container printed; read once per exit (cached by pod and restart count). */
  async #exitTail(v: Extract<PodVerdict, { kind: 'exited' }>): Promise<string> {
    const key = `${v.pod}:${v.restarts}:${v.previous}`;
    const cached = this.#tails.get(key);
    if (cached !== undefined) return cached;
    let text = '';
    try {
      this.apiCalls++;
      text = await this.#core.readNamespacedPodLog({
        name: v.pod,
        namespace: this.#p.namespace,
        container: CONTAINER_NAME,
        tailLines: REASON_MAX_LINES,
        previous: v.previous,
      });
    } catch (err) {
      this.#log.warn({ pod: v.pod, err: (err as Error).message }, 'could not read the exited container log');
    }
    const tail = exitReason(v.exitCode, String(text ?? '').split('\n').filter((l) => l !== ''));
    if (this.#tails.size > 1000) this.#tails.clear();
    this.#tails.set(key, tail);
    return tail;
  }

  stop(space: SpaceId, release: ReleaseId): Promise<void> {
    return this.#lock.run(space, async () => {
      await this.start();
      const name = releaseObjectName(space, release);
      const d = this.#informers.deployments.get(name, this.#p.namespace);
      if (!d || d.spec?.replicas === 0) return;
      try {
        this.apiCalls++;
        const patched = await this.#apps.patchNamespacedDeployment(
          { name, namespace: this.#p.namespace, body: { spec: { replicas: 0 } }, fieldManager: `${FIELD_MANAGER}-sleep` },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
        );
        await this.#seen(name, patched.metadata?.resourceVersion);
      } catch (err) {
        const mapped = mapKubernetesError(err, { action: `stop ${space} (release ${release})` });
        if (mapped.code !== 'NotFound') throw mapped;
      }
    });
  }

  remove(space: SpaceId, opts: { keep?: ReleaseId } = {}): Promise<void> {
    return this.#lock.run(space, async () => {
      await this.start();
      const hash = spaceHash(space);
      const doomed = this.#informers.deployments
        .list(this.#p.namespace)
        .filter((d) => d.metadata?.labels?.[K8S_LABELS.spaceHash] === hash && d.metadata?.annotations?.[K8S_ANNOTATIONS.release] !== opts.keep);
      for (const d of doomed) {
        const name = d.metadata!.name!;
        for (const kind of ['Deployment', 'ConfigMap', 'Secret']) await this.#delete(kind, name);
        await this.#seen(name, undefined, true);
      }
      if (opts.keep === undefined) {
        await this.#delete('Service', renderService(this.#p, space, { apiVersion: 'v1', kind: 'ConfigMap', name: '', uid: '' }).metadata.name);
        await this.#delete('ConfigMap', renderAnchor(this.#p, space).metadata.name);
      }
    });
  }

  async #delete(kind: string, name: string): Promise<void> {
    const apiVersion = kind === 'Deployment' ? 'apps/v1' : 'v1';
    try {
      this.apiCalls++;
      await this.#objects.delete({ apiVersion, kind, metadata: { name, namespace: this.#p.namespace } }, undefined, undefined, undefined, undefined, 'Background');
    } catch (err) {
      const mapped = mapKubernetesError(err, { action: `delete ${kind} ${name}` });
      if (mapped.code !== 'NotFound') throw mapped;
    }
  }

  async removeStorage(key: string): Promise<void> {
    await this.#delete('PersistentVolumeClaim', storageClaimName(key));
  }

  async *logs(space: SpaceId, release: ReleaseId, opts: RunLogOptions): AsyncIterable<LogLine> {
    await this.start();
    const d = this.#informers.deployments.get(releaseObjectName(space, release), this.#p.namespace);
    if (!d) throw fail('instanceNotFound', { space, release });
    if (opts.tail === 0) return;
    const pod = currentPod(d, this.#podsOf(d));
    if (!pod || (d.spec?.replicas ?? 1) === 0) return;
    const verdict = podVerdict(pod, '');
    this.apiCalls++;
    try {
      yield* streamPodLog(this.#kc, {
        namespace: this.#p.namespace,
        pod: pod.metadata!.name!,
        previous: verdict.kind === 'exited' && verdict.previous,
        ...opts,
      });
    } catch (err) {
      throw mapKubernetesError(err, { action: `read the log of ${space} (release ${release})` });
    }
  }

  watch(onChange: (space: SpaceId) => void): () => void {
    this.#listeners.add(onChange);
    void this.start().catch(() => undefined);
    return () => this.#listeners.delete(onChange);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#informers.close();
  }
}
