import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { KubernetesRuntime, loadKubeConfig } from '../../controller/runtime/index.js';
import { silentLogger } from '../../core/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { waitFor } from '../support/http.js';
import { useTestCluster, type TestCluster } from '../support/k8s-cluster.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * Hardware flavors against the real scheduler and kwok's simulated CPU and GPU pools: Spaceport
 * (API, reconciler, KubernetesRuntime) decides what to run; the kube-scheduler decides where.
 * kwok pods run nothing, so "serving" here is the pod being Ready (what the runtime reports).
 */
const FILES = { 'README.md': '---\ntitle: Gpu\nsdk: docker\napp_port: 7860\n---\n', Dockerfile: 'FROM scratch\n' };
const HARDWARE = {
  offer: ['cpu-basic', 't4-small', 'a10g-large'],
  // kwok nodes carry this taint so that only pods meant for them land there.
  tolerations: [{ key: 'spaceport.dev/simulated', operator: 'Exists', effect: 'NoSchedule' }],
  // CPU Spaces go to the CPU pool; GPU flavors override the pool with the GPU one (as a real
  // cluster with a Spaces pool and a GPU pool would be set up).
  nodeSelector: { 'spaceport.dev/simulated': 'true', 'spaceport.dev/pool': 'cpu' },
  gpu: { nodeSelector: { 'spaceport.dev/pool': 'gpu' } },
};

interface PodJson {
  metadata: { name: string; annotations: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string; tolerations?: { key?: string }[]; containers: { resources: { limits: Record<string, string> } }[] };
  status: { conditions?: { type: string; status: string }[] };
}

