/**
 * The Kubernetes objects of a Space, as plain JSON. Pure: tested without a cluster, applied by
 * `KubernetesRuntime` with server-side apply.
 *
 * Per Space: an anchor ConfigMap `{base}` that owns everything else of the Space (deleting it
 * deletes them all), a Service `{base}` over the Space's ready pods, and optionally a
 * PersistentVolumeClaim `data-{storage key}` (not owned: storage outlives a release and is deleted
 * only on request or with the Space). Per release: a Deployment `{base}-{release hash}` with its
 * variables in a ConfigMap and its secrets in a Secret of the same name (owned by the anchor too,
 * deleted with the release), read through `envFrom`, so no value is ever in the Deployment itself.
 * The pod template carries a hash of the env, so a changed variable or secret rolls a new pod.
 */
import { createHash } from 'node:crypto';
import { baseSubdomain, flavorRequests, type Flavor, type GpuScheduling, type ReleaseId, type SpaceId, type Toleration } from '../../../core/index.js';
import { runtimeEnv } from '../docker/docker-create-options.js';
import type { InstanceSpec } from '../runtime.js';

export const K8S_LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  component: 'app.kubernetes.io/component',
  instance: 'spaceport.dev/instance',
  spaceHash: 'spaceport.dev/space-hash',
  releaseHash: 'spaceport.dev/release-hash',
  flavor: 'spaceport.dev/flavor',
} as const;

export const K8S_ANNOTATIONS = {
  space: 'spaceport.dev/space',
  release: 'spaceport.dev/release',
  /** Starts after the first one (wake after sleep, restart after an exit): restartCount. */
  starts: 'spaceport.dev/starts',
  port: 'spaceport.dev/port',
  storageKey: 'spaceport.dev/storage-key',
  envHash: 'spaceport.dev/env-hash',
} as const;

export const MANAGED_BY = 'spaceport';
export const CONTAINER_NAME = 'app';
export const FIELD_MANAGER = 'spaceport';

export interface KubernetesPlacement {
  namespace: string;
  /** `spaceport.dev/instance` label: installs sharing a namespace stay apart. */
  instance: string;
  gpu: GpuScheduling;
  /** For every Space pod. */
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  /** Requests as a fraction of limits for flavors without explicit requests (default 1). */
  requestRatio?: { cpu: number; memory: number };
  storageClassName?: string;
  /** dockerconfigjson Secrets in `namespace` that nodes pull Space images with (a registry that needs a login). */
  imagePullSecrets?: string[];
  /** The PriorityClass of Space pods (the chart's scheduling.priorityClasses): higher than placeholders', so a Space preempts them. */
  priorityClassName?: string;
  /** The kubelet's liveness probe of a started app (`SPACEPORT_LIVENESS_*`; default: every 10 s, 5 s each, 3 failures). */
  liveness?: LivenessProbePolicy;
}

export interface LivenessProbePolicy {
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

const DEFAULT_LIVENESS: LivenessProbePolicy = { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 };
/**
 * The startup probe allows this long for the port to open. The reconciler enforces the Space's own
 * `startup_duration_timeout` (30 min by default) before that; this only keeps the liveness probe
 * off until the app started, however slow its start.
 */
const STARTUP_PROBE_SECONDS = 2 * 60 * 60;

/**
 * Probes of the app container. Ready when its port accepts connections (every second). Liveness as
 * the Docker runtime's check after ready (lifecycle/liveness-check.ts): GET / on the app port, and
 * an app that gets no answer `failureThreshold` times in a row is hung; the kubelet kills and
 * restarts it in place, which the runtime reports as a restart (`restartedInPlace`) and the
 * reconciler counts as a crash. The startup probe holds liveness off until the port opened, so a
 * slow start (model downloads) is never taken for a hang. Unlike the Docker check, the kubelet
 * takes an answer of 400 or more as a failure: an app must answer GET / below 400.
 */
export function probesFor(p: KubernetesPlacement): Record<string, unknown> {
  const l = p.liveness ?? DEFAULT_LIVENESS;
  return {
    startupProbe: { tcpSocket: { port: 'app' }, periodSeconds: 1, timeoutSeconds: 2, failureThreshold: STARTUP_PROBE_SECONDS },
    readinessProbe: { tcpSocket: { port: 'app' }, periodSeconds: 1, timeoutSeconds: 2, successThreshold: 1, failureThreshold: 3 },
    livenessProbe: {
      httpGet: { path: '/', port: 'app' },
      periodSeconds: l.periodSeconds,
      timeoutSeconds: l.timeoutSeconds,
      failureThreshold: l.failureThreshold,
    },
  };
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  };
  [key: string]: unknown;
}

