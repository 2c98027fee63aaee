import { randomBytes } from 'node:crypto';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesAdapters } from '../../controller/kubernetes-adapters.js';
import { silentLogger } from '../../core/index.js';
import { gradioPredict, SETTLED } from '../support/docker-space.js';
import { commitFiles, git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, waitFor } from '../support/http.js';
import { useTestCluster, type TestCluster } from '../support/k8s-cluster.js';
import { clusterModeEnv } from '../support/k8s-spaceport.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';
import { ensureTestImage, TEST_IMAGE, TEST_IMAGE_PORT } from '../support/test-image.js';

/**
 * Spaceport in cluster mode end to end on the test cluster's real node (containerd + kubelet):
 * `git push` → BuildKit on the host engine → push to the registry (Debian's docker-registry) →
 * the node pulls it by digest → the pod is Ready → the app answers through Spaceport's proxy at
 * its subdomain. Then a redeploy under a poller, sleep (0 replicas) and a wake by 100 requests.
 * The small real pod is a docker-SDK Space on the tiny test image (busybox httpd,
 * test/support/test-image.ts): static Spaces run no pod on Kubernetes (test/k8s/static-trees-k8s.test.ts).
 */
const RUN = randomBytes(3).toString('hex');
const GRADIO_README = '---\ntitle: Greeter\nsdk: gradio\nsdk_version: 5.50.0\napp_file: app.py\n---\n';
const GRADIO_APP = `# run ${RUN}
import gradio as gr

def greet(name):
    return f"Hello {name} from a pod!"

gr.Interface(fn=greet, inputs="text", outputs="text", api_name="greet").launch()
`;
const podFiles = (version: string) => ({
  'README.md': `---\ntitle: A pod on k8s\nsdk: docker\napp_port: ${TEST_IMAGE_PORT}\n---\n`,
  Dockerfile: `FROM ${TEST_IMAGE}\nCOPY index.html /www/index.html\nCMD ["/app/start.sh"]\n`,
  'index.html': `<!doctype html><title>k8s</title><p>${version}</p>\n`,
});

interface PodJson {
  metadata: { name: string; creationTimestamp: string; annotations: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: { image: string }[] };
  status: { containerStatuses?: { imageID: string; ready: boolean }[] };
}

