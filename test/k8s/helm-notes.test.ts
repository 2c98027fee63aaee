/**
 * What the chart tells an operator after `helm install` (NOTES.txt, issue 18 chart items 8 and 9), as
 * helm renders it against the test cluster: the Spaces URL with the hub's port, port-forward advice
 * only when the hub has no address, how to reach Spaces without an Ingress, warnings for the Docker
 * socket and plain HTTP, and what `helm uninstall` keeps and leaves running. And the Pod Security level
 * the chart puts on a Spaces namespace it creates (`restricted`): a Space the Kubernetes runtime starts
 * in such a namespace runs and turns ready on the real node.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { hardwareFileSchema, resolveHardware, silentLogger } from '../../core/index.js';
import { KubernetesRuntime, loadKubeConfig, type KubernetesPlacement } from '../../controller/runtime/index.js';
import { CHART_DIR, helm, helmBinary } from '../support/helm.js';
import { waitFor } from '../support/http.js';
import { pushTestImage, useTestCluster, type TestCluster } from '../support/k8s-cluster.js';
import { TEST_IMAGE_PORT } from '../support/test-image.js';

describe('helm chart: NOTES', () => {
  let cluster: TestCluster;
  let dir: string;
  beforeAll(async () => {
    cluster = await useTestCluster();
    dir = await mkdtemp(join(tmpdir(), 'spaceport-notes-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const notes = async (values: Record<string, unknown>): Promise<string> => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, YAML.stringify(values));
    const out = await helm(helmBinary(cluster.toolsBin), ['install', 'sp', CHART_DIR, '-n', 'sp-notes', '--kubeconfig', cluster.kubeconfigPath, '--dry-run=client', '-f', file]);
    return out.slice(out.indexOf('NOTES:'));
  };

  it('as make cluster-up installs it: the port in the Spaces URL, no port-forward, the socket warning', async () => {
    const text = await notes({
      domain: 'localhost',
      hub: { publicUrl: 'http://localhost:18080' },
      registry: { push: '127.0.0.1:5000/spaceport' },
      builder: { mode: 'external', hostSocket: true },
      controller: { port: 18080, hostNetwork: true },
      proxy: { replicas: 1, hostNetwork: true, port: 18081 },
      ingress: { enabled: false },
    });
    expect(text).toContain('Spaces:          http://{owner}-{name}.localhost:18080');
    expect(text).not.toMatch(/port-forward svc\/sp-spaceport-controller/);
    expect(text).toContain('WARNING: builder.hostSocket');
    expect(text).not.toContain('WARNING: no TLS'); // loopback
    expect(text).toMatch(/Spaces without an Ingress: .*Host header/);
    expect(text).toContain("curl -H 'Host: {owner}-{name}.localhost' http://127.0.0.1:8081/");
  });

  it('with nothing exposed: port-forward advice and the plain HTTP warning', async () => {
    const text = await notes({ registry: { push: 'registry.example.com/spaceport' }, ingress: { enabled: false } });
    expect(text).toContain('kubectl -n sp-notes port-forward svc/sp-spaceport-controller 8080:8080');
    expect(text).toContain('WARNING: no TLS (http://spaces.example.com)');
    expect(text).not.toContain('WARNING: builder.hostSocket');
  });

  it('for the production values: https, no warnings, and what uninstall keeps and leaves running', async () => {
    const text = await notes(YAML.parse(await readFile(join(CHART_DIR, 'ci/production-values.yaml'), 'utf8')));
    expect(text).toContain('Hub (API, git):  https://hub.spaces.acme.dev');
    expect(text).toContain('Spaces:          https://{owner}-{name}.spaces.acme.dev\n');
    expect(text).not.toContain('WARNING');
    expect(text).not.toContain('port-forward');
    expect(text).toContain('The data volume (database, git repos, build logs) is KEPT');
    expect(text).toContain('kubectl -n sp-notes delete pvc sp-spaceport-controller');
    expect(text).toContain('Spaces are NOT stopped by the uninstall');
    expect(text).toContain('kubectl -n spaceport-spaces scale deployment -l spaceport.dev/instance=sp --replicas=0');
    expect(text).toContain('The namespace spaceport-spaces is kept');
  });
});

/** As test/k8s/runtime-kubernetes.test.ts places its Spaces: on the real node, with small requests. */
function realNodePlacement(namespace: string): KubernetesPlacement {
  const hw = resolveHardware(hardwareFileSchema.parse({}));
  return { namespace, instance: 'sptest', gpu: hw.gpu, nodeSelector: { 'spaceport.dev/pool': 'real' }, tolerations: [], requestRatio: { cpu: 0.05, memory: 0.25 } };
}

describe('Spaces namespace: Pod Security restricted', () => {
  let cluster: TestCluster;
  let ns: string | undefined;
  beforeAll(async () => {
    cluster = await useTestCluster();
  });
  afterAll(async () => {
    if (ns) await cluster.deleteNamespace(ns).catch(() => undefined);
  });

  it('admits and runs a Space pod in a namespace that enforces restricted', async () => {
    ns = await cluster.createNamespace('sp-restricted');
    await cluster.kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted', '--overwrite']);
    const image = await pushTestImage(cluster);
    const hw = resolveHardware(hardwareFileSchema.parse({}));
    const runtime = new KubernetesRuntime({ kubeConfig: loadKubeConfig(cluster.kubeconfigPath), placement: realNodePlacement(ns), logger: silentLogger() });
    const space = 'restricted/demo' as never;
    await runtime.start();
    try {
      await runtime.apply({ space, release: 'r1' as never, image, port: TEST_IMAGE_PORT, env: { PORT: String(TEST_IMAGE_PORT) }, flavor: hw.flavors['cpu-basic']! });
      const ready = await waitFor(
        'the Space ready',
        async () => {
          const events = await cluster.kubectl(['get', 'events', '-n', ns!, '--field-selector', 'reason=FailedCreate', '-o', 'jsonpath={.items[*].message}']);
          if (events.includes('violates PodSecurity')) throw new Error(events);
          return (await runtime.list(space)).find((i) => i.state.kind === 'ready');
        },
        90_000,
        500,
      );
      expect(ready.endpoint).toBeDefined();
      await runtime.remove(space);
    } finally {
      await runtime.close();
    }
  }, 150_000);
});
