import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { planFromBuilder } from '../../controller/builds/index.js';
import { DockerRuntime } from '../../controller/runtime/index.js';
import { commitFiles, git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { waitFor } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';
import { TestImageBuilder } from '../support/test-image-builder.js';

/**
 * Persistent storage end to end: the Hub API, the reconciler and the real Docker engine. The app is
 * the busybox test image (tagged as each release's image, no real build): `/cgi-bin/data?write=X`
 * appends a line to `/data/notes`. What it writes survives a restart and a push (a new release);
 * DELETE storage takes the data away.
 */
const README = '---\ntitle: Notes\nsdk: docker\napp_port: 7860\n---\n';
const SETTLED = ['RUNNING', 'BUILD_ERROR', 'CONFIG_ERROR', 'NO_APP_FILE', 'RUNTIME_ERROR'];

describe('persistent storage end to end (Docker)', () => {
  const docker = new Dockerode();
  const instance = `e2edata-${randomBytes(3).toString('hex')}`;
  const name = `notes-${randomBytes(3).toString('hex')}`;
  const space = `admin/${name}`;
  const sub = `admin-${name}`;
  let h: Harness;
  let work: string;
  let uid: string;

  const notes = async (write?: string): Promise<string> => {
    const r = await h.app(sub, `/cgi-bin/data${write ? `?write=${write}` : ''}`);
    expect(r.status, r.body).toBe(200);
    return r.body;
  };
  const volume = () => `${instance}-data-${uid}`;
  const volumeExists = () =>
    docker.getVolume(volume()).inspect().then(() => true, (err: { statusCode?: number }) => {
      if (err.statusCode === 404) return false;
      throw err;
    });
  /** Until exactly one container of the Space runs, from `commit` when given. */
  const servingOnly = (commit?: string) =>
    waitFor(`one running container${commit ? ` of ${commit.slice(0, 7)}` : ''}`, async () => {
      const all = await docker.listContainers({ all: true, filters: { label: [`spaceport.instance=${instance}`, `spaceport.space=${space}`] } });
      const ok = all.length === 1 && all[0]!.State === 'running' && (!commit || all[0]!.Labels['spaceport.commit'] === commit);
      return ok && (await h.stage(space)).stage === 'RUNNING' ? all[0] : undefined;
    }, 60_000);

  beforeAll(async () => {
    h = await startHarness(
      (config) => ({
        runtime: new DockerRuntime({ docker, logger: silentLogger(), namePrefix: config.SPACEPORT_INSTANCE_NAME }),
        builder: new TestImageBuilder(docker),
        plan: planFromBuilder(config),
      }),
      { SPACEPORT_INSTANCE_NAME: instance },
    );
  });

  afterAll(async () => {
    await h?.api('DELETE', '/api/repos/delete', { name, type: 'space' }).catch(() => undefined);
    await h?.close();
    for (const c of await docker.listContainers({ all: true, filters: { label: [`spaceport.instance=${instance}`] } })) {
      await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    const { Volumes } = await docker.listVolumes({ filters: { label: [`spaceport.instance=${instance}`] } });
    for (const v of Volumes ?? []) await docker.getVolume(v.Name).remove().catch(() => undefined);
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/${sub}*`] } })) {
      for (const tag of img.RepoTags ?? []) await docker.getImage(tag).remove().catch(() => undefined);
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('creates a Space with small storage and serves an app that writes to /data', async () => {
    const created = await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'docker', storageTier: 'small' });
    expect(created.status, created.body).toBe(200);
    uid = created.json().id;
    work = await makeWorkTree({ 'README.md': README, Dockerfile: 'FROM scratch\n' });
    expect((await git(['push', '--force', pushUrl(h.port, space, ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    expect((await h.waitStage(space, SETTLED)).stage).toBe('RUNNING');
    expect((await h.stage(space)).storage).toBe('small');
    expect(await volumeExists()).toBe(true);
    expect(await notes('first')).toBe('first\n');
    expect((await h.app(sub, '/cgi-bin/env')).body).toContain('HF_HOME=/data/.huggingface');
  });

  it('keeps /data across a restart (a new container)', async () => {
    const before = await servingOnly();
    const r = await h.api('POST', `/api/spaces/${space}/restart`);
    expect(r.status, r.body).toBe(200);
    const after = await waitFor('a new container', async () => {
      const c = await servingOnly();
      return c.Id !== before.Id ? c : undefined;
    });
    expect(after.Id).not.toBe(before.Id);
    expect(await notes('second')).toBe('first\nsecond\n');
  });

  it('keeps /data across a push (a new release)', async () => {
    const commit = await commitFiles(work, { 'notes.md': 'v2\n' }, 'v2');
    expect((await git(['push', '--force', pushUrl(h.port, space, ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    await servingOnly(commit);
    expect(await notes('third')).toBe('first\nsecond\nthird\n');
  });

  it('DELETE storage removes the data and restarts the app without /data', async () => {
    const before = await servingOnly();
    const r = await h.api('DELETE', `/api/spaces/${space}/storage`);
    expect(r.status, r.body).toBe(200);
    expect(r.json().storage).toBeNull();
    expect(await volumeExists()).toBe(false);
    await waitFor('a new container', async () => {
      const c = await servingOnly();
      return c.Id !== before.Id ? c : undefined;
    });
    // The test image has no /data of its own: nothing to write to any more.
    expect(await notes('fourth')).toBe('cannot write /data/notes\n');
    expect((await h.app(sub, '/cgi-bin/env')).body).not.toContain('HF_HOME=');
  });

  it('storage asked for again starts empty; deleting the Space deletes it', async () => {
    const r = await h.api('POST', `/api/spaces/${space}/storage`, { tier: 'small' });
    expect(r.status, r.body).toBe(200);
    await waitFor('the app writing to a fresh /data', async () => ((await notes()) === '' ? true : undefined));
    expect(await notes('again')).toBe('again\n');
    expect((await h.api('DELETE', '/api/repos/delete', { name, type: 'space' })).status).toBe(200);
    expect(await volumeExists()).toBe(false);
  });
});
