import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesAdapters } from '../../controller/kubernetes-adapters.js';
import { silentLogger } from '../../core/index.js';
import { startProxyServer, type RunningProxyServer } from '../../proxy/index.js';
import { SETTLED } from '../support/docker-space.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, waitFor } from '../support/http.js';
import { useTestCluster, type TestCluster } from '../support/k8s-cluster.js';
import { clusterModeEnv } from '../support/k8s-spaceport.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';
import { ensureTestImage, TEST_IMAGE, TEST_IMAGE_PORT } from '../support/test-image.js';

/**
 * Issue 22, item 3 (s30): on Kubernetes the native data plane runs beside each proxy replica —
 * HAProxy in the replica's container (the chart's `proxy.dataPlane: haproxy`), driven by the
 * replica's own route stream. Here: a controller in cluster mode, a Space's pod on the test
 * cluster's real node (containerd + kubelet), and a proxy replica with HAProxy in front, as the
 * chart's proxy pod runs it (on the host, which is the real node: pod IPs are reachable from it).
 * HAProxy maps the Space's host to its pod IP and serves it (its per-Host counter counts the
 * answer); sleep takes the host out of the map first, and a visit through the replica wakes the pod.
 */
const RUN = randomBytes(3).toString('hex');
const TOKEN = `native-k8s-${RUN}-internal-token-0123456789`;
const files = (text: string) => ({
  'README.md': `---\ntitle: Native on k8s\nsdk: docker\napp_port: ${TEST_IMAGE_PORT}\n---\n`,
  Dockerfile: `FROM ${TEST_IMAGE}\nCOPY index.html /www/index.html\nCMD ["/app/start.sh"]\n`,
  'index.html': `<!doctype html><title>k8s</title><p>${text}</p>\n`,
});

describe('the native data plane beside a proxy replica, serving a pod on the real node', () => {
  let cluster: TestCluster;
  let namespace: string;
  let h: Harness;
  let replica: RunningProxyServer;
  const dirs: string[] = [];
  const space = 'admin/native-k8s';
  const host = 'admin-native-k8s.localhost';
  const via = () => request({ port: replica.port, path: '/', host: `${host}:${replica.port}`, timeoutMs: 60_000 });
  const served = async () => (await replica.native!.api.counters()).find((c) => c.host === host)?.responses ?? 0;

  beforeAll(async () => {
    cluster = await useTestCluster();
    await ensureTestImage(new Dockerode());
    namespace = await cluster.createNamespace('sp-native');
    h = await startHarness((config) => kubernetesAdapters(config, silentLogger()), {
      ...clusterModeEnv(cluster, { namespace, run: `native-${RUN}` }),
      SPACEPORT_INTERNAL_TOKEN: TOKEN,
      SPACEPORT_DRAIN_MS: '2000',
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-native-k8s-'));
    dirs.push(dir);
    replica = await startProxyServer({
      controllerUrl: h.sp.url,
      token: TOKEN,
      port: 0,
      host: '127.0.0.1',
      domain: 'localhost',
      logger: silentLogger(),
      native: { dir: path.join(dir, 'haproxy') },
    });
    await replica.routes.ready();
  }, 180_000);

  afterAll(async () => {
    await replica?.close();
    await h?.close();
    if (namespace) await cluster.deleteNamespace(namespace);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('maps the running Space to its pod IP and serves it through HAProxy', async () => {
    expect((await h.api('POST', '/api/repos/create', { name: 'native-k8s', type: 'space', sdk: 'docker' })).status).toBe(200);
    const work = await makeWorkTree(files(`native ${RUN}`));
    dirs.push(work);
    const r = await git(['push', '--force', pushUrl(h.port, space, ADMIN_TOKEN), 'main'], work);
    expect(r.code, r.stderr).toBe(0);
    const rt = await h.waitStage(space, SETTLED, 900_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
    const pod = (JSON.parse(await cluster.kubectl(['-n', namespace, 'get', 'pods', '-o', 'json'])).items as { metadata: { annotations: Record<string, string> }; spec: { nodeName: string }; status: { podIP: string } }[]).find(
      (p) => p.metadata.annotations['spaceport.dev/space'] === space,
    )!;
    expect(pod.spec.nodeName).toBe(cluster.realNode);
    const mapped = await waitFor('the Space in HAProxy’s map', async () => (await replica.native!.api.routes()).get(host), 60_000, 100);
    expect(mapped).toBe(`${pod.status.podIP}:${TEST_IMAGE_PORT}`);
    const before = await served();
    const page = await via();
    expect(page.status).toBe(200);
    expect(page.body).toContain(`native ${RUN}`);
    expect(await served()).toBe(before + 1);
  }, 960_000);

  it('sleep takes the host out of the map; a visit through the replica wakes the pod and it is mapped again', async () => {
    await h.api('POST', `/api/spaces/${space}/sleeptime`, { seconds: 1 });
    await h.waitStage(space, ['SLEEPING'], 120_000);
    await h.api('POST', `/api/spaces/${space}/sleeptime`, { seconds: 600 });
    await waitFor('the host out of the map', async () => ((await replica.native!.api.routes()).has(host) ? undefined : true), 60_000, 100);
    // The visit falls to the replica's Node proxy (not in the map), which holds it and wakes the Space.
    const woken = await via();
    expect(woken.status).toBe(200);
    expect(woken.body).toContain(`native ${RUN}`);
    await waitFor('the host mapped again', async () => ((await replica.native!.api.routes()).has(host) ? true : undefined), 60_000, 100);
    const before = await served();
    expect((await via()).status).toBe(200);
    expect(await served()).toBe(before + 1);
  }, 300_000);
});
