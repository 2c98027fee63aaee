import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { waitFor } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * Persistent storage through the Hub API (SPACES-SPEC §3, §5.2), with the fake runtime: the tier in
 * the runtime JSON, upgrade only, restarts that mount or unmount `/data`, and storage that goes
 * with the Space. test/e2e/storage.test.ts shows the data itself surviving on the real engine.
 */
const README = '---\ntitle: Data\nsdk: docker\napp_port: 7860\n---\n';
const FILES = { 'README.md': README, Dockerfile: 'FROM scratch\n' };
const SETTLED = ['RUNNING', 'BUILD_ERROR', 'CONFIG_ERROR', 'NO_APP_FILE', 'RUNTIME_ERROR'];

describe('persistent storage through the API (fake runtime)', () => {
  let h: Harness;
  let runtime: FakeRuntime;
  let uid: string;
  let alice: string;
  let aliceRead: string;
  const dirs: string[] = [];

  const lastSpec = (space: string) => runtime.applied.filter((s) => s.space === space).at(-1);
  const env = async (sub: string) => (await h.app(sub, '/cgi-bin/env')).body;
  /** Until the app runs the spec that `check` accepts (the reconciler re-creates it after a change). */
  const untilApplied = (space: string, check: (spec: ReturnType<typeof lastSpec>) => boolean) =>
    waitFor(`${space} re-applied`, async () => {
      const rt = await h.stage(space);
      return rt.stage === 'RUNNING' && check(lastSpec(space)) && (await runtime.list(space as never)).length === 1 ? rt : undefined;
    });

  beforeAll(async () => {
    h = await startHarness((config) => {
      runtime = new FakeRuntime({ http: true });
      return { runtime, builder: new FakeImageBuilder(), plan: planFromBuilder(config) };
    });
    alice = (await h.api('POST', '/api/users', { name: 'alice' })).json().token;
    aliceRead = (await h.api('POST', '/api/tokens', { displayName: 'ro', role: 'read' }, alice)).json().token;
  });

  afterAll(async () => {
    await h?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('creates a Space with storageTier: the runtime JSON shows it and the app gets /data and HF_HOME', async () => {
    const created = await h.api('POST', '/api/repos/create', { name: 'data', type: 'space', sdk: 'docker', storageTier: 'small' });
    expect(created.status, created.body).toBe(200);
    uid = created.json().id;
    expect((await h.stage('admin/data')).storage).toBe('small');
    const work = await makeWorkTree(FILES);
    dirs.push(work);
    expect((await git(['push', '--force', pushUrl(h.port, 'admin/data', ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    expect((await h.waitStage('admin/data', SETTLED)).stage).toBe('RUNNING');
    expect(lastSpec('admin/data')?.storage).toEqual({ key: uid, tier: 'small', sizeBytes: 20e9 });
    expect(runtime.storageKeys()).toEqual([uid]);
    expect(await env('admin-data')).toContain('HF_HOME=/data/.huggingface');
    const info = (await h.api('GET', '/api/spaces/admin/data')).json();
    expect(info.runtime.storage).toBe('small');
  });

  it('a Space without storage shows "storage": null and its app has no HF_HOME', async () => {
    expect((await h.api('POST', '/api/repos/create', { name: 'plain', type: 'space', sdk: 'docker', storageTier: null })).status).toBe(200);
    expect((await h.stage('admin/plain')).storage).toBeNull();
  });

  it('the same tier again is a no-op: no restart', async () => {
    const creates = runtime.counts('admin/data' as never).creates;
    const r = await h.api('POST', '/api/spaces/admin/data/storage', { tier: 'small' });
    expect(r.status, r.body).toBe(200);
    expect(r.json().storage).toBe('small');
    expect(runtime.counts('admin/data' as never).creates).toBe(creates);
  });

  it('upgrades (and restarts with the bigger size), never downgrades: the 400 names the fix', async () => {
    const up = await h.api('POST', '/api/spaces/admin/data/storage', { tier: 'medium' });
    expect(up.status, up.body).toBe(200);
    expect(up.json()).toMatchObject({ storage: 'medium', hardware: { requested: 'cpu-basic' } });
    await untilApplied('admin/data', (s) => s?.storage?.tier === 'medium');
    expect(lastSpec('admin/data')?.storage).toEqual({ key: uid, tier: 'medium', sizeBytes: 150e9 });

    const down = await h.api('POST', '/api/spaces/admin/data/storage', { tier: 'small' });
    expect(down.status).toBe(400);
    expect(down.headers['x-error-code']).toBe('StorageDowngrade');
    expect(down.json().error).toContain('delete the storage first');
    expect((await h.stage('admin/data')).storage).toBe('medium');
  });

  it('refuses an unknown tier, naming the field and the tiers', async () => {
    for (const body of [{ tier: 'huge' }, {}, { tier: 20 }]) {
      const r = await h.api('POST', '/api/spaces/admin/data/storage', body);
      expect(r.status).toBe(400);
      expect(r.headers['x-error-code']).toBe('BadRequest');
      expect(r.json().error).toMatch(/"tier": must be one of small, medium, large/);
    }
    const create = await h.api('POST', '/api/repos/create', { name: 'bad', type: 'space', sdk: 'docker', storageTier: 'xl' });
    expect([create.status, create.headers['x-error-code']]).toEqual([400, 'BadRequest']);
    expect(create.json().error).toContain('"storageTier"');
  });

  it('needs write access, as the other setters: 401 anonymous, 403 read-only or another user', async () => {
    for (const [method, token, status, code] of [
      ['POST', null, 401, 'Unauthorized'],
      ['DELETE', null, 401, 'Unauthorized'],
      ['POST', alice, 403, 'Forbidden'],
      ['DELETE', alice, 403, 'Forbidden'],
    ] as const) {
      const r = await h.api(method, '/api/spaces/admin/data/storage', method === 'POST' ? { tier: 'large' } : undefined, token);
      expect([r.status, r.headers['x-error-code']]).toEqual([status, code]);
    }
    expect((await h.api('POST', '/api/repos/create', { name: 'mine', type: 'space', sdk: 'docker' }, alice)).status).toBe(200);
    const ro = await h.api('POST', '/api/spaces/alice/mine/storage', { tier: 'small' }, aliceRead);
    expect([ro.status, ro.headers['x-error-code']]).toEqual([403, 'ReadOnlyToken']);
    expect((await h.api('POST', '/api/spaces/alice/mine/storage', { tier: 'small' }, alice)).json().storage).toBe('small');
    expect(runtime.removedStorage).toEqual([]);
  });

  it('static Spaces cannot have storage', async () => {
    const create = await h.api('POST', '/api/repos/create', { name: 'site', type: 'space', sdk: 'static', storageTier: 'small' });
    expect([create.status, create.headers['x-error-code']]).toEqual([400, 'NotSupportedForStatic']);
    expect((await h.api('GET', '/api/spaces/admin/site')).status).toBe(404);
    expect((await h.api('POST', '/api/repos/create', { name: 'site', type: 'space', sdk: 'static' })).status).toBe(200);
    const set = await h.api('POST', '/api/spaces/admin/site/storage', { tier: 'small' });
    expect([set.status, set.headers['x-error-code']]).toEqual([400, 'NotSupportedForStatic']);
  });

  it('a rename keeps the storage (same key)', async () => {
    const moved = await h.api('POST', '/api/repos/move', { fromRepo: 'admin/data', toRepo: 'admin/data2', type: 'space' });
    expect(moved.status, moved.body).toBe(200);
    await untilApplied('admin/data2', (s) => s?.storage?.key === uid);
    expect((await h.stage('admin/data2')).storage).toBe('medium');
    expect(runtime.removedStorage).toEqual([]);
    expect(runtime.storageKeys()).toContain(uid);
  });

  it('a failed removal keeps the tier, so DELETE can be retried', async () => {
    runtime.failNext('remove');
    const failed = await h.api('DELETE', '/api/spaces/admin/data2/storage');
    expect([failed.status, failed.headers['x-error-code']]).toEqual([500, 'RuntimeFailed']);
    expect((await h.stage('admin/data2')).storage).toBe('medium');
    expect(runtime.removedStorage).toEqual([]);
  });

  it('DELETE storage removes it (after the instances) and restarts the app without /data', async () => {
    const r = await h.api('DELETE', '/api/spaces/admin/data2/storage');
    expect(r.status, r.body).toBe(200);
    expect(r.json().storage).toBeNull();
    expect(runtime.removedStorage).toEqual([uid]);
    expect(runtime.storageKeys()).not.toContain(uid);
    await untilApplied('admin/data2', (s) => s !== undefined && s.storage === undefined);
    expect(await env('admin-data2')).not.toContain('HF_HOME=');
    // As on the Hub, no storage to delete is a 400 (huggingface_hub: BadRequestError); a smaller tier is allowed now.
    const again = await h.api('DELETE', '/api/spaces/admin/data2/storage');
    expect([again.status, again.headers['x-error-code']]).toEqual([400, 'NoStorage']);
    expect(runtime.removedStorage).toEqual([uid]);
    expect((await h.api('POST', '/api/spaces/admin/data2/storage', { tier: 'small' })).json().storage).toBe('small');
    await untilApplied('admin/data2', (s) => s?.storage?.tier === 'small');
  });

  it('deleting the Space deletes its storage', async () => {
    const before = runtime.removedStorage.length;
    const r = await h.api('DELETE', '/api/repos/delete', { name: 'data2', type: 'space' });
    expect(r.status).toBe(200);
    expect(runtime.removedStorage.slice(before)).toEqual([uid]);
    expect(runtime.storageKeys()).not.toContain(uid);
    expect(await runtime.list('admin/data2' as never)).toEqual([]);
  });
});
