import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hardwareFileSchema, resolveHardware, silentLogger } from '../../core/index.js';
import { KubernetesRuntime, loadKubeConfig, type KubernetesPlacement } from '../../controller/runtime/index.js';
import { runRuntimeContract } from '../../controller/runtime/testing/runtime-contract.js';
import { CountingProxy } from '../../bench/k8s/counting-proxy.js';
import { waitFor } from '../support/http.js';
import { pushTestImage, useTestCluster, type TestCluster } from '../support/k8s-cluster.js';
import { TEST_IMAGE, TEST_IMAGE_PORT } from '../support/test-image.js';

/**
 * The Runtime contract against KubernetesRuntime on the test cluster's real node (containerd +
 * kubelet): the test app's image is pushed to the cluster's registry and pulled by the node; pods
 * without the simulated-node toleration can land only there.
 */
const hw = resolveHardware(hardwareFileSchema.parse({}));

export function realNodePlacement(namespace: string): KubernetesPlacement {
  return {
    namespace,
    instance: 'sptest',
    gpu: hw.gpu,
    nodeSelector: { 'spaceport.dev/pool': 'real' },
    tolerations: [],
    // The real node has 2 CPUs: the contract's 1-CPU flavor must fit several times over.
    requestRatio: { cpu: 0.05, memory: 0.25 },
  };
}

runRuntimeContract('kubernetes', async () => {
  const cluster = await useTestCluster();
  const image = await pushTestImage(cluster);
  const otherImage = await cluster.pushImage(TEST_IMAGE, 'spaceport-test/busybox-other');
  const namespace = await cluster.createNamespace('sp-contract');
  const runtime = new KubernetesRuntime({ kubeConfig: loadKubeConfig(cluster.kubeconfigPath), placement: realNodePlacement(namespace), logger: silentLogger() });
  await runtime.start();
  return { runtime, image, otherImage, port: TEST_IMAGE_PORT, cleanup: () => cluster.deleteNamespace(namespace) };
});