function hash(text: string, n: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, n);
}

export function spaceHash(space: SpaceId): string {
  return hash(`space:${space}`, 16);
}

export function releaseHash(release: ReleaseId): string {
  return hash(`release:${release}`, 10);
}

/** `{subdomain, cut to 36}-{hash6}`: a DNS label (Service names must be), unique per Space. */
export function spaceBaseName(space: SpaceId): string {
  const head = baseSubdomain(space).slice(0, 36).replace(/-+$/, '').replace(/^[^a-z]+/, '');
  return `${head || 's'}-${spaceHash(space).slice(0, 6)}`;
}

/** The Deployment (and its ConfigMap and Secret) of one release. At most 54 characters, so pod names stay under 63. */
export function releaseObjectName(space: SpaceId, release: ReleaseId): string {
  return `${spaceBaseName(space)}-${releaseHash(release)}`;
}

export function storageClaimName(key: string): string {
  return `data-${hash(`storage:${key}`, 16)}`;
}

/** Label selector of everything one install manages (optionally of one Space). */
export function selectorFor(instance: string, space?: SpaceId): string {
  const parts = [`${K8S_LABELS.managedBy}=${MANAGED_BY}`, `${K8S_LABELS.instance}=${instance}`];
  if (space) parts.push(`${K8S_LABELS.spaceHash}=${spaceHash(space)}`);
  return parts.join(',');
}

function spaceLabels(p: KubernetesPlacement, space: SpaceId): Record<string, string> {
  return { [K8S_LABELS.managedBy]: MANAGED_BY, [K8S_LABELS.instance]: p.instance, [K8S_LABELS.spaceHash]: spaceHash(space) };
}

/** Label values must be ≤63 chars of [A-Za-z0-9_.-], alphanumeric at both ends; others are dropped. */
function safeLabels(labels: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) {
    const key = k.includes('/') ? k : `spaceport.dev/${k.replace(/^spaceport\./, '')}`;
    if (/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/.test(v) && /^[a-z0-9.-]{1,253}\/[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(key)) out[key] = v;
  }
  return out;
}

/** Anchor ConfigMap: owns the Space's other objects, so deleting it deletes them (garbage collection). */
export function renderAnchor(p: KubernetesPlacement, space: SpaceId): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: spaceBaseName(space),
      namespace: p.namespace,
      labels: { ...spaceLabels(p, space), [K8S_LABELS.component]: 'space' },
      annotations: { [K8S_ANNOTATIONS.space]: space },
    },
    data: { space },
  };
}

export interface Owner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

function ownedBy(owner: Owner): KubeObject['metadata']['ownerReferences'] {
  return [{ ...owner, controller: true, blockOwnerDeletion: false }];
}

/** The Space's Service: port 80 → the `app` port of its ready pods (in-cluster clients and ingresses). */
export function renderService(p: KubernetesPlacement, space: SpaceId, anchor: Owner): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: spaceBaseName(space),
      namespace: p.namespace,
      labels: { ...spaceLabels(p, space), [K8S_LABELS.component]: 'space' },
      annotations: { [K8S_ANNOTATIONS.space]: space },
      ownerReferences: ownedBy(anchor),
    },
    spec: {
      type: 'ClusterIP',
      selector: spaceLabels(p, space),
      ports: [{ name: 'http', port: 80, targetPort: 'app', protocol: 'TCP' }],
    },
  };
}

