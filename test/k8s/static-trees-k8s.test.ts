import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesAdapters } from '../../controller/kubernetes-adapters.js';
import { silentLogger } from '../../core/index.js';
import { startProxyServer, type RunningProxyServer } from '../../proxy/index.js';
import { SETTLED, sseText } from '../support/docker-space.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, waitFor } from '../support/http.js';
import { useTestCluster, type TestCluster } from '../support/k8s-cluster.js';
import { clusterModeEnv } from '../support/k8s-spaceport.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * Static Spaces on Kubernetes run no pod: their trees lie in the controller's data dir and a proxy
 * replica (`startProxyServer`, as the chart's proxy Deployment runs it) fetches each by hash from the
 * controller's internal API into its bounded cache and serves it. With `app_build_command` the build
 * runs on the builder engine, its image is pushed to the cluster's registry, and the output is read
 * back from the registry (manifest and layer blobs). A static Space released as a pod by an older
 * Spaceport moves to its tree at restart, without a push, and its pod goes.
 */
const RUN = randomBytes(3).toString('hex');
const INTERNAL = `internal-${RUN}-0123456789abcdef`;
const README = (extra = '') => `---\ntitle: Static on k8s\nsdk: static\n${extra}---\n`;
const BUILD_README = README('app_build_command: npm run build\napp_file: dist/index.html\n');
const PACKAGE_JSON = JSON.stringify({ name: 'built-site', version: '1.0.0', private: true, scripts: { build: 'node build.js' } });
const BUILD_JS = `
const fs = require('node:fs');
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/index.html', '<h1>built ${RUN} by node ' + process.version + '</h1>');
`;

describe('static Spaces on Kubernetes: no pod, served by proxy replicas', () => {
  let cluster: TestCluster;
  let namespace: string;
  let h: Harness;
  let proxy: RunningProxyServer;
  let cacheRoot: string;
  let asImages = false;
  const works: string[] = [];

  /** Deployments and pods of `space` in the test namespace (none for a static Space served from its tree). */
  const workloadsOf = async (space: string): Promise<string[]> => {
    const items = JSON.parse(await cluster.kubectl(['-n', namespace, 'get', 'deployments,pods', '-o', 'json'])).items as { kind: string; metadata: { name: string; annotations?: Record<string, string>; deletionTimestamp?: string } }[];
    return items.filter((i) => i.metadata.annotations?.['spaceport.dev/space'] === space && !i.metadata.deletionTimestamp).map((i) => `${i.kind}/${i.metadata.name}`);
  };
  const viaReplica = (sub: string, p = '/') => request({ port: proxy.port, path: p, host: `${sub}.localhost:${proxy.port}`, timeoutMs: 30_000 });

  async function deploy(name: string, files: Record<string, string>, timeoutMs = 900_000): Promise<void> {
    expect((await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'static' })).status).toBe(200);
    const work = await makeWorkTree(files);
    works.push(work);
    const r = await git(['push', '--force', pushUrl(h.port, `admin/${name}`, ADMIN_TOKEN), 'main'], work);
    expect(r.code, r.stderr).toBe(0);
    const rt = await h.waitStage(`admin/${name}`, SETTLED, timeoutMs);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
  }

  beforeAll(async () => {
    cluster = await useTestCluster();
    namespace = await cluster.createNamespace('sp-static');
    h = await startHarness(async (config) => ({ ...(await kubernetesAdapters(config, silentLogger())), ...(asImages ? { staticSpacesAsImages: true } : {}) }), {
      ...clusterModeEnv(cluster, { namespace, run: `st-${RUN}` }),
      SPACEPORT_INTERNAL_TOKEN: INTERNAL,
      SPACEPORT_DRAIN_MS: '1000',
    });
    cacheRoot = mkdtempSync(path.join(tmpdir(), 'spaceport-k8s-replica-'));
    proxy = await startProxyServer({
      controllerUrl: `http://127.0.0.1:${h.port}`,
      token: INTERNAL,
      port: 0,
      host: '127.0.0.1',
      domain: 'localhost',
      logger: silentLogger(),
      routeStream: { backoff: { initialMs: 100, maxMs: 500 } },
      staticCache: { dir: path.join(cacheRoot, 'trees'), maxBytes: 64 * 1024 * 1024 },
    });
  }, 300_000);

  afterAll(async () => {
    await proxy?.close();
    await h?.close();
    if (namespace) await cluster.deleteNamespace(namespace);
    for (const w of works) rmSync(w, { recursive: true, force: true });
    if (cacheRoot) rmSync(cacheRoot, { recursive: true, force: true });
  });

  // First: the restarts of this test meet no static Space served from its tree yet.
  it('a static Space released as a pod before moves to its tree at restart, without a push, and its pod goes', async () => {
    asImages = true;
    await h.restart();
    await deploy('moved', { 'README.md': README(), 'index.html': `<p>moved ${RUN}</p>\n` });
    await waitFor('a pod serves it', async () => ((await workloadsOf('admin/moved')).some((w) => w.startsWith('Pod/')) ? true : undefined), 60_000);
    await waitFor('the replica serves it from the pod', async () => ((await viaReplica('admin-moved')).body.includes(`moved ${RUN}`) ? true : undefined), 60_000);
    const before = (await h.api('GET', '/api/spaces/admin/moved/commits/main')).body;

    asImages = false;
    await h.restart();
    await waitFor('no workload left', async () => ((await workloadsOf('admin/moved')).length === 0 ? true : undefined), 300_000, 500);
    expect((await h.stage('admin/moved')).stage).toBe('RUNNING');
    const page = await viaReplica('admin-moved');
    expect(page.status).toBe(200);
    expect(page.body).toContain(`moved ${RUN}`);
    expect(page.headers.etag).toBeTruthy();
    expect((await h.api('GET', '/api/spaces/admin/moved/commits/main')).body).toBe(before);
  }, 960_000);

  it('a static Space answers through the proxy replica from its tree, with zero pods for it', async () => {
    await deploy('plain', { 'README.md': README(), 'index.html': `<p>plain ${RUN}</p>\n`, 'docs/index.html': 'docs\n' });
    await waitFor('the replica serves it', async () => ((await viaReplica('admin-plain')).body.includes(`plain ${RUN}`) ? true : undefined), 30_000);
    const page = await viaReplica('admin-plain');
    expect(page.status).toBe(200);
    expect(page.headers.etag).toBeTruthy();
    expect((await viaReplica('admin-plain', '/docs/')).body).toBe('docs\n');
    // The replica holds the tree it fetched by hash; no pod nor Deployment was ever made for it.
    const release = h.sp.store.getRelease(h.sp.store.getSpace('admin/plain' as never)!.servingRelease!)!;
    const tree = /([0-9a-f]{40,64})/.exec(release.image)?.[1];
    expect(readdirSync(path.join(cacheRoot, 'trees'))).toContain(tree);
    expect(await workloadsOf('admin/plain')).toEqual([]);
  }, 960_000);

  it('a static Space with app_build_command: built on the builder, read back from the registry, served by the replica with zero pods', async () => {
    await deploy('built', { 'README.md': BUILD_README, 'package.json': PACKAGE_JSON, 'build.js': BUILD_JS }, 1_200_000);
    const log = sseText((await h.api('GET', '/api/spaces/admin/built/logs/build')).body);
    expect(log).toMatch(/Pushed .* \(sha256:[0-9a-f]{64}\)/);
    expect(log).toMatch(/Build output in place \([0-9a-f]{12}\): served by the proxy, no container\./);
    await waitFor('the replica serves the build output', async () => ((await viaReplica('admin-built')).body.includes(`built ${RUN} by node v`) ? true : undefined), 30_000);
    expect((await viaReplica('admin-built', '/build.js')).status).toBe(404);
    expect(await workloadsOf('admin/built')).toEqual([]);
  }, 1_300_000);
});