describe('Spaceport on Kubernetes, end to end on a real node', () => {
  let cluster: TestCluster;
  let namespace: string;
  let h: Harness;
  const works: string[] = [];

  const pods = async (space: string): Promise<PodJson[]> =>
    (JSON.parse(await cluster.kubectl(['-n', namespace, 'get', 'pods', '-o', 'json'])).items as PodJson[]).filter(
      (p) => p.metadata.annotations['spaceport.dev/space'] === space && !p.metadata.deletionTimestamp,
    );

  async function create(name: string, sdk: string, files: Record<string, string>): Promise<string> {
    expect((await h.api('POST', '/api/repos/create', { name, type: 'space', sdk })).status).toBe(200);
    const work = await makeWorkTree(files);
    works.push(work);
    return work;
  }

  async function push(space: string, work: string): Promise<void> {
    const r = await git(['push', '--force', pushUrl(h.port, space, ADMIN_TOKEN), 'main'], work);
    expect(r.code, r.stderr).toBe(0);
  }

  beforeAll(async () => {
    cluster = await useTestCluster();
    await ensureTestImage(new Dockerode());
    namespace = await cluster.createNamespace('sp-e2e');
    h = await startHarness((config) => kubernetesAdapters(config, silentLogger()), {
      ...clusterModeEnv(cluster, { namespace, run: `e2e-${RUN}` }),
      SPACEPORT_DRAIN_MS: '2000',
    });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    if (namespace) await cluster.deleteNamespace(namespace);
    const { rmSync } = await import('node:fs');
    for (const w of works) rmSync(w, { recursive: true, force: true });
  });

  describe('a Space with a small image', () => {
    let work: string;
    const space = 'admin/pod-k8s';
    const sub = 'admin-pod-k8s';

    it('is built, pushed to the registry, pulled by the node by digest, and answers through the proxy', async () => {
      work = await create('pod-k8s', 'docker', podFiles('version one'));
      await push(space, work);
      const rt = await h.waitStage(space, SETTLED, 900_000);
      expect(rt.stage, rt.errorMessage).toBe('RUNNING');
      const page = await h.app(sub, '/');
      expect(page.status).toBe(200);
      expect(page.body).toContain('version one');
      const [pod] = await pods(space);
      expect(pod!.spec.nodeName).toBe(cluster.realNode);
      const image = pod!.spec.containers[0]!.image;
      expect(image).toMatch(new RegExp(`^${cluster.registry.replace(/\./g, '\\.')}/sp-e2e-${RUN}/admin-pod-k8s@sha256:[0-9a-f]{64}$`));
      expect(pod!.status.containerStatuses![0]!.imageID).toContain(image.split('@')[1]);
      const tags = await (await fetch(`http://${cluster.registry}/v2/sp-e2e-${RUN}/admin-pod-k8s/tags/list`)).json();
      expect((tags as { tags: string[] }).tags.length).toBeGreaterThan(0);
    }, 960_000);

    it('a second push redeploys with no failed request from a poller', async () => {
      const seen: { status: number; body: string }[] = [];
      let stop = false;
      const host = `${sub}.localhost:${h.port}`;
      const poll = (async () => {
        while (!stop && seen.length < 5000) {
          const next = Date.now() + 100;
          try {
            const r = await request({ port: h.port, host, path: '/', timeoutMs: 10_000 });
            seen.push({ status: r.status, body: r.body.includes('version two') ? 'v2' : r.body.includes('version one') ? 'v1' : r.body.slice(0, 200) });
          } catch (err) {
            seen.push({ status: 0, body: String(err) });
          }
          await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
        }
      })();
      try {
        await waitFor('a few answers', async () => (seen.length >= 10 ? true : undefined), 30_000, 50);
        await commitFiles(work, podFiles('version two'), 'v2');
        await push(space, work);
        await waitFor('version two answering', async () => (seen.at(-1)?.body === 'v2' ? true : undefined), 600_000, 100);
        await waitFor('one pod left', async () => ((await pods(space)).length === 1 ? true : undefined), 60_000, 200);
        const after = seen.length;
        await waitFor('more answers after the switch', async () => (seen.length >= after + 20 ? true : undefined), 30_000, 50);
      } finally {
        stop = true;
        await poll;
      }
      const bad = seen.filter((r) => r.status !== 200);
      expect(bad, JSON.stringify(bad.slice(0, 5))).toEqual([]);
      const versions = seen.map((r) => r.body).filter((b, i, all) => i === 0 || all[i - 1] !== b);
      expect(versions).toEqual(['v1', 'v2']);
    }, 660_000);

    it('sleeps by scaling to 0; 100 concurrent requests wake it with one scale-up and all get the app', async () => {
      await h.api('POST', `/api/spaces/${space}/sleeptime`, { seconds: 1 });
      await h.waitStage(space, ['SLEEPING'], 60_000);
      await h.api('POST', `/api/spaces/${space}/sleeptime`, { seconds: 600 });
      const deployments = JSON.parse(await cluster.kubectl(['-n', namespace, 'get', 'deployments', '-o', 'json'])).items as {
        metadata: { annotations: Record<string, string> };
        spec: { replicas: number };
      }[];
      const mine = deployments.filter((d) => d.metadata.annotations['spaceport.dev/space'] === space);
      expect(mine.map((d) => d.spec.replicas)).toEqual([0]);
      await waitFor('no pod left', async () => ((await pods(space)).length === 0 ? true : undefined), 60_000, 200);

      const since = Date.now() - 1000;
      const results = await Promise.all(
        Array.from({ length: 100 }, () => request({ port: h.port, path: '/', host: `${sub}.localhost:${h.port}`, timeoutMs: 120_000 })),
      ).catch(async (err: unknown) => {
        // Say what the cluster and Spaceport saw, so a failure here can be explained.
        const rt = await h.stage(space).catch(() => undefined);
        const instances = await h.sp.reconciler.stageOf(h.sp.store.getSpace(space as never)!.uid);
        const pods = await cluster.kubectl(['-n', namespace, 'get', 'pods,deployments,replicasets', '-o', 'wide']).catch((e: unknown) => String(e));
        const events = await cluster.kubectl(['-n', namespace, 'get', 'events', '--sort-by=.lastTimestamp']).catch((e: unknown) => String(e));
        throw new Error(`${(err as Error).message}\nruntime: ${JSON.stringify(rt)}\nreconciler stage: ${JSON.stringify(instances)}\n${pods}\n${events.slice(-4000)}`);
      });
      expect(results.map((r) => r.status)).toEqual(Array(100).fill(200));
      for (const r of results) expect(r.body).toContain('version two');
      expect((await h.stage(space)).stage).toBe('RUNNING');
      const fresh = (await pods(space)).filter((p) => new Date(p.metadata.creationTimestamp).getTime() >= since);
      expect(fresh).toHaveLength(1);
      const events = await cluster.kubectl(['-n', namespace, 'get', 'events', '--field-selector', 'reason=ScalingReplicaSet', '-o', 'json']);
      const ups = (JSON.parse(events).items as { message: string; lastTimestamp?: string; eventTime?: string }[]).filter(
        (e) => /from 0 to 1/.test(e.message) && new Date(e.lastTimestamp ?? e.eventTime ?? 0).getTime() >= since - 1000,
      );
      expect(ups.length).toBeLessThanOrEqual(1);
    }, 240_000);

    it('a broken release (its app exits at start) is RUNTIME_ERROR with its output, and the last good one keeps serving', async () => {
      await commitFiles(
        work,
        {
          'README.md': `---\ntitle: Broken\nsdk: docker\napp_port: ${TEST_IMAGE_PORT}\n---\n`,
          // The tiny test image, as the releases before it: no base image to build on a fresh machine.
          Dockerfile: `FROM ${TEST_IMAGE}\nCMD ["sh", "-c", "echo the app is broken on purpose; exit 3"]\n`,
        },
        'broken',
      );
      await push(space, work);
      const rt = await h.waitStage(space, ['RUNTIME_ERROR'], 600_000);
      expect(rt.errorMessage).toContain('the app is broken on purpose');
      const page = await h.app(sub, '/');
      expect(page.status).toBe(200);
      expect(page.body).toContain('version two');
    }, 660_000);
  });

  it('a gradio Space runs as a pod and answers gradio API calls through the proxy', async () => {
    const space = 'admin/gradio-k8s';
    const work = await create('gradio-k8s', 'gradio', { 'README.md': GRADIO_README, 'app.py': GRADIO_APP });
    await push(space, work);
    const rt = await h.waitStage(space, SETTLED, 1_200_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
    const out = await gradioPredict(h, 'admin-gradio-k8s', 'greet', ['Kubernetes']);
    expect(out).toContain('Hello Kubernetes from a pod!');
    const [pod] = await pods(space);
    expect(pod!.spec.nodeName).toBe(cluster.realNode);
  }, 1_300_000);
});
