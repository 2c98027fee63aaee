import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { startProxyServer, type RunningProxyServer } from '../../proxy/index.js';
import { commitFiles, git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, waitFor } from '../support/http.js';
import { useTestCluster, type TestCluster } from '../support/k8s-cluster.js';
import { SpaceportProcess, freePort } from '../support/spaceport-process.js';
import { clusterModeEnv } from '../support/k8s-spaceport.js';
import { ensureTestImage, TEST_IMAGE, TEST_IMAGE_PORT } from '../support/test-image.js';

/**
 * The controller (`spaceport up`, a real process) is killed with SIGKILL during a build and during
 * a wake. A proxy replica (`startProxyServer`, fed by the route stream) keeps serving the running
 * Space meanwhile; after the restart every Space converges: the interrupted build is built and
 * deployed, the interrupted wake finishes.
 */
const RUN = randomBytes(3).toString('hex');
const TOKEN = `sp_restart_admin_${RUN}_0123456789`;
const INTERNAL = `internal-${RUN}-0123456789abcdef`;
const SETTLED = ['RUNNING', 'BUILD_ERROR', 'CONFIG_ERROR', 'NO_APP_FILE', 'RUNTIME_ERROR'];
// A docker-SDK Space on the tiny test image: a real pod to wake (static Spaces run none on Kubernetes).
const files = (text: string) => ({
  'README.md': `---\ntitle: Restart\nsdk: docker\napp_port: ${TEST_IMAGE_PORT}\n---\n`,
  Dockerfile: `FROM ${TEST_IMAGE}\nCOPY index.html /www/index.html\nCMD ["/app/start.sh"]\n`,
  'index.html': `<p>${text}</p>\n`,
});

describe('killing the controller on Kubernetes: proxies keep serving, Spaces converge', () => {
  let cluster: TestCluster;
  let namespace: string;
  let port: number;
  let dataDir: string;
  let controller: SpaceportProcess;
  let proxy: RunningProxyServer;
  const works: string[] = [];
  let workA: string;

  const api = (method: string, p: string, body?: unknown) => controller.api(method, p, body);
  const stage = (space: string) => controller.stage(space);
  const waitStage = (space: string, stages: string[], ms = 600_000) =>
    waitFor(`${space} in ${stages.join('|')}`, async () => {
      const rt = await stage(space).catch(() => undefined);
      return rt && stages.includes(rt.stage) ? rt : undefined;
    }, ms, 200);
  const viaProxy = (sub: string, timeoutMs = 10_000) => request({ port: proxy.port, path: '/', host: `${sub}.localhost:${proxy.port}`, timeoutMs });

  const startController = () => controller.start();
  const killController = () => controller.kill();

  async function createAndPush(name: string, text: string): Promise<string> {
    expect((await api('POST', '/api/repos/create', { name, type: 'space', sdk: 'docker' })).status).toBe(200);
    const work = await makeWorkTree(files(text));
    works.push(work);
    const r = await git(['push', '--force', pushUrl(port, `admin/${name}`, TOKEN), 'main'], work);
    expect(r.code, r.stderr).toBe(0);
    return work;
  }

  beforeAll(async () => {
    cluster = await useTestCluster();
    await ensureTestImage(new Dockerode());
    namespace = await cluster.createNamespace('sp-restart');
    dataDir = mkdtempSync(path.join(tmpdir(), 'spaceport-restart-'));
    port = await freePort();
    controller = new SpaceportProcess({
      port,
      dataDir,
      token: TOKEN,
      env: {
        SPACEPORT_INTERNAL_TOKEN: INTERNAL,
        ...clusterModeEnv(cluster, { namespace, run: `restart-${RUN}` }),
        SPACEPORT_DRAIN_MS: '1000',
        SPACEPORT_LOG_LEVEL: 'info',
      },
    });
    await startController();
    proxy = await startProxyServer({
      controllerUrl: `http://127.0.0.1:${port}`,
      token: INTERNAL,
      port: 0,
      host: '127.0.0.1',
      domain: 'localhost',
      logger: silentLogger(),
      routeStream: { backoff: { initialMs: 100, maxMs: 500 } },
    });
    workA = await createAndPush('alpha', 'alpha one');
    await createAndPush('bravo', 'bravo one');
    for (const s of ['admin/alpha', 'admin/bravo']) expect((await waitStage(s, SETTLED, 900_000)).stage).toBe('RUNNING');
    await waitFor('proxy routes alpha', async () => ((await viaProxy('admin-alpha')).body.includes('alpha one') ? true : undefined), 30_000);
  }, 1_000_000);

  afterAll(async () => {
    await proxy?.close();
    await controller?.kill();
    if (namespace) await cluster.deleteNamespace(namespace);
    for (const w of works) rmSync(w, { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('killed during a build: the proxy keeps serving the old version; after restart the build is redone and deployed', async () => {
    await commitFiles(workA, files('alpha two'), 'v2');
    const r = await git(['push', '--force', pushUrl(port, 'admin/alpha', TOKEN), 'main'], workA);
    expect(r.code, r.stderr).toBe(0);
    await waitStage('admin/alpha', ['RUNNING_BUILDING'], 30_000);
    await killController();
    const during = await Promise.all(Array.from({ length: 20 }, () => viaProxy('admin-alpha')));
    expect(during.map((x) => x.status)).toEqual(Array(20).fill(200));
    for (const x of during) expect(x.body).toContain('alpha one');

    await startController();
    await waitFor('alpha two through the proxy', async () => ((await viaProxy('admin-alpha')).body.includes('alpha two') ? true : undefined), 600_000, 200);
    expect((await waitStage('admin/alpha', ['RUNNING'], 60_000)).stage).toBe('RUNNING');
    expect((await stage('admin/bravo')).stage).toBe('RUNNING');
  }, 900_000);

  it('killed during a wake: the running Space is served meanwhile; after restart the sleeping one finishes waking', async () => {
    await api('POST', '/api/spaces/admin/bravo/sleeptime', { seconds: 1 });
    await waitStage('admin/bravo', ['SLEEPING'], 60_000);
    await api('POST', '/api/spaces/admin/bravo/sleeptime', { seconds: 3600 });
    await waitFor('the proxy holds bravo as sleeping', async () => (proxy.routes.snapshot().find((r) => r.subdomain === 'admin-bravo')?.target.kind === 'sleeping' ? true : undefined), 10_000);

    // A visit wakes it: the controller scales it to 1; kill the controller before the pod is Ready.
    const visit = viaProxy('admin-bravo', 300_000);
    await waitFor('bravo scaled up', async () => {
      const out = await cluster.kubectl(['-n', namespace, 'get', 'deployments', '-o', 'jsonpath={range .items[*]}{.metadata.annotations.spaceport\\.dev/space}={.spec.replicas}{"\\n"}{end}']);
      return out.split('\n').includes('admin/bravo=1') ? true : undefined;
    }, 60_000, 50);
    await killController();
    const alpha = await Promise.all(Array.from({ length: 20 }, () => viaProxy('admin-alpha')));
    expect(alpha.map((x) => x.status)).toEqual(Array(20).fill(200));

    await startController();
    expect((await waitStage('admin/bravo', ['RUNNING'], 120_000)).stage).toBe('RUNNING');
    const held = await visit;
    expect(held.status).toBe(200);
    expect(held.body).toContain('bravo one');
    expect((await viaProxy('admin-bravo')).status).toBe(200);
    expect((await stage('admin/alpha')).stage).toBe('RUNNING');
  }, 600_000);
});
