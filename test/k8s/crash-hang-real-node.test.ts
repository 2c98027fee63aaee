import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesAdapters } from '../../controller/kubernetes-adapters.js';
import { silentLogger } from '../../core/index.js';
import { fixtureSpace } from '../support/fixture-spaces.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { useTestCluster, type TestCluster } from '../support/k8s-cluster.js';
import { clusterModeEnv } from '../support/k8s-spaceport.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * Crash loops and hangs on Kubernetes, on the test cluster's real node (issue 19), with the fixture
 * Spaces pushed unchanged: as on Docker (test/e2e/crash-loop.test.ts, hang-loop.test.ts) both end
 * RUNTIME_ERROR with the app's last lines. The kubelet restarts a crashed container in place, often
 * before a pass lists it as exited (it answered for three seconds each time, so the Space flipped
 * between RUNNING and APP_STARTING); the runtime reports those restarts and the reconciler counts
 * them as crashes. A hang is found by the pod's liveness probe (every 2 s here, 2 failures).
 */
const RUN = randomBytes(3).toString('hex');
const ERROR_STAGES = ['RUNTIME_ERROR', 'BUILD_ERROR', 'CONFIG_ERROR'];

interface PodJson {
  metadata: { annotations: Record<string, string>; deletionTimestamp?: string };
  spec: { containers: { livenessProbe?: unknown; startupProbe?: unknown }[] };
}

describe('crash loops and hangs of Space apps on Kubernetes (real node)', () => {
  let cluster: TestCluster;
  let namespace: string;
  let h: Harness;
  const works: string[] = [];

  beforeAll(async () => {
    cluster = await useTestCluster();
    namespace = await cluster.createNamespace('sp-crash');
    h = await startHarness((config) => kubernetesAdapters(config, silentLogger()), {
      ...clusterModeEnv(cluster, { namespace, run: `crash-${RUN}` }),
      SPACEPORT_LIVENESS_PERIOD_SECONDS: '2',
      SPACEPORT_LIVENESS_TIMEOUT_SECONDS: '1',
      SPACEPORT_LIVENESS_FAILURES: '2',
    });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    if (namespace) await cluster.deleteNamespace(namespace);
    for (const w of works) rmSync(w, { recursive: true, force: true });
  });

  async function pushFixture(name: string, shape: string): Promise<string> {
    expect((await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'docker' })).status).toBe(200);
    const work = await makeWorkTree(fixtureSpace(shape));
    works.push(work);
    const r = await git(['push', '--force', pushUrl(h.port, `admin/${name}`, ADMIN_TOKEN), 'main'], work);
    expect(r.code, r.stderr).toBe(0);
    return `admin/${name}`;
  }

  const podsOf = async (space: string): Promise<PodJson[]> =>
    (JSON.parse(await cluster.kubectl(['-n', namespace, 'get', 'pods', '-o', 'json'])).items as PodJson[]).filter(
      (p) => p.metadata.annotations['spaceport.dev/space'] === space && !p.metadata.deletionTimestamp,
    );

  it('an app that answers, then exits at every start, is RUNTIME_ERROR with its last line, and stays so', async () => {
    const space = await pushFixture('crash-after-ready', 'crash-after-ready');
    const rt = await h.waitStage(space, ERROR_STAGES, 600_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNTIME_ERROR');
    expect(rt.errorMessage).toContain("cannot import name 'AsyncExitStack'");
    // Between crashes it answers for three seconds: the stage must not flip back.
    const seen = new Set<string>();
    const until = Date.now() + 15_000;
    while (Date.now() < until) {
      seen.add((await h.stage(space)).stage);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect([...seen]).toEqual(['RUNTIME_ERROR']);
    expect((await podsOf(space)).length).toBeGreaterThan(0);
  }, 700_000);

  it('an app that hangs after ready is killed by its liveness probe, and repeated hangs are RUNTIME_ERROR', async () => {
    const space = await pushFixture('hang-after-ready', 'hang-after-ready');
    const rt = await h.waitStage(space, ERROR_STAGES, 600_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNTIME_ERROR');
    expect(rt.errorMessage).toContain('stopped answering HTTP on its port (liveness probe GET /)');
    // The app's own last lines follow: it ran and answered before it hung.
    expect(rt.errorMessage).toContain('holds the request lock for good');
    // The pod template (a pod itself may be between restarts right now).
    const deployments = JSON.parse(await cluster.kubectl(['-n', namespace, 'get', 'deployments', '-o', 'json'])).items as {
      metadata: { annotations: Record<string, string> };
      spec: { template: { spec: PodJson['spec'] } };
    }[];
    const [app] = deployments.filter((d) => d.metadata.annotations['spaceport.dev/space'] === space).map((d) => d.spec.template.spec.containers[0]!);
    expect(app!.livenessProbe).toMatchObject({ httpGet: { path: '/' }, periodSeconds: 2, failureThreshold: 2 });
    expect(app!.startupProbe).toBeDefined();
  }, 700_000);
});
