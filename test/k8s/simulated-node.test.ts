import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { KubernetesRuntime, loadKubeConfig } from '../../controller/runtime/index.js';
import { startedWithoutRuntime } from '../../controller/runtime/kubernetes/simulated-nodes.js';
import { silentLogger } from '../../core/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { hubClientVenvs } from '../support/hub-client-venvs.js';
import { useTestCluster, type TestCluster } from '../support/k8s-cluster.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * A Space on a simulated (kwok) node, as on the one-machine trial after a t4-small upgrade: the
 * cluster reports it Running, but nothing runs there, so its app cannot answer. The runtime JSON
 * says so (`node.simulated`, which huggingface_hub keeps in SpaceRuntime.raw) and so does the Space
 * page. kwok nodes here carry the annotation kwok.x-k8s.io/node: fake and the label type: kwok.
 */
const FILES = { 'README.md': '---\ntitle: Sim\nsdk: docker\napp_port: 7860\n---\n', Dockerfile: 'FROM scratch\n' };
const HARDWARE = {
  offer: ['cpu-basic', 't4-small'],
  tolerations: [{ key: 'spaceport.dev/simulated', operator: 'Exists', effect: 'NoSchedule' }],
  nodeSelector: { 'spaceport.dev/simulated': 'true', 'spaceport.dev/pool': 'cpu' },
  gpu: { nodeSelector: { 'spaceport.dev/pool': 'gpu' } },
};

describe('a Space on a simulated (kwok) node', { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let namespace: string;
  let h: Harness;
  const dirs: string[] = [];

  beforeAll(async () => {
    cluster = await useTestCluster();
    namespace = await cluster.createNamespace('sp-sim');
    h = await startHarness(
      (config) => ({
        runtime: new KubernetesRuntime({
          kubeConfig: loadKubeConfig(cluster.kubeconfigPath),
          placement: { namespace, instance: 'spsim', gpu: config.hardware.gpu, nodeSelector: config.hardware.nodeSelector, tolerations: config.hardware.tolerations },
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

  it('upgraded to t4-small on a kwok GPU node: RUNNING, and the runtime and the Space page say the node is simulated', async () => {
    expect((await h.api('POST', '/api/repos/create', { name: 'sim', type: 'space', sdk: 'docker', hardware: 't4-small' })).status).toBe(200);
    const work = await makeWorkTree(FILES);
    dirs.push(work);
    expect((await git(['push', '--force', pushUrl(h.port, 'admin/sim', ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    const rt = (await h.waitStage('admin/sim', ['RUNNING', 'RUNTIME_ERROR', 'BUILD_ERROR'])) as unknown as Record<string, any>;
    expect(rt.stage).toBe('RUNNING');
    expect(rt.node).toMatchObject({ simulated: true });
    expect(rt.node.message).toContain('simulated node (kwok)');
    expect(rt.errorMessage).toBeUndefined();
    const page = await h.api('GET', '/spaces/admin/sim');
    expect(page.status).toBe(200);
    expect(page.body).toContain('data-simulated-node');
    expect(page.body).toContain('simulated node (kwok)');

    // huggingface_hub parses it (the field is kept in SpaceRuntime.raw).
    const [venv] = await hubClientVenvs();
    const script = 'import json,sys\nfrom huggingface_hub import SpaceRuntime\nr = SpaceRuntime(json.load(sys.stdin))\nprint(r.stage, r.raw["node"]["simulated"])\n';
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(venv!.python, ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`python exited ${code}`))));
      child.stdin.end(JSON.stringify(rt));
    });
    expect(out.trim()).toBe('RUNNING True');
  });

  it('kwok pods are told from pods a kubelet runs by their missing container id (the sign used where nodes cannot be read)', async () => {
    const pods = JSON.parse(await cluster.kubectl(['get', 'pods', '-A', '-o', 'json'])).items as V1Pod[];
    const running = pods.filter((p) => p.status?.phase === 'Running' && p.spec?.nodeName);
    const kwok = running.filter((p) => p.spec!.nodeName!.startsWith('kwok-'));
    const real = running.filter((p) => p.spec!.nodeName === cluster.realNode);
    expect(kwok.length).toBeGreaterThan(0);
    for (const p of kwok) expect(startedWithoutRuntime(p, p.spec!.containers[0]!.name), p.metadata!.name).toBe(true);
    for (const p of real) expect(startedWithoutRuntime(p, p.spec!.containers[0]!.name), p.metadata!.name).toBe(false);
  });
});
