import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hardwareFileSchema, resolveHardware, silentLogger } from '../../core/index.js';
import { KubernetesRuntime, loadKubeConfig, type KubernetesPlacement } from '../../controller/runtime/index.js';
import { helm, helmBinary, CHART_DIR, KUBE_VERSION } from '../support/helm.js';
import { waitFor } from '../support/http.js';
import { k8sStateDir, KubectlError, pushTestImage, useTestCluster, type TestCluster } from '../support/k8s-cluster.js';
import { TEST_IMAGE_PORT } from '../support/test-image.js';

/**
 * The chart's NetworkPolicy for Space pods (helm/spaceport/templates/spaces-networkpolicy.yaml),
 * enforced on the test cluster's real node by kube-router's firewall (scripts/k8s/cluster.sh).
 * Two real Space pods, made by KubernetesRuntime as the controller makes them, and a pod labelled as
 * one of the chart's proxy replicas: with the chart's policy, a Space cannot connect to the other
 * Space, the proxy pod nor a link-local address of the node (a metadata stand-in), and the proxy pod reaches both Spaces; without it, the very same
 * requests from the Space succeed (the network works: the policy is what refuses).
 *
 * The requests are made from inside the pods (`kubectl exec … busybox wget`): kube-router, as most
 * enforcers, always lets a node reach its own pods (kubelet's probes), so the host proves nothing.
 */
const RUN = randomBytes(3).toString('hex');
const execFileP = promisify(execFile);
const RELEASE = 'np';
const INSTANCE = `np${RUN}`;
const hw = resolveHardware(hardwareFileSchema.parse({}));
/**
 * A stand-in for the cloud metadata service: a link-local address of the test's own on the node's
 * loopback interface (never 169.254.169.254 itself), with an HTTP server on it.
 */
const META_IP = `169.254.77.${(parseInt(RUN, 16) % 250) + 2}`;
const META_PORT = 18_000 + (parseInt(RUN, 16) % 1000);

interface PodJson {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; deletionTimestamp?: string };
  status: { podIP?: string; conditions?: { type: string; status: string }[] };
}

function placement(namespace: string): KubernetesPlacement {
  return {
    namespace,
    instance: INSTANCE,
    gpu: hw.gpu,
    nodeSelector: { 'spaceport.dev/pool': 'real' },
    tolerations: [],
    requestRatio: { cpu: 0.05, memory: 0.25 },
  };
}

const ready = (p: PodJson) => !p.metadata.deletionTimestamp && !!p.status.podIP && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** A cluster left up by an older cluster.sh has no enforcer: say so, rather than time out below. */
async function expectEnforcer(): Promise<void> {
  const state = k8sStateDir();
  // cluster.sh records "PID EXE" for each process it starts.
  const pid = Number((await readFile(join(state, 'pids', 'kube-router'), 'utf8').catch(() => '')).split(' ')[0]);
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!(pid > 0) || !alive()) throw new Error(`the test cluster in ${state} runs no kube-router (NetworkPolicy enforcer). Fix: bash scripts/k8s/cluster.sh down && bash scripts/k8s/cluster.sh up`);
}

