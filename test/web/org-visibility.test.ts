import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { request } from '../support/http.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';
import { signIn, type HttpSession } from '../support/web-session.js';

/**
 * Regression: who sees an organization's private Spaces. `canRead` (controller/auth/principal.ts)
 * lets every member (any role) read them; the gallery's SQL once knew only the viewer's own name,
 * and a browser session carried no organization roles, so members saw them through the API but not
 * in the gallery, search, the org's page or the Space's page. Protected Spaces' files are for
 * members (`canReadCode`), whatever their role or token.
 */
describe('organization Spaces: the web agrees with canRead', () => {
  let h: Harness;
  const t: Record<string, string> = {};
  const s: Record<string, HttpSession> = {};
  const ids = ['acme/hidden-plan', 'acme/guarded-app', 'acme/open-app', 'carol/own-secret'];

  const page = (path: string, token?: string) => request({ port: h.port, path, host: `127.0.0.1:${h.port}`, token });
  const listed = (body: string) => ids.filter((id) => body.includes(`href="/spaces/${id}"`));

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    for (const name of ['alice', 'bob', 'carol']) {
      const r = await h.api('POST', '/api/users', { name });
      expect(r.status, r.body).toBe(201);
      t[name] = r.json().token;
      expect((await h.api('PUT', `/api/users/${name}/password`, { password: `${name}-password-1` })).status).toBe(200);
    }
    t.bobRead = (await h.api('POST', '/api/settings/tokens', { displayName: 'bob-read', role: 'read' }, t.bob)).json().token;
    expect((await h.api('POST', '/api/organizations/new', { name: 'acme' }, t.alice)).status).toBe(201);
    expect((await h.api('PUT', '/api/organizations/acme/members/bob', { role: 'read' }, t.alice)).status).toBe(200);
    const create = async (id: string, visibility: string, token: string) => {
      const [organization, name] = id.split('/');
      const r = await h.api('POST', '/api/repos/create', { name, organization, type: 'space', sdk: 'static', visibility }, token);
      expect(r.status, r.body).toBe(200);
    };
    await create('acme/hidden-plan', 'private', t.alice!);
    await create('acme/guarded-app', 'protected', t.alice!);
    await create('acme/open-app', 'public', t.alice!);
    await create('carol/own-secret', 'private', t.carol!);
    for (const name of ['alice', 'bob', 'carol']) s[name] = await signIn(h.port, name, `${name}-password-1`);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists an organization\'s private Spaces to its members (session or token, any role) in the gallery, search and its page', async () => {
    const all = ['acme/hidden-plan', 'acme/guarded-app', 'acme/open-app'];
    for (const who of ['alice', 'bob']) {
      expect(listed((await s[who]!.get('/spaces')).body), `${who}'s gallery`).toEqual(all);
      expect(listed((await s[who]!.get('/spaces?q=hidden')).body), `${who}'s search`).toEqual(['acme/hidden-plan']);
      expect(listed((await s[who]!.get('/acme')).body), `${who} on /acme`).toEqual(all);
    }
    // A read token is a member's token too: reading is not writing.
    expect(listed((await page('/acme', t.bobRead)).body)).toEqual(all);
    expect(listed((await page('/spaces?q=hidden', t.bobRead)).body)).toEqual(['acme/hidden-plan']);
    const api = (await h.api('GET', '/api/spaces?author=acme', undefined, t.bobRead)).json() as { id: string }[];
    expect(api.map((x) => x.id).sort()).toEqual([...all].sort());
  });

  it('hides them from outsiders and anonymous visitors, who still see public and protected ones', async () => {
    const shown = ['acme/guarded-app', 'acme/open-app'];
    expect(listed((await s.carol!.get('/acme')).body)).toEqual(shown);
    expect(listed((await s.carol!.get('/spaces')).body)).toEqual([...shown, 'carol/own-secret']);
    expect(listed((await s.carol!.get('/spaces?q=hidden')).body)).toEqual([]);
    expect(listed((await page('/acme', t.carol)).body)).toEqual(shown);
    expect(listed((await page('/acme')).body)).toEqual(shown);
    expect(listed((await page('/spaces')).body)).toEqual(shown);
    expect((await s.carol!.get('/spaces/acme/hidden-plan')).status).toBe(404);
    expect((await page('/spaces/acme/hidden-plan')).status).toBe(404);
    // Members do not see another user's private Space either.
    expect(listed((await s.bob!.get('/spaces')).body)).not.toContain('carol/own-secret');
  });

  it('opens the private Space\'s page for members, and the protected Space\'s files for members only', async () => {
    expect((await s.bob!.get('/spaces/acme/hidden-plan')).status).toBe(200);
    expect((await page('/spaces/acme/hidden-plan', t.bobRead)).status).toBe(200);
    expect((await s.bob!.get('/spaces/acme/guarded-app/tree/main')).status).toBe(200);
    expect((await page('/spaces/acme/guarded-app/tree/main', t.bobRead)).status).toBe(200);
    expect((await s.carol!.get('/spaces/acme/guarded-app/tree/main')).status).toBe(404);
    expect((await page('/spaces/acme/guarded-app/tree/main')).status).toBe(404);
    // Settings stay for those who may write: a read member gets the API's answer.
    expect((await s.bob!.get('/spaces/acme/hidden-plan/settings')).status).toBe(403);
    expect((await s.alice!.get('/spaces/acme/hidden-plan/settings')).status).toBe(200);
  });
});