/** The env of a release split in two: variables (ConfigMap) and secrets (Secret). */
export function splitEnv(spec: InstanceSpec): { variables: Record<string, string>; secrets: Record<string, string> } {
  const secretKeys = new Set(spec.secretKeys ?? []);
  const all = { ...runtimeEnv(spec, spec.flavor.cpus), ...spec.env };
  const variables: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) (secretKeys.has(k) ? secrets : variables)[k] = v;
  return { variables, secrets };
}

export function renderReleaseConfig(p: KubernetesPlacement, spec: InstanceSpec, owner: Owner): KubeObject[] {
  const { variables, secrets } = splitEnv(spec);
  const meta = {
    name: releaseObjectName(spec.space, spec.release),
    namespace: p.namespace,
    labels: { ...spaceLabels(p, spec.space), [K8S_LABELS.releaseHash]: releaseHash(spec.release), [K8S_LABELS.component]: 'release-env' },
    annotations: { [K8S_ANNOTATIONS.space]: spec.space, [K8S_ANNOTATIONS.release]: spec.release },
    ownerReferences: ownedBy(owner),
  };
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: variables },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta, type: 'Opaque', stringData: secrets },
  ];
}

/** Changes when any variable or secret changes (so the pod is replaced), without revealing them. */
function envHash(spec: InstanceSpec): string {
  const { variables, secrets } = splitEnv(spec);
  return hash(JSON.stringify([Object.entries(variables).sort(), Object.entries(secrets).sort()]), 16);
}

function cpuQuantity(cpus: number): string {
  return `${Math.max(1, Math.round(cpus * 1000))}m`;
}

function memoryQuantity(bytes: number): string {
  const mi = 1024 ** 2;
  return `${Math.max(1, Math.round(bytes / mi))}Mi`;
}

/** Resources, node selector, tolerations and runtime class a flavor asks for on this cluster. */
export function placementFor(p: KubernetesPlacement, flavor: Flavor): {
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  runtimeClassName?: string;
} {
  const req = flavorRequests(flavor, p.requestRatio);
  const resources = {
    requests: { cpu: cpuQuantity(req.cpus), memory: memoryQuantity(req.memoryBytes) } as Record<string, string>,
    limits: { cpu: cpuQuantity(flavor.cpus), memory: memoryQuantity(flavor.memoryBytes) } as Record<string, string>,
  };
  if (flavor.diskGb !== undefined) {
    // The flavor's disk caps what the Space writes outside /data (its image layers' copy-on-write,
    // /tmp, logs): past it the kubelet evicts the pod. Nothing is reserved for scheduling (request 0):
    // nodes that report no ephemeral storage (simulated ones) would otherwise fit no Space at all.
    resources.limits['ephemeral-storage'] = `${flavor.diskGb}G`;
    resources.requests['ephemeral-storage'] = '0';
  }
  const nodeSelector = { ...p.nodeSelector };
  const tolerations = [...p.tolerations];
  const gpus = flavor.gpu?.count ?? 0;
  if (gpus === 0 || !flavor.gpu) return { resources, nodeSelector, tolerations };
  resources.limits[p.gpu.resourceName] = String(gpus);
  resources.requests[p.gpu.resourceName] = String(gpus);
  Object.assign(nodeSelector, p.gpu.nodeSelector, {
    [p.gpu.productLabel]: p.gpu.productValues[flavor.gpu.product] ?? flavor.gpu.product,
  });
  tolerations.push(...p.gpu.tolerations);
  return { resources, nodeSelector, tolerations, ...(p.gpu.runtimeClassName ? { runtimeClassName: p.gpu.runtimeClassName } : {}) };
}

export interface DeploymentInput {
  spec: InstanceSpec;
  replicas: 0 | 1;
  starts: number;
  anchor: Owner;
}

