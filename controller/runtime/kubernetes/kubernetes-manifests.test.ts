import { describe, expect, it } from 'vitest';
import { HUB_FLAVORS, resolveHardware, hardwareFileSchema, toSpaceId, type ReleaseId } from '../../../core/index.js';
import {
  placementFor,
  releaseObjectName,
  renderDeployment,
  renderReleaseConfig,
  renderStorageClaim,
  spaceBaseName,
  splitEnv,
  type KubernetesPlacement,
} from './kubernetes-manifests.js';
import type { InstanceSpec } from '../runtime.js';

const hw = resolveHardware(hardwareFileSchema.parse({}));
const placement: KubernetesPlacement = { namespace: 'spaces', instance: 'spaceport', gpu: hw.gpu, nodeSelector: { pool: 'spaces' }, tolerations: [] };
const flavor = (name: string) => HUB_FLAVORS.find((f) => f.name === name)!;
const anchor = { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u-1' };
const space = toSpaceId('Alice', 'My_Demo.v2');
const spec = (extra: Partial<InstanceSpec> = {}): InstanceSpec => ({
  space,
  release: 'r_AbC-_9' as ReleaseId,
  image: '127.0.0.1:5000/spaceport/alice-my-demo@sha256:abc',
  port: 7860,
  env: { GREETING: 'hi', HF_TOKEN: 'hf_secret_value' },
  secretKeys: ['HF_TOKEN'],
  flavor: flavor('cpu-basic'),
  ...extra,
});

type Pod = { priorityClassName?: string; nodeSelector?: Record<string, string>; tolerations?: unknown[]; runtimeClassName?: string; securityContext: Record<string, unknown>; containers: Record<string, any>[] };
const podOf = (d: ReturnType<typeof renderDeployment>): Pod => (d.spec as { template: { spec: Pod } }).template.spec;

describe('kubernetes manifests', () => {
  it('names are DNS labels, stable per Space and release, short enough for pod names', () => {
    const base = spaceBaseName(space);
    expect(base).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    const name = releaseObjectName(space, 'r_AbC-_9' as ReleaseId);
    expect(name.length).toBeLessThanOrEqual(54);
    expect(name).toMatch(/^[a-z0-9-]+$/);
    expect(spaceBaseName(toSpaceId('a'.repeat(40), 'b'.repeat(60))).length).toBeLessThanOrEqual(43);
    expect(spaceBaseName(toSpaceId('alice', 'demo'))).not.toBe(spaceBaseName(toSpaceId('alice-demo', 'x')));
  });

  it('a secret is only in the Secret: never in the Deployment or the ConfigMap', () => {
    const d = renderDeployment(placement, { spec: spec(), replicas: 1, starts: 0, anchor });
    expect(JSON.stringify(d)).not.toContain('hf_secret_value');
    const [cm, secret] = renderReleaseConfig(placement, spec(), anchor);
    expect(JSON.stringify(cm)).not.toContain('hf_secret_value');
    expect(cm!.data).toMatchObject({ GREETING: 'hi', SPACE_ID: space, SYSTEM: 'spaces' });
    expect(secret!.stringData).toEqual({ HF_TOKEN: 'hf_secret_value' });
    expect(podOf(d).containers[0]!.envFrom).toEqual([{ configMapRef: { name: d.metadata.name } }, { secretRef: { name: d.metadata.name } }]);
    expect(splitEnv(spec()).secrets).toEqual({ HF_TOKEN: 'hf_secret_value' });
  });

  it('a changed variable or secret changes the pod template (a new pod), a rerender does not', () => {
    const a = renderDeployment(placement, { spec: spec(), replicas: 1, starts: 0, anchor });
    const same = renderDeployment(placement, { spec: spec(), replicas: 1, starts: 0, anchor });
    const b = renderDeployment(placement, { spec: spec({ env: { GREETING: 'hi', HF_TOKEN: 'rotated' } }), replicas: 1, starts: 0, anchor });
    expect(JSON.stringify(a)).toBe(JSON.stringify(same));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
  });

  it('non-root, no privilege escalation, every capability dropped, readiness on the app port, owned by the anchor', () => {
    const d = renderDeployment(placement, { spec: spec(), replicas: 1, starts: 0, anchor });
    const pod = podOf(d);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
    const c = pod.containers[0]!;
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] } });
    expect(c.readinessProbe.tcpSocket).toEqual({ port: 'app' });
    expect(c.ports).toEqual([{ name: 'app', containerPort: 7860, protocol: 'TCP' }]);
    expect(c.image).toBe('127.0.0.1:5000/spaceport/alice-my-demo@sha256:abc');
    expect(d.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ConfigMap', uid: 'u-1' });
    expect(pod.nodeSelector).toEqual({ pool: 'spaces' });
    expect(pod.tolerations).toBeUndefined();
  });

  it('a liveness probe (GET / on the app port, as the cluster settings say) held off by a startup probe until the port opens', () => {
    const c = podOf(renderDeployment({ ...placement, liveness: { periodSeconds: 4, timeoutSeconds: 2, failureThreshold: 5 } }, { spec: spec(), replicas: 1, starts: 0, anchor })).containers[0]!;
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/', port: 'app' }, periodSeconds: 4, timeoutSeconds: 2, failureThreshold: 5 });
    expect(c.startupProbe.tcpSocket).toEqual({ port: 'app' });
    // Long enough for any start the reconciler allows (startup_duration_timeout, 30 min by default).
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBeGreaterThanOrEqual(60 * 60);
    const byDefault = podOf(renderDeployment(placement, { spec: spec(), replicas: 1, starts: 0, anchor })).containers[0]!;
    expect(byDefault.livenessProbe).toMatchObject({ periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 });
  });

  it("Space pods get the install's PriorityClass when the cluster settings name one, none by default", () => {
    expect(podOf(renderDeployment({ ...placement, priorityClassName: 'sp-spaceport-ns-spaces' }, { spec: spec(), replicas: 1, starts: 0, anchor })).priorityClassName).toBe('sp-spaceport-ns-spaces');
    expect(podOf(renderDeployment(placement, { spec: spec(), replicas: 1, starts: 0, anchor })).priorityClassName).toBeUndefined();
  });

  it('pulls Space images with the registry login Secrets the cluster settings name, and with none by default', () => {
    const withSecrets = podOf(renderDeployment({ ...placement, imagePullSecrets: ['spaceport-pull', 'mirror'] }, { spec: spec(), replicas: 1, starts: 0, anchor }));
    expect((withSecrets as Record<string, unknown>).imagePullSecrets).toEqual([{ name: 'spaceport-pull' }, { name: 'mirror' }]);
    const plain = podOf(renderDeployment(placement, { spec: spec(), replicas: 1, starts: 0, anchor }));
    expect(plain).not.toHaveProperty('imagePullSecrets');
  });

  it('cpu flavors get cpu, memory and their disk as ephemeral storage; cpu and memory requests default to the limits', () => {
    const p = placementFor(placement, flavor('cpu-upgrade'));
    expect(p.resources).toEqual({
      requests: { cpu: '8000m', memory: '32768Mi', 'ephemeral-storage': '0' },
      limits: { cpu: '8000m', memory: '32768Mi', 'ephemeral-storage': '50G' },
    });
    expect(p.tolerations).toEqual([]);
  });

  it("limits ephemeral storage to the flavor's disk, reserving none, and leaves it alone for a flavor without one", () => {
    expect(placementFor(placement, flavor('t4-medium')).resources).toMatchObject({ limits: { 'ephemeral-storage': '100G' }, requests: { 'ephemeral-storage': '0' } });
    const noDisk = placementFor(placement, { ...flavor('cpu-basic'), diskGb: undefined });
    expect(noDisk.resources.limits).not.toHaveProperty('ephemeral-storage');
    expect(noDisk.resources.requests).not.toHaveProperty('ephemeral-storage');
  });

  it('a GPU flavor asks for the GPU resource, selects the product label, tolerates the GPU taint', () => {
    const d = renderDeployment(placement, { spec: spec({ flavor: flavor('t4-small') }), replicas: 1, starts: 0, anchor });
    const pod = podOf(d);
    expect(pod.containers[0]!.resources.limits).toMatchObject({ 'nvidia.com/gpu': '1', cpu: '4000m' });
    expect(pod.nodeSelector).toEqual({ pool: 'spaces', 'nvidia.com/gpu.product': 'Tesla-T4' });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  it('GKE labels, product map, runtime class and extra GPU node selectors come from the cluster settings', () => {
    const gke = resolveHardware(
      hardwareFileSchema.parse({ gpu: { labelPreset: 'gke', runtimeClassName: 'nvidia', nodeSelector: { 'cloud.google.com/gke-nodepool': 'gpu' } } }),
    );
    const p = placementFor({ ...placement, gpu: gke.gpu }, flavor('a10g-largex2'));
    expect(p.nodeSelector).toMatchObject({ 'cloud.google.com/gke-accelerator': 'nvidia-a10g', 'cloud.google.com/gke-nodepool': 'gpu' });
    expect(p.resources.limits['nvidia.com/gpu']).toBe('2');
    expect(p.runtimeClassName).toBe('nvidia');
  });

  it('storage is a ReadWriteOnce claim sized by its tier, named by the stable key, mounted at /data', () => {
    const s = spec({ storage: { key: 'uid-1', tier: 'small', sizeBytes: 20e9 } });
    const claim = renderStorageClaim({ ...placement, storageClassName: 'fast' }, s)!;
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20G' } }, storageClassName: 'fast' });
    expect(claim.metadata.ownerReferences).toBeUndefined();
    const pod = podOf(renderDeployment(placement, { spec: s, replicas: 1, starts: 0, anchor }));
    expect(pod.containers[0]!.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
    expect(renderStorageClaim(placement, spec())).toBeUndefined();
  });
});
