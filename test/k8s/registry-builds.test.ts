import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesAdapters } from '../../controller/kubernetes-adapters.js';
import { silentLogger } from '../../core/index.js';
import { SETTLED, sseText } from '../support/docker-space.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { useTestCluster, type TestCluster } from '../support/k8s-cluster.js';
import { clusterModeEnv } from '../support/k8s-spaceport.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';
import { ensureTestImage, TEST_IMAGE, TEST_IMAGE_PORT } from '../support/test-image.js';

/**
 * Builds for a cluster: the image is pushed to the registry and run by digest; a commit the
 * registry already has is not built again, even by a fresh install whose engine has no copy.
 * The Space is a docker-SDK one on the tiny test image (static Spaces build no image to run on
 * Kubernetes: they are served from their trees, test/k8s/static-trees-k8s.test.ts).
 */
const RUN = randomBytes(3).toString('hex');
const NAME = `reg-${RUN}`;
const FILES = {
  'README.md': `---\ntitle: Registry\nsdk: docker\napp_port: ${TEST_IMAGE_PORT}\n---\n`,
  Dockerfile: `FROM ${TEST_IMAGE}\nCOPY index.html /www/index.html\nCMD ["/app/start.sh"]\n`,
  'index.html': `<p>registry ${RUN}</p>\n`,
};

describe('images in the registry', () => {
  let cluster: TestCluster;
  let namespace: string;
  const docker = new Dockerode();
  const works: string[] = [];

  async function install(): Promise<Harness> {
    return startHarness((config) => kubernetesAdapters(config, silentLogger()), clusterModeEnv(cluster, { namespace, run: `reg-${RUN}` }));
  }

  async function deploy(h: Harness): Promise<{ image: string; log: string }> {
    expect((await h.api('POST', '/api/repos/create', { name: NAME, type: 'space', sdk: 'docker' })).status).toBe(200);
    const work = await makeWorkTree(FILES);
    works.push(work);
    expect((await git(['push', '--force', pushUrl(h.port, `admin/${NAME}`, ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    const rt = await h.waitStage(`admin/${NAME}`, SETTLED, 900_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
    expect((await h.app(`admin-${NAME}`, '/')).body).toContain(`registry ${RUN}`);
    const space = h.sp.store.getSpace(`admin/${NAME}` as never)!;
    const image = h.sp.store.getRelease(space.servingRelease!)!.image;
    const log = sseText((await h.api('GET', `/api/spaces/admin/${NAME}/logs/build`)).body);
    return { image, log };
  }

  const localImages = () => docker.listImages({ filters: { reference: [`spaceport/admin-${NAME}*`] } });

  beforeAll(async () => {
    cluster = await useTestCluster();
    await ensureTestImage(docker);
    namespace = await cluster.createNamespace('sp-registry');
  });

  afterAll(async () => {
    if (namespace) await cluster.deleteNamespace(namespace);
    for (const w of works) rmSync(w, { recursive: true, force: true });
    for (const img of await localImages()) await docker.getImage(img.Id).remove({ force: true }).catch(() => undefined);
  });

  it('a fresh install finds the commit in the registry and runs it without building', async () => {
    const first = await install();
    let built: { image: string; log: string };
    try {
      built = await deploy(first);
      expect(built.image).toMatch(new RegExp(`^${cluster.registry.replace(/\./g, '\\.')}/sp-reg-${RUN}/admin-${NAME}@sha256:[0-9a-f]{64}$`));
      expect(built.log).toMatch(/Pushed .* \(sha256:[0-9a-f]{64}\)/);
      await first.api('DELETE', '/api/repos/delete', { name: NAME, type: 'space' });
    } finally {
      await first.close();
    }
    // The engine forgets the image: only the registry has it now.
    for (const img of await localImages()) await docker.getImage(img.Id).remove({ force: true });
    expect(await localImages()).toEqual([]);

    const second = await install();
    try {
      const again = await deploy(second);
      expect(again.image).toBe(built.image);
      expect(again.log).toContain('is already built: reusing it');
      expect(again.log).not.toContain('Pushing');
      expect(await localImages()).toEqual([]);
    } finally {
      await second.close();
    }
  }, 1_200_000);
});
