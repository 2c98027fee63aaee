import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HUB_FLAVORS, hardwareFileSchema, resolveHardware } from '../../core/index.js';
import { placementFor } from '../../controller/runtime/kubernetes/kubernetes-manifests.js';
import { FLAVOR_TABLE, flavorTable } from '../../scripts/k8s/flavor-table.js';
import { find, helmBinary, renderChart, type Manifest } from '../support/helm.js';

/**
 * The chart's scheduling for users (issue 18, chart item 3), as `helm template` renders it:
 * PriorityClasses only when asked for (nothing cluster-scoped by default), named per release and
 * namespace; placeholder pods that ask for exactly what a Space of their flavor asks for (checked
 * against the controller's own placementFor); the image pre-puller DaemonSet. On the test cluster:
 * test/k8s/scheduling.test.ts.
 */
const REGISTRY = 'registry.push=registry.example.com/spaceport';
const PRIORITY = 'scheduling.priorityClasses.enabled=true';

async function render(set: string[], opts: { release?: string; namespace?: string; hardware?: string } = {}): Promise<Manifest[]> {
  const valuesFiles: string[] = [];
  if (opts.hardware) {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'sched-')), 'values.yaml');
    writeFileSync(file, opts.hardware);
    valuesFiles.push(file);
  }
  return (await renderChart(helmBinary(), { namespace: opts.namespace ?? 'spaceport', release: opts.release, valuesFiles, set: [REGISTRY, ...set] })).manifests;
}

const podSpec = (m: Manifest) => m.spec.template.spec as Record<string, any>;
const CLUSTER_SCOPED = new Set(['PriorityClass', 'ClusterRole', 'ClusterRoleBinding', 'Namespace', 'StorageClass', 'CustomResourceDefinition']);

