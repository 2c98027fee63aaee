import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { find, helmBinary, renderChart, type Manifest } from '../support/helm.js';

/**
 * What operators set on a chart, as `helm template` renders it (issue 18, chart items 5–9): the
 * extension points on every pod the chart runs, resources on the dind builder, a checksum that restarts
 * pods when the Secret's inputs change, the data volume kept on uninstall, Pod Security `restricted` on
 * the Spaces namespace, the metrics token from a Secret (ServiceMonitor, scrape annotations), and
 * ingress-nginx annotations that let git pushes and websockets through. The apiserver's view of the same
 * manifests (server-side dry run) is in test/k8s/helm-chart.test.ts; NOTES in test/k8s/helm-notes.test.ts.
 */
const REGISTRY = 'registry.push=registry.example.com/spaceport';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spaceport-chart-values-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function render(values: Record<string, unknown> = {}, set: string[] = []): Promise<Manifest[]> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, YAML.stringify(values));
  return (await renderChart(helmBinary(), { namespace: 'spaceport', valuesFiles: [file], set: [REGISTRY, ...set] })).manifests;
}

function annotations(m: Manifest): Record<string, string> | undefined {
  return (m.metadata as { annotations?: Record<string, string> }).annotations;
}

function deployment(manifests: Manifest[], component: string): Manifest {
  const d = find(manifests, 'Deployment', `-${component}`);
  if (!d) throw new Error(`no ${component} Deployment rendered`);
  return d;
}

const extras = (who: string) => ({
  extraEnv: [{ name: 'EXTRA', value: who }],
  extraVolumes: [{ name: 'ca', configMap: { name: 'corp-ca' } }],
  extraVolumeMounts: [{ name: 'ca', mountPath: '/etc/corp-ca', readOnly: true }],
  initContainers: [{ name: 'wait', image: 'busybox:1', command: ['true'] }],
  podLabels: { 'team.example.com/owner': who },
  podAnnotations: { 'example.com/note': who },
  priorityClassName: `${who}-critical`,
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' }],
  terminationGracePeriodSeconds: 77,
  readinessProbe: { periodSeconds: 13 },
  livenessProbe: { periodSeconds: 41 },
});

describe('chart: extension points operators look for', () => {
  it('puts extraEnv, volumes, init containers, labels, priority, spread, grace and probes on every pod', async () => {
    const manifests = await render({
      commonLabels: { 'cost-center': 'ml' },
      controller: { ...extras('controller'), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0 } } },
      proxy: extras('proxy'),
      builder: { dind: { ...extras('builder'), strategy: { type: 'Recreate' } } },
    });
    for (const [component, container] of [['controller', 'controller'], ['proxy', 'proxy'], ['builder', 'dockerd']] as const) {
      const d = deployment(manifests, component);
      const pod = d.spec.template.spec;
      const c = pod.containers.find((x: { name: string }) => x.name === container);
      expect(c.env, component).toContainEqual({ name: 'EXTRA', value: component });
      expect(c.volumeMounts, component).toContainEqual({ name: 'ca', mountPath: '/etc/corp-ca', readOnly: true });
      expect(pod.volumes, component).toContainEqual({ name: 'ca', configMap: { name: 'corp-ca' } });
      expect(pod.initContainers, component).toEqual([{ name: 'wait', image: 'busybox:1', command: ['true'] }]);
      expect(d.spec.template.metadata.labels, component).toMatchObject({ 'team.example.com/owner': component, 'cost-center': 'ml' });
      expect(d.spec.template.metadata.annotations, component).toMatchObject({ 'example.com/note': component });
      expect(d.metadata.labels, component).toMatchObject({ 'cost-center': 'ml' });
      expect(pod.priorityClassName, component).toBe(`${component}-critical`);
      expect(pod.terminationGracePeriodSeconds, component).toBe(77);
      expect(pod.topologySpreadConstraints, component).toHaveLength(1);
      // A changed field keeps the chart's probe: the path or port stays.
      expect(c.readinessProbe.periodSeconds, component).toBe(13);
      expect(c.livenessProbe.periodSeconds, component).toBe(41);
      expect(c.readinessProbe.httpGet ?? c.readinessProbe.tcpSocket, component).toBeDefined();
    }
    expect(deployment(manifests, 'controller').spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0 } });
    // commonLabels on every object the chart makes; pod selectors stay as they were (immutable).
    for (const m of manifests) expect(m.metadata.labels?.['cost-center'], `${m.kind} ${m.metadata.name}`).toBe('ml');
    expect(deployment(manifests, 'controller').spec.selector.matchLabels).not.toHaveProperty('cost-center');
  });

  it('leaves pod specs as before when nothing is set, and gives the dind builder resources', async () => {
    const manifests = await render();
    for (const component of ['controller', 'proxy', 'builder']) {
      const pod = deployment(manifests, component).spec.template.spec;
      for (const key of ['initContainers', 'priorityClassName', 'terminationGracePeriodSeconds', 'topologySpreadConstraints', 'hostAliases']) {
        expect(pod, `${component} ${key}`).not.toHaveProperty(key);
      }
      expect(pod.containers[0].resources.requests, component).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(pod.containers[0].resources.limits?.memory, component).toBeDefined();
    }
    expect(deployment(manifests, 'controller').spec.strategy).toEqual({ type: 'Recreate' });
    expect(deployment(manifests, 'builder').spec.strategy).toEqual({ type: 'Recreate' });
  });
});

