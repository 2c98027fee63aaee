import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { request } from '../support/http.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';
import { postSignIn } from '../support/web-session.js';

/**
 * Behind https, session cookies are `__Host-` and Secure: a Space app on a sibling subdomain (same
 * site) cannot plant a session or a sign-in token for the hub, and a plain `sp_session` is ignored.
 */
describe('session cookies on an https install', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), {
      SPACEPORT_PUBLIC_URL: 'https://hub.example.test',
    });
    await h.api('POST', '/api/users', { name: 'alice' });
    await h.api('PUT', '/api/users/alice/password', { password: 'alice-password-1' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('uses __Host- cookies, Secure, Path=/', async () => {
    const { res, cookies } = await postSignIn(h.port, 'alice', 'alice-password-1');
    expect(res.status).toBe(303);
    const set = (res.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-sp_session='))!;
    expect(set).toMatch(/; Secure/);
    expect(set).toMatch(/Path=\//);
    expect(set).not.toMatch(/Domain=/i);
    const value = cookies['__Host-sp_session']!;
    const host = `127.0.0.1:${h.port}`;
    expect((await request({ port: h.port, path: '/api/whoami-v2', host, headers: { cookie: `__Host-sp_session=${value}` } })).json().name).toBe('alice');
    // The same value under the plain name (what a sibling subdomain could set) is not a session.
    expect((await request({ port: h.port, path: '/api/whoami-v2', host, headers: { cookie: `sp_session=${value}` } })).status).toBe(401);
  });
});
