import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { request } from '../support/http.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';
import { signIn, type HttpSession } from '../support/web-session.js';

/**
 * "Use via API" over plain HTTP (issue 17; the real Gradio app is in use-via-api-browser.test.ts):
 * only Gradio Spaces have it, and a private one's page is as missing to strangers as a Space that
 * does not exist.
 */
describe('"Use via API" over HTTP', () => {
  let h: Harness;
  let alice: HttpSession;
  let bob: HttpSession;

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    const token = (await h.api('POST', '/api/users', { name: 'alice' })).json().token;
    await h.api('POST', '/api/users', { name: 'bob' });
    for (const u of ['alice', 'bob']) expect((await h.api('PUT', `/api/users/${u}/password`, { password: `${u}-password-1` })).status).toBe(200);
    expect((await h.api('POST', '/api/repos/create', { name: 'site', type: 'space', sdk: 'static' }, token)).status).toBe(200);
    expect((await h.api('POST', '/api/repos/create', { name: 'chat', type: 'space', sdk: 'gradio', private: true }, token)).status).toBe(200);
    alice = await signIn(h.port, 'alice', 'alice-password-1');
    bob = await signIn(h.port, 'bob', 'bob-password-1');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is offered on Gradio Spaces only; other SDKs have no button and no page', async () => {
    const gradio = await alice.get('/spaces/alice/chat');
    expect(gradio.body).toContain('<a class="action" href="/spaces/alice/chat/api">Use via API</a>');
    const page = await alice.get('/spaces/alice/chat/api');
    expect(page.status).toBe(200);
    // No app file yet: nothing runs to describe its API, and the page says so.
    expect(page.body).toContain('The app is not running');
    const site = await alice.get('/spaces/alice/site');
    expect(site.body).not.toContain('Use via API');
    const none = await alice.get('/spaces/alice/site/api');
    expect(none.status).toBe(404);
    expect(none.headers['x-error-code']).toBe('NotFound');
  });

  it('a private Space\'s page is missing to strangers, signed in or not', async () => {
    const missing = await bob.get('/spaces/alice/no-such/api');
    for (const r of [await bob.get('/spaces/alice/chat/api'), await request({ port: h.port, path: '/spaces/alice/chat/api', headers: { accept: 'text/html' } })]) {
      expect(r.status).toBe(404);
      expect(r.headers['x-error-code']).toBe(missing.headers['x-error-code']);
      expect(r.body).not.toContain('Use via API');
    }
  });
});
