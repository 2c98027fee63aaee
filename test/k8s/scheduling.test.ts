import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesRuntime, loadKubeConfig } from '../../controller/runtime/index.js';
import { HUB_FLAVORS, hardwareFileSchema, resolveHardware, silentLogger, toSpaceId, type ReleaseId } from '../../core/index.js';
import { helmBinary, renderChart, type Manifest } from '../support/helm.js';
import { waitFor } from '../support/http.js';
import { useTestCluster, type TestCluster } from '../support/k8s-cluster.js';

/**
 * The chart's scheduling for users on the test cluster (issue 18, chart item 3): the rendered
 * objects pass a server-side dry run; the image pre-puller's pod pulls an SDK base image on the real
 * node and then sleeps; placeholders hold the kwok GPU nodes' GPUs until a Space pod (as the
 * controller's Kubernetes runtime makes it, with the chart's Spaces PriorityClass) needs one: the
 * scheduler preempts a placeholder and the Space lands on a GPU node.
 */
const RUN = randomBytes(3).toString('hex');
const SIMULATED = { key: 'spaceport.dev/simulated', operator: 'Exists', effect: 'NoSchedule' };
const HARDWARE = { tolerations: [SIMULATED], gpu: { nodeSelector: { 'spaceport.dev/pool': 'gpu' } } };

interface PodJson {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string; priorityClassName?: string; priority?: number };
  status: { phase?: string; initContainerStatuses?: { imageID: string; state: { terminated?: { exitCode: number } } }[]; containerStatuses?: { ready: boolean }[] };
}

