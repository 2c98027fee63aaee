import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import type { ReleaseId, SpaceId } from '../../core/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { waitFor } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * Hardware through the Hub API with the fake runtime: the list of what this install offers, a GPU
 * flavor refused where the runtime has no GPUs, and an upgrade as a new release: `current` changes
 * only once the new instance is ready, and the old one serves meanwhile (or for good when the new
 * one cannot start). test/k8s/ shows the same against the real scheduler.
 */
const FILES = { 'README.md': '---\ntitle: Hw\nsdk: docker\napp_port: 7860\n---\n', Dockerfile: 'FROM scratch\n' };
const SETTLED = ['RUNNING', 'BUILD_ERROR', 'CONFIG_ERROR', 'NO_APP_FILE', 'RUNTIME_ERROR'];

function hardwareHarness(gpus: number, hardware?: string): Promise<{ h: Harness; runtime: () => FakeRuntime }> {
  let runtime!: FakeRuntime;
  return startHarness(
    (config) => {
      runtime = new FakeRuntime({ http: true, gpus, readyAfterApply: false });
      return { runtime, builder: new FakeImageBuilder(), plan: planFromBuilder(config) };
    },
    hardware ? { SPACEPORT_HARDWARE: hardware } : {},
  ).then((h) => ({ h, runtime: () => runtime }));
}