describe('NetworkPolicy of Space pods on the real node (kube-router)', () => {
  let cluster: TestCluster;
  let namespace: string;
  let runtime: KubernetesRuntime;
  let policyYaml: string;
  /** Pod name and IP of Space A, Space B and the proxy-labelled pod. */
  const pods: Record<'a' | 'b' | 'proxy', { name: string; ip: string }> = {} as never;

  /**
   * An HTTP GET from inside pod `from` to `ip`:{app port} with busybox `nc` (the static busybox's
   * `wget` crashes in an image without libc's resolver libraries): the answer, or nc's error.
   */
  async function fetchFrom(from: string, ip: string, port = TEST_IMAGE_PORT): Promise<{ ok: true; body: string } | { ok: false; error: string }> {
    try {
      const script = 'printf "GET / HTTP/1.0\\r\\n\\r\\n" | /bin/busybox nc -w 5 "$0" "$1"';
      const body = await cluster.kubectl(['-n', namespace, 'exec', from, '-c', podContainer(from), '--', '/bin/sh', '-c', script, ip, String(port)]);
      if (!body.startsWith('HTTP/1.')) return { ok: false, error: `no HTTP answer: ${JSON.stringify(body.slice(0, 200))}` };
      return { ok: true, body };
    } catch (err) {
      if (err instanceof KubectlError) return { ok: false, error: err.stderr.trim() };
      throw err;
    }
  }
  const podContainer = (name: string) => (name === pods.proxy?.name ? 'proxy' : 'app');

  async function listPods(selector: string): Promise<PodJson[]> {
    return (JSON.parse(await cluster.kubectl(['-n', namespace, 'get', 'pods', '-l', selector, '-o', 'json'])).items as PodJson[]).filter(ready);
  }

  let metaServer: ChildProcess | undefined;

  beforeAll(async () => {
    await execFileP('ip', ['addr', 'add', `${META_IP}/32`, 'dev', 'lo']);
    metaServer = spawn('python3', ['-m', 'http.server', '--bind', META_IP, String(META_PORT)], { stdio: 'ignore' });
    cluster = await useTestCluster();
    await expectEnforcer();
    const image = await pushTestImage(cluster);
    namespace = await cluster.createNamespace('sp-netpol');
    runtime = new KubernetesRuntime({ kubeConfig: loadKubeConfig(cluster.kubeconfigPath), placement: placement(namespace), logger: silentLogger() });
    await runtime.start();
    for (const name of ['a', 'b'] as const) {
      await runtime.apply({
        space: `netpol/space-${name}` as never,
        release: `r_${name}` as never,
        image,
        port: TEST_IMAGE_PORT,
        env: { PORT: String(TEST_IMAGE_PORT) },
        flavor: hw.flavors['cpu-basic']!,
      });
    }
    // A pod with the labels of the chart's proxy replicas (release `np`), running the same test app.
    const proxyPod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'proxy',
        namespace,
        labels: { 'app.kubernetes.io/name': 'spaceport', 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/component': 'proxy' },
      },
      spec: {
        nodeSelector: { 'spaceport.dev/pool': 'real' },
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: 1,
        securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 },
        containers: [{ name: 'proxy', image, env: [{ name: 'PORT', value: String(TEST_IMAGE_PORT) }], ports: [{ name: 'http', containerPort: TEST_IMAGE_PORT }] }],
      },
    };
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(proxyPod));

    const spaces = await waitFor(
      'both Space pods Ready',
      async () => {
        const found = await listPods(`app.kubernetes.io/managed-by=spaceport,spaceport.dev/instance=${INSTANCE},app.kubernetes.io/component=release`);
        return found.length === 2 ? found : undefined;
      },
      180_000,
      250,
    );
    for (const p of spaces) {
      const key = p.metadata.annotations?.['spaceport.dev/space'] === 'netpol/space-a' ? 'a' : 'b';
      pods[key] = { name: p.metadata.name, ip: p.status.podIP! };
    }
    const proxy = await waitFor('the proxy pod Ready', async () => (await listPods('app.kubernetes.io/component=proxy')).at(0), 180_000, 250);
    pods.proxy = { name: proxy.metadata.name, ip: proxy.status.podIP! };

    // The chart's policy, rendered as an install of release `np` in this namespace would render it.
    policyYaml = await helm(helmBinary(cluster.toolsBin), [
      'template', RELEASE, CHART_DIR, '--namespace', namespace, '--kube-version', KUBE_VERSION,
      '--set', 'registry.push=registry.example.com/spaceport', '--set', `controller.instanceName=${INSTANCE}`,
      '--show-only', 'templates/spaces-networkpolicy.yaml',
    ]);
  }, 600_000);

  afterAll(async () => {
    metaServer?.kill('SIGKILL');
    await execFileP('ip', ['addr', 'delete', `${META_IP}/32`, 'dev', 'lo']).catch(() => undefined);
    await runtime?.close().catch(() => undefined);
    if (namespace) await cluster.deleteNamespace(namespace);
  }, 180_000);

  it('refuses Space A its connections to Space B, to the proxy and to a link-local address of the node (metadata), lets the proxy reach both Spaces, and the same requests pass once the policy is removed', async () => {
    expect(pods.a.name).not.toBe(pods.b.name);
    // Before the policy, the metadata stand-in answers a Space (the network itself allows it).
    expect(await fetchFrom(pods.a.name, META_IP, META_PORT)).toMatchObject({ ok: true });
    await cluster.kubectl(['apply', '-f', '-'], policyYaml);
    expect(await cluster.kubectl(['-n', namespace, 'get', 'networkpolicy', '-o', 'name'])).toContain(`networkpolicy.networking.k8s.io/${RELEASE}-spaceport-spaces`);

    // kube-router applies the policy within its sync: wait until A is refused, then check the rest.
    const refused = await waitFor('Space A refused by Space B', async () => {
      const r = await fetchFrom(pods.a.name, pods.b.ip);
      return r.ok ? undefined : r;
    }, 60_000, 250);
    expect(refused.error).toMatch(/refused|timed out|unreachable/i);
    expect((await fetchFrom(pods.b.name, pods.a.ip)).ok).toBe(false);
    // Egress: the proxy pod is selected by no policy, so only Space A's own egress rules refuse this.
    expect((await fetchFrom(pods.a.name, pods.proxy.ip)).ok).toBe(false);
    // Nor link-local addresses (cloud metadata), though the node has one.
    expect((await fetchFrom(pods.a.name, META_IP, META_PORT)).ok).toBe(false);

    const viaProxyB = await fetchFrom(pods.proxy.name, pods.b.ip);
    expect(viaProxyB).toMatchObject({ ok: true });
    expect(viaProxyB.ok && viaProxyB.body).toContain('spaceport test app');
    expect(await fetchFrom(pods.proxy.name, pods.a.ip)).toMatchObject({ ok: true });

    await cluster.kubectl(['-n', namespace, 'delete', 'networkpolicy', `${RELEASE}-spaceport-spaces`, '--wait=true']);
    const open = await waitFor('Space A reaching Space B without the policy', async () => {
      const r = await fetchFrom(pods.a.name, pods.b.ip);
      return r.ok ? r : undefined;
    }, 60_000, 250);
    expect(open.body).toContain('spaceport test app');
    expect(await fetchFrom(pods.a.name, pods.proxy.ip)).toMatchObject({ ok: true });
    expect(await fetchFrom(pods.b.name, pods.a.ip)).toMatchObject({ ok: true });
    expect(await fetchFrom(pods.a.name, META_IP, META_PORT)).toMatchObject({ ok: true });
  }, 300_000);
});
