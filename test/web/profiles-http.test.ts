import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { request } from '../support/http.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';
import { signIn, type HttpSession } from '../support/web-session.js';

/**
 * Issue 17, "Missing 7", over plain HTTP: a user's page and an organization's page show only what
 * the viewer may read (private is indistinguishable from missing: another user's private Space,
 * an organization's members, a membership in an organization the viewer is not in); the pages'
 * actions are the API's, with a session's CSRF token, and bad input is a 4xx with an error code.
 * The same flows in Chromium: orgs-browser.test.ts.
 */
describe('profiles and organizations in the web UI (HTTP)', () => {
  let h: Harness;
  const t: Record<string, string> = {};
  const s: Record<string, HttpSession> = {};
  const anon = (path: string) => request({ port: h.port, path, host: `127.0.0.1:${h.port}`, headers: { accept: 'text/html' } });
  const spaceLinks = (body: string) => [...body.matchAll(/href="\/spaces\/([^"/]+\/[^"/]+)"/g)].map((m) => m[1]).sort();

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    for (const name of ['alice', 'bob', 'carol']) {
      const r = await h.api('POST', '/api/users', { name });
      expect(r.status, r.body).toBe(201);
      t[name] = r.json().token;
      expect((await h.api('PUT', `/api/users/${name}/password`, { password: `${name}-password-1` })).status).toBe(200);
    }
    expect((await h.api('POST', '/api/organizations/new', { name: 'acme', fullname: 'Acme Corp' }, t.alice)).status).toBe(201);
    expect((await h.api('PUT', '/api/organizations/acme/members/bob', { role: 'read' }, t.alice)).status).toBe(200);
    const create = async (id: string, visibility: string, token: string) => {
      const [organization, name] = id.split('/');
      const r = await h.api('POST', '/api/repos/create', { name, organization, type: 'space', sdk: 'static', visibility }, token);
      expect(r.status, r.body).toBe(200);
    };
    await create('alice/open-demo', 'public', t.alice!);
    await create('alice/secret-plan', 'private', t.alice!);
    await create('acme/org-secret', 'private', t.alice!);
    await create('acme/org-open', 'public', t.alice!);
    expect((await h.api('POST', '/api/spaces/alice/secret-plan/like', undefined, t.alice)).status).toBe(200);
    expect((await h.api('POST', '/api/spaces/alice/open-demo/like', undefined, t.alice)).status).toBe(200);
    for (const name of ['alice', 'bob', 'carol']) s[name] = await signIn(h.port, name, `${name}-password-1`);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a user's page lists the Spaces, likes and organizations the viewer may see, and nothing else", async () => {
    const own = await s.alice!.get('/alice');
    expect(own.status).toBe(200);
    expect(spaceLinks(own.body)).toEqual(['alice/open-demo', 'alice/open-demo', 'alice/secret-plan', 'alice/secret-plan']);
    expect(own.body).toContain('href="/acme"');
    expect(own.body).toContain('Likes <span class="hint">(2)</span>');
    expect(own.body).toContain('href="/organizations/new"');

    // carol: not in acme, so neither alice's private Space, nor her private like, nor her membership.
    for (const body of [(await s.carol!.get('/alice')).body, (await anon('/alice')).body]) {
      expect(spaceLinks(body)).toEqual(['alice/open-demo', 'alice/open-demo']);
      expect(body).not.toContain('secret-plan');
      expect(body).not.toContain('href="/acme"');
      expect(body).toContain('Likes <span class="hint">(1)</span>');
    }
    // bob shares acme with alice: he sees that membership.
    expect((await s.bob!.get('/alice')).body).toContain('href="/acme"');

    const missing = await anon('/nobody-here');
    expect(missing.status).toBe(404);
    expect(missing.headers['x-error-code']).toBe('NotFound');
  });

  it("an organization's page: its readable Spaces for all, its members and roles for members only, admin links for admins", async () => {
    const forAlice = await s.alice!.get('/acme');
    expect(spaceLinks(forAlice.body)).toEqual(['acme/org-open', 'acme/org-secret']);
    expect(forAlice.body).toMatch(/<ul class="plain chips" data-members>.*alice.*\(admin\).*bob.*\(read\)/s);
    expect(forAlice.body).toContain('href="/organizations/acme/settings/members"');
    expect(forAlice.body).toContain('href="/new-space?owner=acme"');

    const forBob = await s.bob!.get('/acme');
    expect(spaceLinks(forBob.body)).toEqual(['acme/org-open', 'acme/org-secret']);
    expect(forBob.body).toContain('data-members');
    expect(forBob.body).not.toContain('/settings/members');
    expect(forBob.body).not.toContain('new-space?owner=acme');

    for (const r of [await s.carol!.get('/acme'), await anon('/acme')]) {
      expect(r.status).toBe(200);
      expect(spaceLinks(r.body)).toEqual(['acme/org-open']);
      expect(r.body).not.toContain('org-secret');
      expect(r.body).not.toContain('data-members');
      expect(r.body).not.toContain('href="/bob"');
      expect(r.body).toContain('2 members');
    }
  });

  it('the members page is for admins; /organizations/new for the signed-in', async () => {
    expect((await s.alice!.get('/organizations/acme/settings/members')).status).toBe(200);
    const bob = await s.bob!.get('/organizations/acme/settings/members');
    expect(bob.status).toBe(403);
    expect(bob.headers['x-error-code']).toBe('Forbidden');
    const none = await s.alice!.get('/organizations/no-such-org/settings/members');
    expect(none.status).toBe(404);
    expect(none.headers['x-error-code']).toBe('OrgNotFound');
    const anonMembers = await anon('/organizations/acme/settings/members');
    expect(anonMembers.status).toBe(303);
    expect(anonMembers.headers.location).toBe('/login?next=%2Forganizations%2Facme%2Fsettings%2Fmembers');
    expect((await anon('/organizations/new')).status).toBe(303);
    expect((await s.carol!.get('/organizations/new')).body).toContain('data-api="POST /api/organizations/new"');
  });

  it('/new-space offers the user and the organizations where they may create, the linked one chosen', async () => {
    const alice = (await s.alice!.get('/new-space?owner=acme')).body;
    expect(alice).toMatch(/<select name="organization" data-optional><option value="">alice<\/option><option value="acme" selected>acme<\/option><\/select>/);
    // bob reads acme only: no option to create there.
    expect((await s.bob!.get('/new-space')).body).toMatch(/<select name="organization" data-optional><option value="">bob<\/option><\/select>/);
  });

  it('the header links the profile and the organizations', async () => {
    const body = (await s.bob!.get('/spaces')).body;
    expect(body).toContain('<a href="/bob">bob</a>');
    expect(body).toMatch(/<details class="nav-menu"><summary>Organizations<\/summary><ul class="plain"><li><a href="\/acme">acme<\/a><\/li><li><a href="\/organizations\/new">New organization<\/a><\/li>/);
  });

  it("the pages' actions with a session: CSRF required; bad input is a 4xx with an error code", async () => {
    const c = s.carol!;
    expect((await c.call('POST', '/api/organizations/new', { name: 'carolco' }, { csrf: null })).status).toBe(403);
    const made = await c.call('POST', '/api/organizations/new', { name: 'carolco' });
    expect(made.status, made.body).toBe(201);
    expect((await c.get('/carolco')).body).toContain('href="/organizations/carolco/settings/members"');
    const bad: [string, string, unknown, number, string][] = [
      ['POST', '/api/organizations/new', { name: 'Acme' }, 409, 'NameTaken'],
      ['POST', '/api/organizations/new', { name: 'organizations' }, 400, 'InvalidName'],
      ['POST', '/api/organizations/new', { name: 'a/b' }, 400, 'BadRequest'],
      ['PUT', '/api/organizations/carolco/members/nobody', { role: 'read' }, 404, 'UserNotFound'],
      ['PUT', '/api/organizations/carolco/members/bob', { role: 'owner' }, 400, 'BadRequest'],
      ['DELETE', '/api/organizations/carolco/members/carol', undefined, 400, 'BadRequest'],
      ['PUT', '/api/organizations/carolco/members/carol', { role: 'write' }, 400, 'BadRequest'],
      ['PUT', '/api/organizations/acme/members/carol', { role: 'admin' }, 403, 'Forbidden'],
    ];
    for (const [method, path, body, status, code] of bad) {
      const r = await c.call(method, path, body);
      expect([r.status, r.headers['x-error-code']], `${method} ${path} ${JSON.stringify(body)}: ${r.body}`).toEqual([status, code]);
      expect(r.body).not.toMatch(/\/tmp\/|\/data\//);
    }
  });
});
