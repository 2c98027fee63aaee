import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { waitFor } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/** After `repos/move` the old subdomain is gone at once (404), never a stale route (issue 10). */
describe('routes after a rename', () => {
  let h: Harness;
  let work: string;
  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime({ http: true }), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    expect((await h.api('POST', '/api/repos/create', { name: 'before', type: 'space', sdk: 'docker' })).status).toBe(200);
    work = await makeWorkTree({ 'README.md': '---\ntitle: Move\nsdk: docker\napp_port: 7860\n---\n', Dockerfile: 'FROM scratch\n' });
    expect((await git(['push', '--force', pushUrl(h.port, 'admin/before', ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    expect((await h.waitStage('admin/before', ['RUNNING'])).stage).toBe('RUNNING');
  });
  afterAll(async () => {
    await h?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('the old subdomain answers 404 right after the move, the new one serves, and after delete neither does', async () => {
    expect((await h.app('admin-before', '/cgi-bin/env')).status).toBe(200);
    const moved = await h.api('POST', '/api/repos/move', { fromRepo: 'admin/before', toRepo: 'admin/after', type: 'space' });
    expect(moved.status, moved.body).toBe(200);
    expect((await h.app('admin-before', '/')).status).toBe(404);
    await waitFor('new subdomain serving', async () => ((await h.app('admin-after', '/cgi-bin/env')).status === 200 ? true : undefined));
    expect((await h.app('admin-before', '/')).status).toBe(404);
    expect((await h.api('DELETE', '/api/repos/delete', { name: 'after', type: 'space' })).status).toBe(200);
    expect((await h.app('admin-after', '/')).status).toBe(404);
    expect((await h.app('admin-before', '/')).status).toBe(404);
  });
});
