import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { startProxyServer, type RunningProxyServer } from '../../proxy/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, waitFor } from '../support/http.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * Private apps through a proxy replica (`startProxyServer`): the route's `access` travels on the
 * route stream, bearer tokens are checked by the controller over `/internal/access`, and a grant the
 * controller signed opens the app on the replica (both derive the key from the internal token).
 */
const TOKEN = 'cluster-private-internal-token-0123456789';

describe('private apps on a proxy replica', () => {
  let h: Harness;
  let replica: RunningProxyServer;
  let work: string;
  let alice: string;
  let dave: string;
  const via = (path: string, headers: Record<string, string> = {}, host = `alice-hidden.localhost:${replica.port}`) =>
    request({ port: replica.port, path, host, headers });

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime({ http: true }), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), {
      SPACEPORT_INTERNAL_TOKEN: TOKEN,
    });
    alice = (await h.api('POST', '/api/users', { name: 'alice' })).json().token;
    dave = (await h.api('POST', '/api/users', { name: 'dave' })).json().token;
    expect((await h.api('POST', '/api/repos/create', { name: 'hidden', type: 'space', sdk: 'docker', private: true }, alice)).status).toBe(200);
    work = await makeWorkTree({ 'README.md': '---\ntitle: H\nsdk: docker\napp_port: 7860\n---\n', Dockerfile: 'FROM scratch\n' });
    expect((await git(['push', '--force', pushUrl(h.port, 'alice/hidden', alice), 'main'], work)).code).toBe(0);
    await h.waitStage('alice/hidden', ['RUNNING']);
    replica = await startProxyServer({ controllerUrl: h.sp.url, token: TOKEN, port: 0, host: '127.0.0.1', domain: 'localhost', logger: silentLogger() });
    await waitFor('replica has the route', async () => (replica.routes.stats().routes > 0 ? true : undefined), 15_000, 25);
  });
  afterAll(async () => {
    await replica?.close();
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('strangers get 404; the owner with a bearer token gets the app', async () => {
    expect((await via('/cgi-bin/env')).status).toBe(404);
    expect((await via('/.spaceport/status')).status).toBe(404);
    expect((await via('/cgi-bin/env', { authorization: `Bearer ${dave}` })).status).toBe(404);
    const owner = await via('/cgi-bin/env', { authorization: `Bearer ${alice}` });
    expect(owner.status).toBe(200);
    expect(owner.body).toContain('SPACE_ID=alice/hidden');
  });

  it('a grant signed by the controller opens the app on the replica', async () => {
    const grant = new URL((await h.api('POST', '/api/spaces/alice/hidden/app-grant', { path: '/cgi-bin/env' }, alice)).json().url);
    const redeemed = await via(`${grant.pathname}${grant.search}`);
    expect(redeemed.status).toBe(302);
    const cookie = String(redeemed.headers['set-cookie']).split(';')[0]!;
    expect((await via('/cgi-bin/env', { cookie })).status).toBe(200);
    // The controller's in-process proxy accepts the same cookie: one key.
    expect((await h.app('alice-hidden', '/cgi-bin/env', { cookie })).status).toBe(200);
  });

  it('making the Space public reaches the replica at once', async () => {
    expect((await h.api('PUT', '/api/spaces/alice/hidden/settings', { visibility: 'public' }, alice)).status).toBe(200);
    await waitFor('public on the replica', async () => ((await via('/cgi-bin/env')).status === 200 ? true : undefined), 10_000, 25);
    expect((await h.api('PUT', '/api/spaces/alice/hidden/settings', { visibility: 'private' }, alice)).status).toBe(200);
    await waitFor('private on the replica', async () => ((await via('/cgi-bin/env')).status === 404 ? true : undefined), 10_000, 25);
  });
});
