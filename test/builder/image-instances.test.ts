import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, testConfig, toSpaceId } from '../../core/index.js';
import { DEFAULT_BASE_IMAGES, DockerImageBuilder, ensureBaseImages } from '../../builder/index.js';
import { BuildLogs, BuildPipeline, planFromBuilder } from '../../controller/builds/index.js';
import { HousekeepingTask } from '../../controller/gc/index.js';
import { FakeGitRepos } from '../../controller/git/testing/fake-git-repos.js';
import { DockerHousekeeping } from '../../controller/runtime/docker/docker-housekeeping.js';
import { SecretBox, SqliteStore, type SpaceRecord } from '../../controller/store/index.js';

/**
 * Issue 15, "images are not labelled with their install": two installs sharing an engine shared
 * `spaceport/{subdomain}` tags, and images of deleted Spaces were never collected. Two installs here
 * (their own store, pipeline and instance name) build a Space of the same name on the real engine.
 */
const docker = new Dockerode();
const run = randomBytes(3).toString('hex');

interface Install {
  instance: string;
  dir: string;
  store: SqliteStore;
  pipeline: BuildPipeline;
  space: SpaceRecord;
}

async function install(instance: string): Promise<Install> {
  const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-instances-'));
  const config = testConfig({ SPACEPORT_INSTANCE_NAME: instance, SPACEPORT_DATA_DIR: dir });
  const store = new SqliteStore({ file: path.join(dir, 'spaceport.db'), secrets: SecretBox.ephemeral() });
  const repos = new FakeGitRepos();
  const space = store.createSpace({ id: toSpaceId('alice', `same-${run}`), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
  await repos.create(space.id);
  await repos.commit(space.id, { 'README.md': '---\nsdk: static\n---\n', 'index.html': `<p>${run}</p>` });
  const pipeline = new BuildPipeline({
    store,
    repos,
    builder: new DockerImageBuilder({ docker, logger: silentLogger() }),
    plan: planFromBuilder(config),
    logs: new BuildLogs(dir),
    logger: silentLogger(),
    concurrency: 1,
    onBuilt: () => undefined,
    instance,
  });
  return { instance, dir, store, pipeline, space };
}

function builtImage(i: Install): string {
  const b = i.store.latestBuild(i.space.uid);
  if (b?.status !== 'succeeded') throw new Error(`no image built for ${i.instance}`);
  return b.image;
}

async function imagesOf(instance: string): Promise<Dockerode.ImageInfo[]> {
  return docker.listImages({ filters: { label: [`spaceport.instance=${instance}`] } });
}

describe('Space images carry their install (real engine)', () => {
  const installs: Install[] = [];
  const built: string[] = [];

  beforeAll(async () => {
    await ensureBaseImages(docker, DEFAULT_BASE_IMAGES, silentLogger());
    installs.push(await install(`sptest-a-${run}`), await install(`sptest-b-${run}`));
  });

  afterAll(async () => {
    for (const i of installs) {
      await i.pipeline.close();
      for (const img of await imagesOf(i.instance)) await docker.getImage(img.Id).remove({ force: true }).catch(() => undefined);
      i.store.close();
      rmSync(i.dir, { recursive: true, force: true });
    }
  });

  it('two installs build the same Space name under different tags, each labelled with its install and the Space uid', async () => {
    const [a, b] = installs as [Install, Install];
    for (const i of installs) {
      await i.pipeline.enqueue(i.space.uid);
      await i.pipeline.idle();
      expect(i.store.latestBuild(i.space.uid)?.status).toBe('succeeded');
    }
    const imageA = builtImage(a);
    const imageB = builtImage(b);
    built.push(imageA, imageB);
    expect(imageA).not.toBe(imageB);
    expect(imageA).toMatch(new RegExp(`^spaceport/alice-same-${run}:${a.instance}-[0-9a-f]{12}-[0-9a-f]{8}$`));
    expect(imageB).toMatch(new RegExp(`^spaceport/alice-same-${run}:${b.instance}-[0-9a-f]{12}-[0-9a-f]{8}$`));
    const labelsA = (await docker.getImage(imageA).inspect()).Config.Labels;
    expect(labelsA).toMatchObject({ 'spaceport.instance': a.instance, 'spaceport.space': a.space.uid });
    expect((await docker.getImage(imageB).inspect()).Config.Labels).toMatchObject({ 'spaceport.instance': b.instance, 'spaceport.space': b.space.uid });
  });

  it('a housekeeping pass removes the images of a deleted Space of its own install, never the other install\'s', async () => {
    const [a, b] = installs as [Install, Install];
    const [imageA, imageB] = built as [string, string];
    a.store.deleteSpace(a.space.uid);
    b.store.deleteSpace(b.space.uid); // deleted in B too: still B's to collect, not A's
    const gc = new HousekeepingTask({
      store: a.store,
      buildLogs: new BuildLogs(a.dir),
      housekeeper: new DockerHousekeeping(docker),
      logger: silentLogger(),
      intervalSeconds: 0,
      keepImagesPerSpace: 2,
      keepBuildLogs: 3,
      instance: a.instance,
    });
    const report = await gc.runOnce();
    expect(report.imagesRemoved).toEqual([imageA]);
    expect(await imagesOf(a.instance)).toEqual([]);
    expect((await imagesOf(b.instance)).flatMap((i) => i.RepoTags ?? [])).toEqual([imageB]);
  });
});