describe('chart: controller.hostAliases', () => {
  it('puts extra /etc/hosts entries on the controller pod only', async () => {
    // As test/k8s/controller-replicas.test.ts sets it: the apiserver under a name its certificate holds.
    const aliases = [{ ip: '10.89.0.1', hostnames: ['kubernetes.default.svc'] }];
    const manifests = await render({ controller: { hostAliases: aliases } });
    expect(deployment(manifests, 'controller').spec.template.spec.hostAliases).toEqual(aliases);
    expect(deployment(manifests, 'proxy').spec.template.spec).not.toHaveProperty('hostAliases');
  });
});

describe('chart: the Secret, the data volume and the Spaces namespace', () => {
  it('restarts the controller and proxies when the registry credentials change (checksum/secret)', async () => {
    const sum = async (password: string) => {
      const m = await render({ registry: { username: 'robot', password } });
      return ['controller', 'proxy'].map((c) => deployment(m, c).spec.template.metadata.annotations['checksum/secret']);
    };
    const [a, b, c] = [await sum('one-password'), await sum('one-password'), await sum('two-password')];
    expect(a[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(a).toEqual(b); // generated tokens are not in it: stable across renders
    expect(c[0]).not.toBe(a[0]);
    expect(c[1]).not.toBe(a[1]);
  });

  it('keeps the data volume on uninstall unless told not to', async () => {
    const kept = find(await render(), 'PersistentVolumeClaim', '-controller')!;
    expect(annotations(kept)).toMatchObject({ 'helm.sh/resource-policy': 'keep' });
    const dropped = find(await render({ controller: { persistence: { keep: false } } }), 'PersistentVolumeClaim', '-controller')!;
    expect(annotations(dropped)?.['helm.sh/resource-policy']).toBeUndefined();
  });

  it('enforces Pod Security restricted on a Spaces namespace it creates', async () => {
    const ns = find(await render({ spaces: { namespace: 'spaces', createNamespace: true } }), 'Namespace', 'spaces')!;
    expect(ns.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
  });
});

describe('chart: Space images from a registry that needs a login', () => {
  it('makes a dockerconfigjson Secret in the Spaces namespace from the registry credentials and names it to the controller', async () => {
    const manifests = await render({
      registry: { username: 'robot$sp', password: 'pw-1', pullSecrets: ['mirror-login'] },
      spaces: { namespace: 'spaces', createNamespace: true },
    }, ['registry.push=harbor.acme.dev/spaceport']);
    const secret = find(manifests, 'Secret', 'sp-spaceport-pull')!;
    expect(secret.type).toBe('kubernetes.io/dockerconfigjson');
    expect(secret.metadata.namespace).toBe('spaces');
    expect(JSON.parse(Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString())).toEqual({
      auths: { 'harbor.acme.dev': { username: 'robot$sp', password: 'pw-1', auth: Buffer.from('robot$sp:pw-1').toString('base64') } },
    });
    const env = deployment(manifests, 'controller').spec.template.spec.containers[0].env as Array<{ name: string; value?: string }>;
    expect(env).toContainEqual({ name: 'SPACEPORT_K8S_IMAGE_PULL_SECRETS', value: 'sp-spaceport-pull,mirror-login' });
  });

  it('makes none without credentials (or with them only in an existing Secret)', async () => {
    for (const registry of [{}, { existingSecret: 'reg' }]) {
      const manifests = await render({ registry });
      expect(find(manifests, 'Secret', 'sp-spaceport-pull')).toBeUndefined();
      const env = deployment(manifests, 'controller').spec.template.spec.containers[0].env as Array<{ name: string }>;
      expect(env.map((e) => e.name)).not.toContain('SPACEPORT_K8S_IMAGE_PULL_SECRETS');
    }
  });
});

describe('chart: metrics', () => {
  it('gives the controller a metrics token from the Secret, and scrapes with it', async () => {
    const manifests = await render({ metrics: { scrapeAnnotations: true, serviceMonitor: { enabled: true, labels: { release: 'prometheus' } } } });
    const controller = deployment(manifests, 'controller');
    const env = controller.spec.template.spec.containers[0].env as Array<{ name: string; value?: string; valueFrom?: any }>;
    expect(env).toContainEqual({ name: 'SPACEPORT_METRICS', value: 'protected' });
    expect(env.find((e) => e.name === 'SPACEPORT_METRICS_TOKEN')?.valueFrom).toEqual({ secretKeyRef: { name: 'sp-spaceport', key: 'metrics-token' } });
    const secret = find(manifests, 'Secret', 'sp-spaceport')!;
    expect(Buffer.from(secret.data['metrics-token'], 'base64').toString()).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(controller.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/metrics', 'prometheus.io/port': '8080' });
    const sm = find(manifests, 'ServiceMonitor', '-controller')!;
    expect(sm.metadata.labels).toMatchObject({ release: 'prometheus' });
    expect(sm.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s', bearerTokenSecret: { name: 'sp-spaceport', key: 'metrics-token' } }]);

    const own = await render({ metrics: { token: { existingSecret: 'prom-token', existingSecretKey: 't' }, serviceMonitor: { enabled: true } } });
    expect(find(own, 'Secret', 'sp-spaceport')!.data).not.toHaveProperty('metrics-token');
    expect(find(own, 'ServiceMonitor', '-controller')!.spec.endpoints[0].bearerTokenSecret).toEqual({ name: 'prom-token', key: 't' });
    expect(find(await render(), 'ServiceMonitor', '-controller')).toBeUndefined();
  });
});

describe('chart: the Ingress', () => {
  it('lets large git pushes and long websockets through ingress-nginx by default', async () => {
    const ingress = find(await render(), 'Ingress', 'sp-spaceport')!;
    expect(annotations(ingress)).toMatchObject({
      'nginx.ingress.kubernetes.io/proxy-body-size': '0',
      'nginx.ingress.kubernetes.io/proxy-request-buffering': 'off',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
    });
  });
});