describe('hardware on Kubernetes: kwok CPU and GPU pools, the real scheduler', { timeout: 90_000 }, () => {
  let cluster: TestCluster;
  let namespace: string;
  let h: Harness;
  const dirs: string[] = [];

  const pods = async (): Promise<PodJson[]> =>
    (JSON.parse(await cluster.kubectl(['-n', namespace, 'get', 'pods', '-o', 'json'])).items as PodJson[]).filter((p) => !p.metadata.deletionTimestamp);
  const ready = (p: PodJson) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const flavorOf = (p: PodJson) => p.metadata.annotations['spaceport.dev/release'];

  beforeAll(async () => {
    cluster = await useTestCluster();
    namespace = await cluster.createNamespace('sp-hardware');
    h = await startHarness(
      (config) => ({
        runtime: new KubernetesRuntime({
          kubeConfig: loadKubeConfig(cluster.kubeconfigPath),
          placement: {
            namespace,
            instance: 'sptest',
            gpu: config.hardware.gpu,
            nodeSelector: config.hardware.nodeSelector,
            tolerations: config.hardware.tolerations,
          },
          logger: silentLogger(),
        }),
        builder: new FakeImageBuilder(),
        plan: planFromBuilder(config),
      }),
      { SPACEPORT_HARDWARE: JSON.stringify(HARDWARE) },
    );
  });

  afterAll(async () => {
    await h?.close();
    if (namespace) await cluster.deleteNamespace(namespace);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('lists the offered flavors, GPU ones included (the scheduler decides where they fit)', async () => {
    const list = (await h.api('GET', '/api/spaces/hardware')).json() as { name: string }[];
    expect(list.map((f) => f.name)).toEqual(['cpu-basic', 't4-small', 'a10g-large']);
  });

  it('a cpu-basic Space lands on a CPU node', async () => {
    expect((await h.api('POST', '/api/repos/create', { name: 'gpu', type: 'space', sdk: 'docker' })).status).toBe(200);
    const work = await makeWorkTree(FILES);
    dirs.push(work);
    expect((await git(['push', '--force', pushUrl(h.port, 'admin/gpu', ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    const rt = await h.waitStage('admin/gpu', ['RUNNING', 'RUNTIME_ERROR', 'BUILD_ERROR']);
    expect(rt.stage).toBe('RUNNING');
    expect(rt.hardware).toEqual({ current: 'cpu-basic', requested: 'cpu-basic' });
    const [pod] = await pods();
    expect(pod!.spec.nodeName).toMatch(/^kwok-cpu-/);
    expect(pod!.spec.containers[0]!.resources.limits['nvidia.com/gpu']).toBeUndefined();
  });

  it('upgraded to t4-small, its new pod is on a GPU node with the GPU limit and toleration; current follows only once it is Ready', async () => {
    const before = await pods();
    const r = await h.api('POST', '/api/spaces/admin/gpu/hardware', { flavor: 't4-small' });
    expect(r.status, r.body).toBe(200);
    // Until a t4-small pod is Ready, current stays cpu-basic (the old pod serves).
    const observed: { current: string | null; t4Ready: boolean }[] = [];
    await waitFor('current t4-small', async () => {
      const rt = await h.stage('admin/gpu');
      const now = await pods();
      const t4Ready = now.some((p) => p.spec.containers[0]!.resources.limits['nvidia.com/gpu'] === '1' && ready(p));
      observed.push({ current: rt.hardware.current, t4Ready });
      return rt.hardware.current === 't4-small' ? rt : undefined;
    }, 30_000);
    for (const o of observed) if (o.current === 't4-small') expect(o.t4Ready).toBe(true);
    expect(observed[0]!.current === 'cpu-basic' || observed[0]!.t4Ready).toBe(true);
    const gpuPod = (await pods()).find((p) => p.spec.containers[0]!.resources.limits['nvidia.com/gpu'] === '1')!;
    expect(gpuPod.spec.nodeName).toMatch(/^kwok-gpu-t4-/);
    expect(gpuPod.spec.tolerations?.map((t) => t.key)).toContain('nvidia.com/gpu');
    expect(ready(gpuPod)).toBe(true);
    expect((await h.stage('admin/gpu')).stage).toBe('RUNNING');
    // The cpu-basic pod is retired after the switch.
    await waitFor('old pod gone', async () => ((await pods()).some((p) => before.some((b) => b.metadata.name === p.metadata.name)) ? undefined : true), 30_000);
  });

  it('a flavor no node offers: a clear message naming it, and the T4 pod keeps serving', async () => {
    const serving = (await pods()).filter(ready);
    expect(serving).toHaveLength(1);
    expect((await h.api('POST', '/api/spaces/admin/gpu/hardware', { flavor: 'a10g-large' })).status).toBe(200);
    const rt = await h.waitStage('admin/gpu', ['RUNTIME_ERROR'], 30_000);
    expect(rt.errorMessage).toMatch(/^No node can run hardware "a10g-large" now: 0\/\d+ nodes are available/);
    expect(rt.errorMessage).toMatch(/node\(s\) didn't match Pod's node affinity\/selector|Insufficient nvidia.com\/gpu/);
    expect(rt.hardware).toEqual({ current: 't4-small', requested: 'a10g-large' });
    const now = await pods();
    const still = now.find((p) => p.metadata.name === serving[0]!.metadata.name);
    expect(still && ready(still)).toBe(true);
    expect(now.filter((p) => flavorOf(p) !== flavorOf(serving[0]!)).every((p) => !p.spec.nodeName)).toBe(true);
    // Back to a flavor that fits: the stuck release is dropped and t4-small serves again.
    expect((await h.api('POST', '/api/spaces/admin/gpu/hardware', { flavor: 't4-small' })).status).toBe(200);
    const back = await h.waitStage('admin/gpu', ['RUNNING'], 30_000);
    expect(back.hardware).toEqual({ current: 't4-small', requested: 't4-small' });
  });

  it('with every T4 taken, a redeploy does not fit next to the old pod: the old one is stopped to make room and the new one lands on the freed GPU', async () => {
    // A second Space takes the other T4: the GPU pool is full.
    expect((await h.api('POST', '/api/repos/create', { name: 'gpu2', type: 'space', sdk: 'docker', hardware: 't4-small' })).status).toBe(200);
    const work2 = await makeWorkTree(FILES);
    dirs.push(work2);
    expect((await git(['push', '--force', pushUrl(h.port, 'admin/gpu2', ADMIN_TOKEN), 'main'], work2)).code).toBe(0);
    expect((await h.waitStage('admin/gpu2', ['RUNNING', 'RUNTIME_ERROR'], 30_000)).stage).toBe('RUNNING');
    await waitFor('both T4 taken', async () => ((await pods()).filter((p) => ready(p) && p.spec.nodeName?.startsWith('kwok-gpu-t4-')).length === 2 ? true : undefined), 30_000);
    const old = (await pods()).find((p) => p.metadata.annotations['spaceport.dev/space'] === 'admin/gpu' && ready(p))!;

    const work = await makeWorkTree({ ...FILES, 'v2.txt': 'v2' });
    dirs.push(work);
    expect((await git(['push', '--force', pushUrl(h.port, 'admin/gpu', ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    await waitFor('new gpu pod ready', async () => {
      const mine = (await pods()).filter((p) => p.metadata.annotations['spaceport.dev/space'] === 'admin/gpu');
      return mine.length === 1 && mine[0]!.metadata.name !== old.metadata.name && ready(mine[0]!) ? true : undefined;
    }, 60_000);
    const settled = await h.waitStage('admin/gpu', ['RUNNING'], 30_000);
    expect(settled.hardware).toEqual({ current: 't4-small', requested: 't4-small' });
    const mine = (await pods()).filter((p) => p.metadata.annotations['spaceport.dev/space'] === 'admin/gpu');
    expect(mine[0]!.spec.nodeName).toBe(old.spec.nodeName);
    expect((await h.stage('admin/gpu2')).stage).toBe('RUNNING');
  });
});