/** One release as a Deployment: non-root, no privilege escalation, no capabilities, readiness on the app port. */
export function renderDeployment(p: KubernetesPlacement, input: DeploymentInput): KubeObject {
  const { spec } = input;
  const name = releaseObjectName(spec.space, spec.release);
  const labels = {
    ...safeLabels(spec.labels),
    ...spaceLabels(p, spec.space),
    [K8S_LABELS.releaseHash]: releaseHash(spec.release),
    [K8S_LABELS.flavor]: spec.flavor.name,
    [K8S_LABELS.component]: 'release',
  };
  const annotations = {
    [K8S_ANNOTATIONS.space]: spec.space,
    [K8S_ANNOTATIONS.release]: spec.release,
    [K8S_ANNOTATIONS.port]: String(spec.port),
    [K8S_ANNOTATIONS.starts]: String(input.starts),
    [K8S_ANNOTATIONS.envHash]: envHash(spec),
    ...(spec.storage ? { [K8S_ANNOTATIONS.storageKey]: spec.storage.key } : {}),
  };
  const place = placementFor(p, spec.flavor);
  const volumes = spec.storage ? [{ name: 'data', persistentVolumeClaim: { claimName: storageClaimName(spec.storage.key) } }] : [];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: p.namespace, labels, annotations, ownerReferences: ownedBy(input.anchor) },
    spec: {
      replicas: input.replicas,
      revisionHistoryLimit: 1,
      // One pod per release: a new release is a new Deployment, so within one the old pod goes first
      // (a ReadWriteOnce /data volume cannot be mounted twice).
      strategy: { type: 'Recreate' },
      selector: { matchLabels: { ...spaceLabels(p, spec.space), [K8S_LABELS.releaseHash]: releaseHash(spec.release) } },
      template: {
        metadata: { labels, annotations },
        spec: {
          automountServiceAccountToken: false,
          // The pause process is PID 1 (as Docker's `Init: true`): an app that ignores SIGTERM as
          // PID 1 (Python's http.server, busybox httpd) still stops at once, not after the grace period.
          shareProcessNamespace: true,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 10,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...(Object.keys(place.nodeSelector).length > 0 ? { nodeSelector: place.nodeSelector } : {}),
          ...(place.tolerations.length > 0 ? { tolerations: place.tolerations } : {}),
          ...(place.runtimeClassName ? { runtimeClassName: place.runtimeClassName } : {}),
          ...(p.priorityClassName ? { priorityClassName: p.priorityClassName } : {}),
          ...(p.imagePullSecrets && p.imagePullSecrets.length > 0 ? { imagePullSecrets: p.imagePullSecrets.map((name) => ({ name })) } : {}),
          containers: [
            {
              name: CONTAINER_NAME,
              image: spec.image,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'app', containerPort: spec.port, protocol: 'TCP' }],
              envFrom: [{ configMapRef: { name } }, { secretRef: { name } }],
              resources: place.resources,
              ...probesFor(p),
              securityContext: {
                allowPrivilegeEscalation: false,
                privileged: false,
                capabilities: { drop: ['ALL'] },
              },
              ...(volumes.length > 0 ? { volumeMounts: [{ name: 'data', mountPath: '/data' }] } : {}),
            },
          ],
          ...(volumes.length > 0 ? { volumes } : {}),
        },
      },
    },
  };
}

/** The Space's /data volume: ReadWriteOnce, sized by its tier; not owned by anything (deleted on request). */
export function renderStorageClaim(p: KubernetesPlacement, spec: InstanceSpec): KubeObject | undefined {
  if (!spec.storage) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: storageClaimName(spec.storage.key),
      namespace: p.namespace,
      labels: { ...spaceLabels(p, spec.space), [K8S_LABELS.component]: 'storage' },
      annotations: { [K8S_ANNOTATIONS.space]: spec.space, [K8S_ANNOTATIONS.storageKey]: spec.storage.key },
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: `${Math.ceil(spec.storage.sizeBytes / 1e9)}G` } },
      ...(p.storageClassName ? { storageClassName: p.storageClassName } : {}),
    },
  };
}
