import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import type { SpaceId } from '../../core/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { waitFor } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * A change of variables or secrets is a new release, as a push is (issue 10): the old instance
 * serves until the new one answers, and if the new one fails the old one keeps serving and the
 * stage says why. Names the platform sets are refused.
 */
const FILES = { 'README.md': '---\ntitle: Env\nsdk: docker\napp_port: 7860\n---\n', Dockerfile: 'FROM scratch\n' };
const SPACE = 'admin/env' as SpaceId;

describe('variables and secrets redeploy without downtime', () => {
  let h: Harness;
  let runtime: FakeRuntime;
  let work: string;
  const uid = () => h.sp.store.getSpace(SPACE)!.uid;
  const readyAll = async () => {
    for (const i of await runtime.list(SPACE)) if (i.state.kind === 'starting') runtime.setReady(SPACE, i.release);
    await h.sp.reconciler.kick(uid());
  };

  beforeAll(async () => {
    h = await startHarness((config) => {
      runtime = new FakeRuntime({ http: true, readyAfterApply: false });
      return { runtime, builder: new FakeImageBuilder(), plan: planFromBuilder(config) };
    });
    expect((await h.api('POST', '/api/repos/create', { name: 'env', type: 'space', sdk: 'docker' })).status).toBe(200);
    work = await makeWorkTree(FILES);
    expect((await git(['push', '--force', pushUrl(h.port, SPACE, ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    await waitFor('instance', async () => ((await runtime.list(SPACE)).length > 0 ? true : undefined));
    await readyAll();
    expect((await h.waitStage(SPACE, ['RUNNING'])).stage).toBe('RUNNING');
  });
  afterAll(async () => {
    await h?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses names the platform sets, naming the name and why', async () => {
    for (const key of ['PATH', 'HOME', 'SPACE_ID', 'GRADIO_SERVER_PORT', 'LD_PRELOAD']) {
      const r = await h.api('POST', `/api/spaces/${SPACE}/variables`, { key, value: 'x' });
      expect(r.status, key).toBe(400);
      expect(r.json().error).toContain(`"${key}" cannot be a variable`);
    }
    const s = await h.api('POST', `/api/spaces/${SPACE}/secrets`, { key: 'PATH', value: '/nowhere' });
    expect(s.status).toBe(400);
    expect((await h.app('admin-env', '/cgi-bin/env')).status).toBe(200);
  });

  it('a new variable: the old instance serves until the new one is ready, then the new env serves', async () => {
    const [old] = await runtime.list(SPACE);
    expect((await h.api('POST', `/api/spaces/${SPACE}/variables`, { key: 'GREETING', value: 'hello' })).status).toBe(200);
    await waitFor('second instance', async () => ((await runtime.list(SPACE)).length === 2 ? true : undefined));
    expect((await h.stage(SPACE)).stage).toBe('RUNNING_APP_STARTING');
    const during = await h.app('admin-env', '/cgi-bin/env');
    expect(during.status).toBe(200);
    expect(during.body).not.toContain('GREETING=hello');
    await readyAll();
    await waitFor('new env serving', async () => ((await h.app('admin-env', '/cgi-bin/env')).body.includes('GREETING=hello') ? true : undefined));
    await waitFor('old retired', async () => ((await runtime.list(SPACE)).some((i) => i.release === old!.release) ? undefined : true));
    expect((await h.stage(SPACE)).stage).toBe('RUNNING');
  });

  it('a secret whose new instance fails: the old one keeps serving, the stage says why', async () => {
    expect((await h.api('POST', `/api/spaces/${SPACE}/secrets`, { key: 'API_KEY', value: 'breaks-the-app' })).status).toBe(200);
    const fresh = await waitFor('new instance', async () => (await runtime.list(SPACE)).find((i) => i.state.kind === 'starting'));
    runtime.crash(SPACE, fresh.release, 1);
    await h.sp.reconciler.kick(uid());
    const rt = await h.waitStage(SPACE, ['RUNTIME_ERROR']);
    expect(rt.errorMessage).toBeDefined();
    const still = await h.app('admin-env', '/cgi-bin/env');
    expect(still.status).toBe(200);
    expect(still.body).toContain('GREETING=hello');
    expect(still.body).not.toContain('breaks-the-app');
  });
});