describe('KubernetesRuntime objects on a real API server', () => {
  let cluster: TestCluster;
  let namespace: string;
  beforeAll(async () => {
    cluster = await useTestCluster();
    namespace = await cluster.createNamespace('sp-objects');
  });
  afterAll(async () => {
    if (namespace) await cluster.deleteNamespace(namespace);
  });

  it('applies a Deployment, Service, ConfigMap and Secret the API server accepts; secrets only in the Secret; remove() deletes them all', async () => {
    const image = await pushTestImage(cluster);
    const runtime = new KubernetesRuntime({ kubeConfig: loadKubeConfig(cluster.kubeconfigPath), placement: realNodePlacement(namespace), logger: silentLogger() });
    const space = 'objects/demo' as never;
    try {
      await runtime.apply({
        space,
        release: 'r_1' as never,
        image,
        port: TEST_IMAGE_PORT,
        env: { PORT: String(TEST_IMAGE_PORT), VISIBLE: 'yes', API_KEY: 'super-secret-value' },
        secretKeys: ['API_KEY'],
        flavor: hw.flavors['cpu-basic']!,
      });
      const deployments = JSON.parse(await cluster.kubectl(['-n', namespace, 'get', 'deployments', '--show-managed-fields', '-o', 'json']));
      expect(deployments.items).toHaveLength(1);
      expect(JSON.stringify(deployments.items[0])).not.toContain('super-secret-value');
      const managers = deployments.items[0].metadata.managedFields.map((m: { manager: string; operation: string }) => `${m.manager}/${m.operation}`);
      expect(managers).toContain('spaceport/Apply');
      const secret = JSON.parse(await cluster.kubectl(['-n', namespace, 'get', 'secret', deployments.items[0].metadata.name, '-o', 'json']));
      expect(Buffer.from(secret.data.API_KEY, 'base64').toString()).toBe('super-secret-value');
      const cm = JSON.parse(await cluster.kubectl(['-n', namespace, 'get', 'configmap', deployments.items[0].metadata.name, '-o', 'json']));
      expect(cm.data).toMatchObject({ VISIBLE: 'yes', SPACE_ID: 'objects/demo' });
      expect(cm.data.API_KEY).toBeUndefined();
      const svc = JSON.parse(await cluster.kubectl(['-n', namespace, 'get', 'services', '-o', 'json']));
      expect(svc.items).toHaveLength(1);
      await runtime.remove(space);
      expect(await runtime.list(space)).toEqual([]);
      const left = await cluster.kubectl(['-n', namespace, 'get', 'deployments,services,configmaps,secrets', '-l', 'app.kubernetes.io/managed-by=spaceport', '-o', 'name']);
      expect(left.trim()).toBe('');
    } finally {
      await runtime.close();
    }
  });

  it('a watch that goes quiet without an error does not leave a wake waiting: the runtime lists and watches again', async () => {
    const image = await pushTestImage(cluster);
    const proxy = await CountingProxy.start(loadKubeConfig(cluster.kubeconfigPath));
    const runtime = new KubernetesRuntime({ kubeConfig: proxy.kubeConfig(), placement: realNodePlacement(namespace), logger: silentLogger(), cacheWaitMs: 2_000 });
    const space = 'quiet/watch' as never;
    const spec = { space, release: 'r1' as never, image, port: TEST_IMAGE_PORT, env: { PORT: String(TEST_IMAGE_PORT) }, flavor: hw.flavors['cpu-basic']! };
    const ready = () => waitFor('ready', async () => (await runtime.list(space)).find((i) => i.state.kind === 'ready' && i.endpoint), 60_000, 200);
    try {
      await runtime.apply(spec);
      await ready();
      await runtime.stop(space, 'r1' as never);
      // The deployment watch goes quiet before the wake: apply's wait for its own write times out.
      proxy.freezeWatches();
      await runtime.apply(spec);
      expect((await ready()).endpoint).toBeDefined();
      await runtime.stop(space, 'r1' as never);
      await runtime.apply(spec);
      // The pod watch goes quiet after the scale-up was seen: the Ready pod is found by a direct read.
      proxy.freezeWatches();
      expect((await ready()).endpoint).toBeDefined();
      await runtime.remove(space);
    } finally {
      await runtime.close();
      await proxy.close();
    }
  }, 180_000);

  it('persistent storage: a PersistentVolumeClaim of the tier size at /data, kept across sleep and a new release, deleted on request', async () => {
    const id = namespace.slice(-6);
    const dir = `/tmp/spaceport-pv-${id}`;
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    const storageClassName = `sptest-manual-${id}`;
    // No dynamic provisioner in the test cluster: one hostPath volume of this class for the claim to bind.
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `pv-${id}` },
      spec: { capacity: { storage: '30G' }, accessModes: ['ReadWriteOnce'], storageClassName, persistentVolumeReclaimPolicy: 'Delete', hostPath: { path: dir, type: 'Directory' } },
    }));
    const image = await pushTestImage(cluster);
    const runtime = new KubernetesRuntime({ kubeConfig: loadKubeConfig(cluster.kubeconfigPath), placement: { ...realNodePlacement(namespace), storageClassName }, logger: silentLogger() });
    const space = 'storage/demo' as never;
    const spec = (release: string) => ({
      space,
      release: release as never,
      image,
      port: TEST_IMAGE_PORT,
      env: { PORT: String(TEST_IMAGE_PORT) },
      flavor: hw.flavors['cpu-basic']!,
      storage: { key: 'uid-storage-1', tier: 'small' as const, sizeBytes: 20e9 },
    });
    const readyEndpoint = async (release: string) =>
      waitFor(`${release} ready`, async () => (await runtime.list(space)).find((i) => i.release === release && i.state.kind === 'ready')?.endpoint, 60_000);
    const data = async (ep: { host: string; port: number }, write?: string) =>
      (await fetch(`http://${ep.host}:${ep.port}/cgi-bin/data${write ? `?write=${write}` : ''}`)).text();
    try {
      await runtime.apply(spec('r1'));
      const claim = JSON.parse(await cluster.kubectl(['-n', namespace, 'get', 'pvc', '-o', 'json'])).items[0];
      expect(claim.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20G' } }, storageClassName });
      let ep = await readyEndpoint('r1');
      await data(ep, 'first');
      expect(await data(ep)).toContain('first');
      await runtime.stop(space, 'r1' as never);
      await runtime.apply(spec('r1'));
      ep = await readyEndpoint('r1');
      expect(await data(ep)).toContain('first');
      await runtime.apply(spec('r2'));
      const ep2 = await readyEndpoint('r2');
      await data(ep2, 'second');
      expect(await data(ep2)).toMatch(/first\s+second/);
      await runtime.remove(space);
      expect(await cluster.kubectl(['-n', namespace, 'get', 'pvc', '-o', 'name'])).toContain('data-');
      await runtime.removeStorage('uid-storage-1');
      await waitFor('claim deleted', async () => ((await cluster.kubectl(['-n', namespace, 'get', 'pvc', '-o', 'name'])).trim() === '' ? true : undefined), 30_000);
    } finally {
      await runtime.close();
      await cluster.kubectl(['delete', 'pv', `pv-${id}`, '--ignore-not-found', '--wait=false']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
