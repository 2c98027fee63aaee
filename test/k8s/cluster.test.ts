/**
 * The Kubernetes test cluster does what the k8s suites rely on: five Ready nodes with their pools,
 * a real node that pulls from our registry and runs pods the host reaches at their IP, and a real
 * scheduler that places GPU pods on the simulated T4 nodes only while they have room.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTestImage, useTestCluster, type TestCluster } from '../support/k8s-cluster.js';
import { TEST_IMAGE_PORT } from '../support/test-image.js';

interface Taint {
  key: string;
  value?: string;
  effect: string;
}
interface NodeJson {
  metadata: { name: string; labels: Record<string, string> };
  spec: { taints?: Taint[] };
  status: { capacity: Record<string, string>; conditions: Array<{ type: string; status: string }> };
}
interface PodJson {
  spec: { nodeName?: string };
  status: {
    phase: string;
    podIP?: string;
    containerStatuses?: Array<{ imageID: string; ready: boolean }>;
  };
}

const SIMULATED: Taint = { key: 'spaceport.dev/simulated', value: 'true', effect: 'NoSchedule' };
const GPU: Taint = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' };
const tolerate = (t: Taint) => ({ key: t.key, operator: 'Equal', value: t.value, effect: t.effect });

function gpuPod(name: string, gpus: number): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      nodeSelector: { 'nvidia.com/gpu.product': 'Tesla-T4' },
      tolerations: [tolerate(SIMULATED), tolerate(GPU)],
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', image: 'example.invalid/gpu-app:1', resources: { limits: { 'nvidia.com/gpu': String(gpus) } } }],
    },
  };
}

describe('the Kubernetes test cluster', () => {
  let cluster: TestCluster;
  let ns: string | undefined;

  const apply = (manifest: object) => cluster.kubectl(['apply', '-n', ns!, '-f', '-'], JSON.stringify(manifest));
  const getPod = async (name: string): Promise<PodJson> => JSON.parse(await cluster.kubectl(['get', 'pod', name, '-n', ns!, '-o', 'json'])) as PodJson;
  const waitReady = (name: string, timeout = '90s') => cluster.kubectl(['wait', '--for=condition=Ready', `pod/${name}`, '-n', ns!, `--timeout=${timeout}`]);

  beforeAll(async () => {
    cluster = await useTestCluster();
    ns = await cluster.createNamespace('k8s-cluster');
  });

  afterAll(async () => {
    if (ns) await cluster.deleteNamespace(ns);
  });

  it('has its five nodes Ready: the real one untainted, the kwok pools labelled, tainted and sized', async () => {
    const nodes = (JSON.parse(await cluster.kubectl(['get', 'nodes', '-o', 'json'])) as { items: NodeJson[] }).items;
    const byName = new Map(nodes.map((n) => [n.metadata.name, n]));
    // Other suites may add nodes of their own to a shared cluster: check ours.
    const ours = ['localhost', ...cluster.kwokNodes.cpu, ...cluster.kwokNodes.gpu];
    expect(ours.sort()).toEqual(['kwok-cpu-0', 'kwok-cpu-1', 'kwok-gpu-t4-0', 'kwok-gpu-t4-1', 'localhost']);
    for (const name of ours) {
      expect(byName.get(name)?.status.conditions.find((c) => c.type === 'Ready')?.status, name).toBe('True');
    }

    const real = byName.get('localhost')!;
    expect(real.metadata.labels['spaceport.dev/pool']).toBe('real');
    expect(real.spec.taints ?? []).toEqual([]);

    for (const name of cluster.kwokNodes.cpu) {
      const node = byName.get(name)!;
      expect(node.metadata.labels).toMatchObject({ 'spaceport.dev/pool': 'cpu', 'spaceport.dev/simulated': 'true' });
      expect(node.spec.taints).toEqual([SIMULATED]);
      expect(node.status.capacity).toMatchObject({ cpu: '16', memory: '64Gi', pods: '110' });
    }
    for (const name of cluster.kwokNodes.gpu) {
      const node = byName.get(name)!;
      expect(node.metadata.labels).toMatchObject({ 'spaceport.dev/pool': 'gpu', 'nvidia.com/gpu.product': 'Tesla-T4' });
      expect(node.spec.taints).toEqual(expect.arrayContaining([SIMULATED, GPU]));
      expect(node.status.capacity).toMatchObject({ cpu: '16', memory: '64Gi', pods: '110', 'nvidia.com/gpu': '1' });
    }
  });

  it('runs a pod without tolerations on the real node, pulled from the registry, answering HTTP at its pod IP', async () => {
    const image = await pushTestImage(cluster);
    expect(image).toMatch(new RegExp(`^${cluster.registry.replace(/\./g, '\\.')}/spaceport-test/busybox@sha256:[0-9a-f]{64}$`));
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'app', image, imagePullPolicy: 'Always', ports: [{ containerPort: TEST_IMAGE_PORT }] }],
      },
    });
    await waitReady('web');
    const pod = await getPod('web');
    expect(pod.spec.nodeName).toBe('localhost');
    // The kubelet pulled it from our registry (policy Always) and runs that digest. The image ID names the
    // first repository the node knows the digest under (another suite may have pushed it under another name).
    const digest = image.slice(image.indexOf('@'));
    const imageID = pod.status.containerStatuses?.[0]?.imageID ?? '';
    expect(imageID.startsWith(`${cluster.registry}/`) && imageID.endsWith(digest), imageID).toBe(true);
    const events = JSON.parse(
      await cluster.kubectl(['get', 'events', '-n', ns!, '--field-selector', 'involvedObject.name=web,reason=Pulled', '-o', 'json']),
    ) as { items: Array<{ message: string }> };
    expect(events.items.map((e) => e.message).join('\n')).toContain(`Successfully pulled image "${image}"`);
    expect(pod.status.podIP).toMatch(/^10\.89\./);

    const res = await fetch(`http://${pod.status.podIP}:${TEST_IMAGE_PORT}/`, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('spaceport test app');
  }, 180_000);

  it('schedules a pod asking for one T4 onto a kwok GPU node', async () => {
    await apply(gpuPod('gpu-1', 1));
    await waitReady('gpu-1', '30s');
    const pod = await getPod('gpu-1');
    expect(cluster.kwokNodes.gpu).toContain(pod.spec.nodeName);
    expect(pod.status.phase).toBe('Running');
  }, 60_000);

  it('leaves a pod asking for four GPUs Pending with a FailedScheduling event', async () => {
    await apply(gpuPod('gpu-4', 4));
    type EventList = { items: Array<{ reason: string; message: string }> };
    let events: EventList['items'] = [];
    const deadline = Date.now() + 30_000;
    while (events.length === 0 && Date.now() < deadline) {
      const out = await cluster.kubectl(['get', 'events', '-n', ns!, '--field-selector', 'involvedObject.name=gpu-4,reason=FailedScheduling', '-o', 'json']);
      events = (JSON.parse(out) as EventList).items;
      if (events.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]!.message).toContain('Insufficient nvidia.com/gpu');
    const pod = await getPod('gpu-4');
    expect(pod.status.phase).toBe('Pending');
    expect(pod.spec.nodeName).toBeUndefined();
  }, 60_000);
});