describe('hardware through the API', () => {
  let dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    dirs = [];
  });

  async function deploy(h: Harness, runtime: () => FakeRuntime, name: string): Promise<void> {
    expect((await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'docker' })).status).toBe(200);
    const work = await makeWorkTree(FILES);
    dirs.push(work);
    expect((await git(['push', '--force', pushUrl(h.port, `admin/${name}`, ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    await readyAll(h, runtime, `admin/${name}`);
    expect((await h.waitStage(`admin/${name}`, SETTLED)).stage).toBe('RUNNING');
  }

  /** Make every starting instance of the Space ready (the fake waits to be told). */
  async function readyAll(h: Harness, runtime: () => FakeRuntime, space: string, except?: (release: ReleaseId) => boolean): Promise<void> {
    await waitFor(`${space} instance`, async () => (await runtime().list(space as SpaceId)).length > 0 || undefined);
    for (const i of await runtime().list(space as SpaceId)) {
      if (i.state.kind === 'starting' && !except?.(i.release)) runtime().setReady(space as SpaceId, i.release);
    }
    await h.sp.reconciler.kick(h.sp.store.getSpace(space as SpaceId)!.uid);
  }

  describe('on a runtime without GPUs (Docker without an nvidia runtime)', () => {
    let h: Harness;
    let runtime: () => FakeRuntime;
    beforeAll(async () => ({ h, runtime } = await hardwareHarness(0)));
    afterAll(async () => h?.close());

    it('lists only what it can run, in the Hub shape', async () => {
      const list = (await h.api('GET', '/api/spaces/hardware')).json() as { name: string; accelerator: unknown }[];
      expect(list.map((f) => f.name)).toEqual(['cpu-basic', 'cpu-upgrade']);
      expect(list[0]).toMatchObject({ name: 'cpu-basic', prettyName: 'CPU basic', cpu: '2 vCPU', ram: '16 GB', accelerator: null, unitLabel: 'minute' });
    });

    it('refuses a GPU flavor with a message naming it and why, and keeps the Space as it was', async () => {
      await deploy(h, runtime, 'cpu-only');
      const r = await h.api('POST', '/api/spaces/admin/cpu-only/hardware', { flavor: 't4-small' });
      expect(r.status).toBe(400);
      expect(r.headers['x-error-code']).toBe('BadRequest');
      expect(r.json().error).toContain('Hardware "t4-small" needs 1 GPU(s); this runtime has 0.');
      expect(r.json().error).toContain('Available: cpu-basic, cpu-upgrade');
      expect((await h.stage('admin/cpu-only')).hardware).toEqual({ current: 'cpu-basic', requested: 'cpu-basic' });
      expect((await h.api('POST', '/api/repos/create', { name: 'gpu-new', type: 'space', sdk: 'docker', hardware: 'a10g-small' })).status).toBe(400);
    });
  });

  describe('on a runtime with GPUs', () => {
    let h: Harness;
    let runtime: () => FakeRuntime;
    beforeAll(async () => ({ h, runtime } = await hardwareHarness(1, '{"offer":["cpu-basic","t4-small","a10g-largex2"]}')));
    afterAll(async () => h?.close());

    it('lists the operator subset with accelerators', async () => {
      const list = (await h.api('GET', '/api/spaces/hardware')).json() as { name: string; accelerator: unknown }[];
      // a10g-largex2 needs 2 GPUs: this runtime has 1.
      expect(list.map((f) => f.name)).toEqual(['cpu-basic', 't4-small']);
      expect(list[1]!.accelerator).toEqual({ type: 'gpu', model: 'T4', quantity: '1', vram: '16 GB', manufacturer: 'Nvidia' });
    });

    it('an upgrade is a new release: requested first, current once the new instance is ready; the old serves until then', async () => {
      await deploy(h, runtime, 'up');
      const space = 'admin/up' as SpaceId;
      const [old] = await runtime().list(space);
      const r = await h.api('POST', '/api/spaces/admin/up/hardware', { flavor: 't4-small' });
      expect(r.status, r.body).toBe(200);
      const during = await waitFor('new instance applied', async () => {
        const rt = await h.stage('admin/up');
        return (await runtime().list(space)).length === 2 ? rt : undefined;
      });
      expect(during.stage).toBe('RUNNING_APP_STARTING');
      expect(during.hardware).toEqual({ current: 'cpu-basic', requested: 't4-small' });
      expect((await h.app('admin-up', '/cgi-bin/env')).status).toBe(200);
      const fresh = runtime().applied.filter((s) => s.space === space).at(-1)!;
      expect(fresh.flavor.name).toBe('t4-small');
      expect(fresh.image).toBe(old!.image);
      expect(fresh.env.CPU_CORES).toBe('4');
      await readyAll(h, runtime, space);
      const after = await waitFor('current t4-small', async () => {
        const rt = await h.stage('admin/up');
        return rt.hardware.current === 't4-small' ? rt : undefined;
      });
      expect(after).toMatchObject({ stage: 'RUNNING', hardware: { current: 't4-small', requested: 't4-small' } });
      await waitFor('old release retired', async () => ((await runtime().list(space)).length === 1 ? true : undefined));
    });

    it('a new flavor whose instance cannot start leaves the old one serving, with the reason', async () => {
      await deploy(h, runtime, 'stuck');
      const space = 'admin/stuck' as SpaceId;
      expect((await h.api('POST', '/api/spaces/admin/stuck/hardware', { flavor: 't4-small' })).status).toBe(200);
      const fresh = await waitFor('new instance', async () => (await runtime().list(space)).find((i) => i.state.kind === 'starting'));
      runtime().fail(space, fresh.release, 'No node can run hardware "t4-small" now: 0/4 nodes are available: 4 Insufficient nvidia.com/gpu.');
      await h.sp.reconciler.kick(h.sp.store.getSpace(space)!.uid);
      const rt = await h.waitStage('admin/stuck', ['RUNTIME_ERROR']);
      expect(rt.errorMessage).toContain('No node can run hardware "t4-small"');
      expect(rt.hardware).toEqual({ current: 'cpu-basic', requested: 't4-small' });
      expect((await h.app('admin-stuck', '/cgi-bin/env')).status).toBe(200);
    });

    it('a release that does not fit next to the old one on a full pool of the same kind: the old is stopped to make room, then the new serves', async () => {
      await deploy(h, runtime, 'full');
      const space = 'admin/full' as SpaceId;
      expect((await h.api('POST', '/api/spaces/admin/full/hardware', { flavor: 't4-small' })).status).toBe(200);
      await readyAll(h, runtime, space);
      await waitFor('on t4-small', async () => ((await h.stage('admin/full')).hardware.current === 't4-small' ? true : undefined));
      await waitFor('one instance', async () => ((await runtime().list(space)).length === 1 ? true : undefined));
      const [old] = await runtime().list(space);
      // A new push: its instance finds the GPU pool full (the old one holds the GPU).
      const work = await makeWorkTree({ ...FILES, 'app.txt': 'v2' });
      dirs.push(work);
      expect((await git(['push', '--force', pushUrl(h.port, 'admin/full', ADMIN_TOKEN), 'main'], work)).code).toBe(0);
      const fresh = await waitFor('new instance', async () => (await runtime().list(space)).find((i) => i.release !== old!.release));
      runtime().fail(space, fresh.release, 'No node can run hardware "t4-small" now: 0/5 nodes are available: 2 Insufficient nvidia.com/gpu.', { capacity: true });
      await h.sp.reconciler.kick(h.sp.store.getSpace(space)!.uid);
      const stopped = await waitFor('old stopped to make room', async () => {
        const o = (await runtime().list(space)).find((i) => i.release === old!.release);
        return o?.state.kind === 'stopped' ? o : undefined;
      });
      expect(stopped.state.kind).toBe('stopped');
      expect((await h.stage('admin/full')).stage).toBe('APP_STARTING');
      // The scheduler places it once the GPU is free: the fake starts it again and it becomes ready.
      await runtime().apply({ ...runtime().applied.filter((s) => s.release === fresh.release).at(-1)! });
      runtime().setReady(space, fresh.release);
      await h.sp.reconciler.kick(h.sp.store.getSpace(space)!.uid);
      const rt = await h.waitStage('admin/full', ['RUNNING']);
      expect(rt.hardware).toEqual({ current: 't4-small', requested: 't4-small' });
    });

    it('a flavor of another kind that does not fit never stops the serving release', async () => {
      await deploy(h, runtime, 'other');
      const space = 'admin/other' as SpaceId;
      expect((await h.api('POST', '/api/spaces/admin/other/hardware', { flavor: 't4-small' })).status).toBe(200);
      const fresh = await waitFor('new instance', async () => (await runtime().list(space)).find((i) => i.state.kind === 'starting'));
      runtime().fail(space, fresh.release, 'No node can run hardware "t4-small" now: 0/5 nodes are available: 2 Insufficient nvidia.com/gpu.', { capacity: true });
      await h.sp.reconciler.kick(h.sp.store.getSpace(space)!.uid);
      const rt = await h.waitStage('admin/other', ['RUNTIME_ERROR']);
      expect(rt.hardware.current).toBe('cpu-basic');
      expect((await runtime().list(space)).find((i) => i.release !== fresh.release)?.state.kind).toBe('ready');
    });
  });
});
