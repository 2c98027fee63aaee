/**
 * The Helm chart (helm/spaceport): it lints, every values variant renders manifests the test
 * cluster's apiserver accepts (server-side dry run), the hardware table and settings it renders are
 * ones the controller accepts, and an install on the real node brings up a controller that answers
 * the API with the admin token from the chart's Secret, kept across an upgrade. The proxy runs as
 * `make cluster-up` runs it (one replica on the node's network, its port a host port), and an upgrade
 * that changes its pod template rolls it (the old pod goes first: a surge pod would wait on the port).
 * Its `helm test` hook passes on that install; the ci/ variants include a production values file.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseConfig } from '../../core/index.js';
import { CHART_DIR, buildControllerImage, find, helm, helmBinary, renderChart, run, type Manifest } from '../support/helm.js';
import { request, waitFor } from '../support/http.js';
import { useTestCluster, type TestCluster } from '../support/k8s-cluster.js';
import { hostPathVolumeFor, type ClaimVolume } from '../support/k8s-host-reach.js';

const CI_DIR = join(CHART_DIR, 'ci');
const REGISTRY = 'registry.example.com/spaceport';

async function variants(): Promise<string[]> {
  return (await readdir(CI_DIR)).filter((f) => f.endsWith('-values.yaml')).sort();
}

/** The env the controller container gets, with secret references filled by stand-ins. */
function controllerEnv(deployment: Manifest): Record<string, string> {
  const container = deployment.spec.template.spec.containers.find((c: { name: string }) => c.name === 'controller');
  const env: Record<string, string> = {};
  for (const e of container.env as Array<{ name: string; value?: string; valueFrom?: unknown }>) {
    env[e.name] = e.value ?? `sp_${'x'.repeat(40)}`;
  }
  return env;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

describe('helm chart: lint and render', () => {
  const bin = helmBinary();

  it('lints with the default values and every ci/ variant', async () => {
    const out = await helm(bin, ['lint', CHART_DIR, '--strict', '--set', `registry.push=${REGISTRY}`]);
    expect(out).toContain('0 chart(s) failed');
    for (const v of await variants()) {
      const r = await helm(bin, ['lint', CHART_DIR, '--strict', '-f', join(CI_DIR, v)]);
      expect(r, v).toContain('0 chart(s) failed');
    }
  });

  it('stops an install that could not work, naming the value to set', async () => {
    const r = await run(bin, ['template', 'sp', CHART_DIR, '--kube-version', '1.34.4']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('registry.push is required with runtime kubernetes');
    const bad = await run(bin, ['template', 'sp', CHART_DIR, '--kube-version', '1.34.4', '--set', `registry.push=${REGISTRY}`, '--set', 'builder.mode=podman']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/builder\.mode|values don't meet the specifications of the schema/);
  });

  it('renders a hardware table and settings the controller accepts, for every variant', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spaceport-chart-'));
    try {
      for (const v of await variants()) {
        const { manifests } = await renderChart(bin, { namespace: 'spaceport', valuesFiles: [join(CI_DIR, v)] });
        const hardware = find(manifests, 'ConfigMap', '-hardware');
        const file = join(dir, `${v}.hardware.yaml`);
        await writeFile(file, hardware!.data['hardware.yaml']);
        const env = { ...controllerEnv(find(manifests, 'Deployment', '-controller')!), SPACEPORT_HARDWARE_FILE: file };
        const parsed = parseConfig(env);
        expect(parsed.ok ? [] : parsed.problems, v).toEqual([]);
      }
      const gke = await renderChart(bin, { namespace: 'spaceport', valuesFiles: [join(CI_DIR, 'gke-gpu-values.yaml')] });
      await writeFile(join(dir, 'gke.yaml'), find(gke.manifests, 'ConfigMap', '-hardware')!.data['hardware.yaml']);
      const parsed = parseConfig({ ...controllerEnv(find(gke.manifests, 'Deployment', '-controller')!), SPACEPORT_HARDWARE_FILE: join(dir, 'gke.yaml') });
      if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
      expect(Object.keys(parsed.config.flavors)).toEqual(['cpu-basic', 'cpu-upgrade', 't4-small', 'l4x1', 'a100-large']);
      expect(parsed.config.hardware.gpu.productLabel).toBe('cloud.google.com/gke-accelerator');
      expect(parsed.config.flavors['t4-small']!.requests).toEqual({ cpus: 3, memoryBytes: 12 * 1024 ** 3 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps the controller and proxy unprivileged, and grants nothing cluster-wide', async () => {
    for (const v of await variants()) {
      const { manifests } = await renderChart(bin, { namespace: 'spaceport', valuesFiles: [join(CI_DIR, v)] });
      expect(manifests.filter((m) => /^Cluster/.test(m.kind)).map((m) => m.kind), v).toEqual([]);
      for (const name of ['-controller', '-proxy']) {
        const d = find(manifests, 'Deployment', name);
        if (!d) continue;
        const pod = d.spec.template.spec;
        expect(pod.securityContext, `${v} ${name}`).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
        expect(pod.containers[0].securityContext, `${v} ${name}`).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
      }
      expect(find(manifests, 'Deployment', '-controller')!.spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
    }
  });
});

describe('helm chart on the test cluster', () => {
  let cluster: TestCluster;
  let bin: string;
  const namespaces: string[] = [];

  beforeAll(async () => {
    cluster = await useTestCluster();
    bin = helmBinary(cluster.toolsBin);
  });

  afterAll(async () => {
    for (const ns of namespaces) await cluster?.deleteNamespace(ns).catch(() => undefined);
  });

  it('renders manifests the apiserver accepts (server-side dry run), for every variant', async () => {
    const ns = await cluster.createNamespace('sp-chart');
    const spacesNs = await cluster.createNamespace('sp-chart-spaces');
    namespaces.push(ns, spacesNs);
    const cases = [['--set', `registry.push=${REGISTRY}`], ...(await variants()).map((v) => ['-f', join(CI_DIR, v)])];
    for (const args of cases) {
      const { manifests } = await renderChart(bin, {
        namespace: ns,
        valuesFiles: args[0] === '-f' ? [args[1]!] : [],
        set: [...(args[0] === '--set' ? [args[1]!] : []), `spaces.namespace=${spacesNs}`],
      });
      // helm puts objects in the release namespace at install; kubectl needs it spelled out.
      for (const m of manifests) if (m.kind !== 'Namespace') m.metadata.namespace ??= ns;
      const list = { apiVersion: 'v1', kind: 'List', items: manifests };
      const out = await cluster.kubectl(['apply', '--server-side', '--dry-run=server', '--field-manager=helm-chart-test', '-f', '-'], JSON.stringify(list));
      expect(out.trim().split('\n').length, args.join(' ')).toBe(manifests.length);
    }
  });

  describe('install', () => {
    const release = 'sp';
    let ns: string;
    let port: number;
    let proxyPort: number;
    let volume: ClaimVolume | undefined;
    let token: string;

    beforeAll(async () => {
      const local = await buildControllerImage();
      const pushed = await cluster.pushImage(local, 'spaceport/controller');
      const [repository, digest] = pushed.split('@');
      ns = await cluster.createNamespace('sp-helm');
      namespaces.push(ns);
      port = await freePort();
      proxyPort = await freePort();

      // No storage provisioner here: a hostPath volume bound to the controller's claim.
      volume = await hostPathVolumeFor(cluster, { ns, claim: `${release}-spaceport-controller`, accessMode: 'ReadWriteOnce', prefix: 'spaceport-helm' });

      const values = {
        domain: 'localhost',
        hub: { publicUrl: `http://localhost:${port}` },
        image: { repository, digest },
        registry: { push: `${cluster.registry}/spaceport` },
        builder: { mode: 'external', hostSocket: true, hostSocketGroup: statSync('/var/run/docker.sock').gid },
        controller: {
          port,
          // This cluster has no kube-proxy and its apiserver listens on loopback: the controller
          // shares the node's network and reaches the apiserver at its loopback address.
          hostNetwork: true,
          apiServer: cluster.server,
          persistence: { storageClass: 'spaceport-test-local', size: '1Gi' },
          resources: { requests: { cpu: '100m', memory: '256Mi' } },
        },
        // As scripts/k8s/spaceport-cluster.sh installs it: one replica with its own host port.
        proxy: { enabled: true, replicas: 1, hostNetwork: true, port: proxyPort, controllerUrl: `http://127.0.0.1:${port}`, pdb: { enabled: false } },
      };
      const valuesFile = join(volume!.dir, '..', `${ns}-values.yaml`);
      await writeFile(valuesFile, YAML.stringify(values));
      try {
        await helm(bin, ['install', release, CHART_DIR, '-n', ns, '--kubeconfig', cluster.kubeconfigPath, '-f', valuesFile, '--wait', '--timeout', '5m'], {
          timeoutMs: 6 * 60_000,
        });
      } catch (err) {
        const logs = await cluster.kubectl(['logs', '-n', ns, `deploy/${release}-spaceport-controller`, '--tail=40']).catch((e: Error) => e.message);
        const proxyLogs = await cluster.kubectl(['logs', '-n', ns, `deploy/${release}-spaceport-proxy`, '--tail=20']).catch((e: Error) => e.message);
        const pods = await cluster.kubectl(['get', 'pods,pvc', '-n', ns, '-o', 'wide']).catch((e: Error) => e.message);
        throw new Error(`${(err as Error).message}\n${pods}\ncontroller log:\n${logs}\nproxy log:\n${proxyLogs}`);
      } finally {
        await rm(valuesFile, { force: true });
      }
      const secret = await cluster.kubectl(['get', 'secret', `${release}-spaceport`, '-n', ns, '-o', 'jsonpath={.data.admin-token}']);
      token = Buffer.from(secret, 'base64').toString('utf8');
    }, 15 * 60_000);

    afterAll(async () => {
      if (ns) await run(bin, ['uninstall', release, '-n', ns, '--kubeconfig', cluster.kubeconfigPath, '--wait', '--timeout', '60s']);
      await volume?.remove();
    }, 120_000);

    it('runs the controller on the real node, answering whoami-v2 with the admin token', async () => {
      const pods = JSON.parse(await cluster.kubectl(['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/component=controller', '-o', 'json'])) as {
        items: Array<{ spec: { nodeName: string }; status: { containerStatuses: Array<{ ready: boolean }> } }>;
      };
      expect(pods.items).toHaveLength(1);
      expect(pods.items[0]!.spec.nodeName).toBe(cluster.realNode);
      expect(token).toMatch(/^sp_[A-Za-z0-9]{40}$/);

      const me = await request({ port, path: '/api/whoami-v2', token });
      expect(me.status).toBe(200);
      expect(me.json()).toMatchObject({ name: 'admin', isAdmin: true });
      expect((await request({ port, path: '/api/whoami-v2' })).status).toBe(401);
    });

    it('passes its `helm test` hook (the controller healthy, the admin token from the Secret accepted)', async () => {
      const out = await helm(bin, ['test', release, '-n', ns, '--kubeconfig', cluster.kubeconfigPath, '--timeout', '2m', '--logs'], { timeoutMs: 3 * 60_000 });
      expect(out).toMatch(/TEST SUITE:\s+sp-spaceport-test-api[\s\S]*Phase:\s+Succeeded/);
      expect(out).toContain('/api/whoami-v2 with the admin token 200');
    }, 4 * 60_000);

    it('lets the controller manage Spaces in their namespace and nothing outside it', async () => {
      const as = `--as=system:serviceaccount:${ns}:${release}-spaceport-controller`;
      const can = async (...args: string[]) => (await run(join(cluster.toolsBin, 'kubectl'), ['--kubeconfig', cluster.kubeconfigPath, 'auth', 'can-i', as, ...args])).stdout.trim();
      for (const [verb, resource] of [
        ['patch', 'deployments.apps'],
        ['watch', 'pods'],
        ['get', 'pods/log'],
        ['create', 'secrets'],
        ['delete', 'persistentvolumeclaims'],
        ['list', 'events'],
      ] as const) {
        expect(await can(verb, resource, '-n', ns), `${verb} ${resource}`).toBe('yes');
      }
      expect(await can('create', 'deployments.apps', '-n', 'default')).toBe('no');
      expect(await can('list', 'nodes')).toBe('no');
      expect(await can('create', 'pods/exec', '-n', ns)).toBe('no');
    });

    it('keeps the generated tokens across an upgrade', async () => {
      const before = await cluster.kubectl(['get', 'secret', `${release}-spaceport`, '-n', ns, '-o', 'jsonpath={.data}']);
      await helm(bin, ['upgrade', release, CHART_DIR, '-n', ns, '--kubeconfig', cluster.kubeconfigPath, '--reuse-values', '--wait', '--timeout', '3m'], {
        timeoutMs: 4 * 60_000,
      });
      const after = await cluster.kubectl(['get', 'secret', `${release}-spaceport`, '-n', ns, '-o', 'jsonpath={.data}']);
      expect(JSON.parse(after)).toEqual(JSON.parse(before));
      expect((await request({ port, path: '/api/whoami-v2', token })).status).toBe(200);
    }, 5 * 60_000);

    it('rolls the hostNetwork proxy on an upgrade that changes its pod template', async () => {
      const proxyPods = async () => {
        const list = JSON.parse(await cluster.kubectl(['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/component=proxy', '-o', 'json'])) as {
          items: Array<{
            metadata: { name: string; deletionTimestamp?: string };
            spec: { containers: Array<{ env: Array<{ name: string; value?: string }> }> };
            status: { containerStatuses?: Array<{ ready: boolean }> };
          }>;
        };
        return list.items.filter((p) => !p.metadata.deletionTimestamp);
      };
      const [before] = await proxyPods();
      expect(before).toBeDefined();
      // controller.logLevel is also the proxy's SPACEPORT_LOG_LEVEL: a new proxy pod template. With the
      // default surge the new pod stayed Pending on the host port and the upgrade failed at its timeout.
      await helm(bin, ['upgrade', release, CHART_DIR, '-n', ns, '--kubeconfig', cluster.kubeconfigPath, '--reuse-values', '--set', 'controller.logLevel=debug', '--wait', '--timeout', '3m'], {
        timeoutMs: 4 * 60_000,
      });
      // With one replica and maxUnavailable 1, `helm --wait` may return before the new pod is Ready: wait for it.
      const after = await waitFor('the new proxy pod Ready', async () => {
        const pods = await proxyPods();
        return pods.length === 1 && pods[0]!.metadata.name !== before!.metadata.name && pods[0]!.status.containerStatuses?.[0]?.ready === true ? pods : undefined;
      }, 120_000, 500);
      expect(after).toHaveLength(1);
      expect(after[0]!.spec.containers[0]!.env.find((e) => e.name === 'SPACEPORT_LOG_LEVEL')?.value).toBe('debug');
      // The new proxy on its host port: alive, and ready (it holds the controller's routes).
      expect((await request({ port: proxyPort, path: '/livez' })).status).toBe(200);
      expect((await request({ port: proxyPort, path: '/healthz' })).status).toBe(200);
    }, 5 * 60_000);
  });
});