describe('helm chart: scheduling for users', () => {
  it('creates nothing cluster-scoped, no placeholder and no pre-puller by default', async () => {
    const manifests = await render([]);
    expect(manifests.filter((m) => CLUSTER_SCOPED.has(m.kind)).map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([]);
    expect(find(manifests, 'DaemonSet', '-image-prepuller')).toBeUndefined();
    expect(manifests.filter((m) => m.metadata.name.includes('placeholder'))).toEqual([]);
    const env = podSpec(find(manifests, 'Deployment', '-controller')!).containers[0].env as { name: string }[];
    expect(env.map((e) => e.name)).not.toContain('SPACEPORT_K8S_PRIORITY_CLASS');
  });

  it('priority classes: named after release and namespace, Spaces above placeholders, the controller told the Spaces one', async () => {
    const a = await render([PRIORITY], { release: 'one', namespace: 'team-a' });
    const b = await render([PRIORITY], { release: 'one', namespace: 'team-b' });
    const classes = (ms: Manifest[]) => ms.filter((m) => m.kind === 'PriorityClass');
    expect(classes(a).map((m) => m.metadata.name)).toEqual(['one-spaceport-team-a-spaces', 'one-spaceport-team-a-placeholders']);
    expect(classes(b).map((m) => m.metadata.name)).toEqual(['one-spaceport-team-b-spaces', 'one-spaceport-team-b-placeholders']);
    const [spaces, placeholders] = classes(a) as any[];
    expect(spaces.value).toBeGreaterThan(placeholders.value);
    expect(spaces.globalDefault).toBe(false);
    expect(placeholders).toMatchObject({ globalDefault: false, preemptionPolicy: 'Never' });
    const env = podSpec(find(a, 'Deployment', '-controller')!).containers[0].env as { name: string; value?: string }[];
    expect(env.find((e) => e.name === 'SPACEPORT_K8S_PRIORITY_CLASS')?.value).toBe('one-spaceport-team-a-spaces');
    await expect(render([PRIORITY, 'scheduling.priorityClasses.placeholdersValue=5'])).rejects.toThrow(/must be lower than spacesValue/);
  });

  it('the flavor table the chart reads is generated from core/hardware.ts (npx tsx scripts/k8s/flavor-table.ts)', () => {
    expect(readFileSync(FLAVOR_TABLE, 'utf8')).toBe(flavorTable());
  });

  for (const [label, hardware] of [
    ['default GPU labels', ''],
    ['GKE labels, a request ratio and a Spaces node pool', 'hardware:\n  gpu: { labelPreset: gke }\n  requestRatio: { cpu: 0.5, memory: 0.25 }\n  nodeSelector: { pool: spaces }\n  tolerations: [{ key: dedicated, operator: Equal, value: spaces, effect: NoSchedule }]\n'],
  ] as const) {
    it(`a placeholder asks for what a Space of its flavor asks for, at the placeholder priority (${label})`, async () => {
      const manifests = await render([PRIORITY, 'scheduling.placeholders.t4-small.replicas=2', 'scheduling.placeholders.a10g-largex2.replicas=1'], { hardware });
      const file = hardware ? (await import('yaml')).parse(hardware).hardware : {};
      const hw = resolveHardware(hardwareFileSchema.parse(file));
      for (const [flavor, replicas] of [['t4-small', 2], ['a10g-largex2', 1]] as const) {
        const d = find(manifests, 'Deployment', `-placeholder-${flavor}`)!;
        expect(d, flavor).toBeDefined();
        expect(d.metadata.namespace).toBe('spaceport');
        expect(d.spec.replicas).toBe(replicas);
        const pod = podSpec(d);
        const want = placementFor(
          { namespace: 'spaceport', instance: 'x', gpu: hw.gpu, nodeSelector: hw.nodeSelector, tolerations: hw.tolerations, requestRatio: hw.requestRatio },
          { ...HUB_FLAVORS.find((f) => f.name === flavor)!, diskGb: undefined },
        );
        expect(pod.priorityClassName).toBe('sp-spaceport-spaceport-placeholders');
        expect(pod.containers[0].image).toBe('registry.k8s.io/pause:3.10');
        expect(pod.containers[0].resources.requests).toEqual(want.resources.requests);
        expect(pod.containers[0].resources.limits).toEqual({ [hw.gpu.resourceName]: want.resources.limits[hw.gpu.resourceName] });
        expect(pod.nodeSelector).toEqual(want.nodeSelector);
        expect(pod.tolerations).toEqual(want.tolerations);
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
      }
    });
  }

  it('placeholders need the priority classes, a known flavor or their own resources', async () => {
    await expect(render(['scheduling.placeholders.t4-small.replicas=1'])).rejects.toThrow(/needs scheduling.priorityClasses.enabled/);
    await expect(render([PRIORITY, 'scheduling.placeholders.no-such-gpu.replicas=1'])).rejects.toThrow(/no Hub flavor has that name/);
    const own = await render([PRIORITY, 'scheduling.placeholders.pool-x.replicas=1', 'scheduling.placeholders.pool-x.resources.requests.cpu=3', 'scheduling.placeholders.pool-x.nodeSelector.pool=x']);
    const pod = podSpec(find(own, 'Deployment', '-placeholder-pool-x')!);
    expect(pod.containers[0].resources).toEqual({ requests: { cpu: 3 } });
    expect(pod.nodeSelector).toEqual({ pool: 'x' });
  });

  it('the image pre-puller pulls each image in an init container on every node, then sleeps in the pause container', async () => {
    const images = ['registry.example.com/spaceport/base/python:3.11', 'registry.example.com/spaceport/base/node:bookworm'];
    const manifests = await render([...images.map((img, i) => `scheduling.imagePrePuller.images[${i}]=${img}`), 'scheduling.pauseImage.repository=local/pause', 'scheduling.pauseImage.tag=local']);
    const ds = find(manifests, 'DaemonSet', '-image-prepuller')!;
    expect(ds.metadata.namespace).toBe('spaceport');
    const pod = podSpec(ds);
    expect(pod.initContainers.map((c: { image: string }) => c.image)).toEqual(images);
    expect(pod.initContainers[0].command).toEqual(['/bin/true']);
    expect(pod.containers).toHaveLength(1);
    expect(pod.containers[0].image).toBe('local/pause:local');
    expect(pod.containers[0].resources.requests.cpu).toBe('0');
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.automountServiceAccountToken).toBe(false);
    const off = await render([`scheduling.imagePrePuller.images[0]=${images[0]}`, 'scheduling.imagePrePuller.enabled=false']);
    expect(find(off, 'DaemonSet', '-image-prepuller')).toBeUndefined();
  });
});