describe('scheduling for users on the test cluster: pre-puller, priority classes, placeholders', () => {
  let cluster: TestCluster;
  let ns: string;
  let dir: string;
  let manifests: Manifest[];
  let baseImage: string;
  const release = `sched${RUN}`;

  const pods = async (): Promise<PodJson[]> =>
    (JSON.parse(await cluster.kubectl(['-n', ns, 'get', 'pods', '-o', 'json'])).items as PodJson[]).filter((p) => !p.metadata.deletionTimestamp);
  const placeholders = async () => (await pods()).filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'placeholder');

  beforeAll(async () => {
    cluster = await useTestCluster();
    ns = await cluster.createNamespace('sp-sched');
    baseImage = await cluster.pushImage('spaceport/python:3.11', `sched-${RUN}/base/python`);
    dir = mkdtempSync(join(tmpdir(), 'sp-sched-'));
    const values = join(dir, 'values.yaml');
    writeFileSync(
      values,
      JSON.stringify({
        registry: { push: `${cluster.registry}/sched-${RUN}` },
        hardware: HARDWARE,
        scheduling: {
          // The test cluster's pod sandbox image: nodes have it, no registry is reached.
          pauseImage: { repository: 'spaceport.local/pause', tag: '1' },
          priorityClasses: { enabled: true },
          placeholders: { 't4-small': { replicas: 2 } },
          imagePrePuller: { images: [baseImage] },
        },
      }),
    );
    ({ manifests } = await renderChart(helmBinary(cluster.toolsBin), { release, namespace: ns, valuesFiles: [values] }));
    for (const m of manifests) if (m.kind !== 'PriorityClass') m.metadata.namespace ??= ns;
  }, 300_000);

  afterAll(async () => {
    if (ns) await cluster.deleteNamespace(ns);
    await cluster?.kubectl(['delete', 'priorityclass', `${release}-spaceport-${ns}-spaces`, `${release}-spaceport-${ns}-placeholders`, '--ignore-not-found']).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the whole chart with scheduling on passes a server-side dry run', async () => {
    const list = { apiVersion: 'v1', kind: 'List', items: manifests };
    const out = await cluster.kubectl(['apply', '--server-side', '--dry-run=server', '--field-manager=sched-test', '-f', '-'], JSON.stringify(list));
    expect(out.trim().split('\n')).toHaveLength(manifests.length);
    expect(out).toContain(`priorityclass.scheduling.k8s.io/${release}-spaceport-${ns}-placeholders`);
  });

  it('the image pre-puller pulls the SDK base image on the real node, then sleeps', async () => {
    const ds = manifests.filter((m) => m.kind === 'DaemonSet');
    expect(ds).toHaveLength(1);
    await cluster.kubectl(['apply', '--server-side', '--field-manager=sched-test', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: ds }));
    const onReal = await waitFor(
      'the pre-puller pod on the real node running',
      async () => {
        const p = (await pods()).find((x) => x.spec.nodeName === cluster.realNode && x.metadata.name.includes('image-prepuller'));
        return p?.status.phase === 'Running' && p.status.containerStatuses?.[0]?.ready ? p : undefined;
      },
      240_000,
      500,
    );
    const init = onReal.status.initContainerStatuses![0]!;
    expect(init.state.terminated?.exitCode).toBe(0);
    expect(init.imageID).toContain(baseImage.split('@')[1]);
  }, 300_000);

  it('placeholders hold the GPUs; a Space pod preempts one and runs on a kwok GPU node', async () => {
    const sched = manifests.filter((m) => m.kind === 'PriorityClass' || (m.kind === 'Deployment' && m.metadata.name.includes('placeholder')));
    expect(sched.map((m) => m.kind).sort()).toEqual(['Deployment', 'PriorityClass', 'PriorityClass']);
    await cluster.kubectl(['apply', '--server-side', '--field-manager=sched-test', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: sched }));
    const gpuNodes = cluster.kwokNodes.gpu;
    const held = await waitFor(
      'both placeholders running on the kwok GPU nodes',
      async () => {
        const ps = await placeholders();
        return ps.length === 2 && ps.every((p) => p.status.phase === 'Running' && gpuNodes.includes(p.spec.nodeName ?? '')) ? ps : undefined;
      },
      60_000,
      200,
    );
    expect(held[0]!.spec.priority).toBe(-10);

    const hw = resolveHardware(hardwareFileSchema.parse(HARDWARE));
    const runtime = new KubernetesRuntime({
      kubeConfig: loadKubeConfig(cluster.kubeconfigPath),
      placement: { namespace: ns, instance: `sched-${RUN}`, gpu: hw.gpu, nodeSelector: hw.nodeSelector, tolerations: hw.tolerations, priorityClassName: `${release}-spaceport-${ns}-spaces` },
      logger: silentLogger(),
    });
    const space = toSpaceId('alice', 'gpu-app');
    try {
      await runtime.apply({
        space,
        release: 'r1' as ReleaseId,
        image: baseImage,
        port: 7860,
        env: {},
        flavor: HUB_FLAVORS.find((f) => f.name === 't4-small')!,
      });
      const ready = await waitFor('the Space ready on a GPU node', async () => {
        const [inst] = await runtime.list(space);
        return inst?.state.kind === 'ready' ? inst : undefined;
      }, 60_000, 200);
      expect(ready.state.kind).toBe('ready');
      const spacePod = (await pods()).find((p) => p.metadata.annotations?.['spaceport.dev/space'] === space)!;
      expect(gpuNodes).toContain(spacePod.spec.nodeName);
      expect(spacePod.spec.priorityClassName).toBe(`${release}-spaceport-${ns}-spaces`);
      // One placeholder gave its GPU up; its replacement waits (the cluster autoscaler's cue to add a node).
      const after = await waitFor('one placeholder running, one pending', async () => {
        const ps = await placeholders();
        const running = ps.filter((p) => p.status.phase === 'Running');
        return running.length === 1 && ps.some((p) => p.status.phase === 'Pending') ? ps : undefined;
      }, 60_000, 200);
      expect(after.filter((p) => held.some((h) => h.metadata.name === p.metadata.name))).toHaveLength(1);
      const events = await cluster.kubectl(['-n', ns, 'get', 'events', '--field-selector', 'reason=Preempted', '-o', 'json']);
      expect((JSON.parse(events).items as unknown[]).length).toBeGreaterThan(0);
    } finally {
      await runtime.remove(space).catch(() => undefined);
      await runtime.close();
    }
  }, 240_000);
});
