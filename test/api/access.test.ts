import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { appGrantKey } from '../../controller/auth/index.js';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { GRANT_PATH, signGrant } from '../../proxy/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, waitFor } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * Organizations, tokens, settings, duplicates and private Spaces through the whole controller
 * (fake runtime serving HTTP, real git): API, git, the app's subdomain, its websocket, the waking page.
 */
describe('organizations, tokens and private Spaces', () => {
  let h: Harness;
  let work: string;
  // Each user's token (and alice's read-only one), set in beforeAll.
  const t = { alice: '', bob: '', carol: '', dave: '', aliceRead: '' };

  const spaceReadme = '---\ntitle: Access\nsdk: docker\napp_port: 7860\n---\n';
  async function createAndPush(id: string, token: string, extra: Record<string, unknown> = {}): Promise<void> {
    const [ns, name] = id.split('/');
    const r = await h.api('POST', '/api/repos/create', { name, organization: ns, type: 'space', sdk: 'docker', ...extra }, token);
    expect(r.status, r.body).toBe(200);
    const push = await git(['push', '--force', pushUrl(h.port, id, token), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    await h.waitStage(id, ['RUNNING']);
  }
  const appAs = (sub: string, token?: string, path = '/') =>
    request({ port: h.port, path, host: `${sub}.localhost:${h.port}`, headers: token ? { authorization: `Bearer ${token}` } : {} });
  function wsStatus(sub: string, headers: Record<string, string> = {}): Promise<number> {
    const ws = new WebSocket(`ws://127.0.0.1:${h.port}/ws`, { headers: { ...headers, host: `${sub}.localhost:${h.port}` } });
    ws.on('error', () => undefined);
    return new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    }).finally(() => ws.terminate());
  }

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime({ http: true }), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    for (const name of ['alice', 'bob', 'carol', 'dave'] as const) {
      const r = await h.api('POST', '/api/users', { name });
      expect(r.status, r.body).toBe(201);
      t[name] = r.json().token;
    }
    t.aliceRead = (await h.api('POST', '/api/settings/tokens', { displayName: 'alice-read', role: 'read' }, t.alice)).json().token;
    work = await makeWorkTree({ 'README.md': spaceReadme, Dockerfile: 'FROM scratch\n' });
  });
  afterAll(async () => {
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('tokens', () => {
    it('whoami-v2 reports the createdAt and name of the token used, not the first token of the user (regression)', async () => {
      const first = await h.api('POST', '/api/settings/tokens', { displayName: 'first', role: 'write' }, t.alice);
      await new Promise((r) => setTimeout(r, 30));
      const second = await h.api('POST', '/api/settings/tokens', { displayName: 'second', role: 'read' }, t.alice);
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(first.json().createdAt).not.toBe(second.json().createdAt);
      const me1 = (await h.api('GET', '/api/whoami-v2', undefined, first.json().token)).json();
      const me2 = (await h.api('GET', '/api/whoami-v2', undefined, second.json().token)).json();
      expect(me1.auth.accessToken).toEqual({ displayName: 'first', role: 'write', createdAt: first.json().createdAt });
      expect(me2.auth.accessToken).toEqual({ displayName: 'second', role: 'read', createdAt: second.json().createdAt });
    });

    it('are listed without their values, and a revoked token stops working at once', async () => {
      const made = (await h.api('POST', '/api/settings/tokens', { displayName: 'temp', role: 'write' }, t.alice)).json();
      const list = await h.api('GET', '/api/settings/tokens', undefined, made.token);
      expect(list.status).toBe(200);
      const mine = list.json() as { id: string; displayName: string; current: boolean }[];
      expect(mine.find((x) => x.id === made.id)).toMatchObject({ displayName: 'temp', current: true });
      expect(list.body).not.toContain(made.token);
      expect((await h.api('DELETE', `/api/settings/tokens/${made.id}`, undefined, t.aliceRead)).status).toBe(403);
      expect((await h.api('DELETE', `/api/settings/tokens/${made.id}`, undefined, t.bob)).status).toBe(404);
      expect((await h.api('DELETE', `/api/settings/tokens/${made.id}`, undefined, t.alice)).status).toBe(200);
      const after = await h.api('GET', '/api/whoami-v2', undefined, made.token);
      expect([after.status, after.headers['x-error-code']]).toEqual([401, 'InvalidToken']);
      expect((await h.api('GET', '/api/settings/tokens', undefined, null)).status).toBe(401);
    });
  });

  describe('organizations', () => {
    beforeAll(async () => {
      const org = await h.api('POST', '/api/organizations/new', { name: 'acme', fullname: 'Acme Inc' }, t.alice);
      expect(org.status, org.body).toBe(201);
      expect((await h.api('PUT', '/api/organizations/acme/members/bob', { role: 'write' }, t.alice)).status).toBe(200);
      expect((await h.api('PUT', '/api/organizations/acme/members/carol', { role: 'read' }, t.alice)).status).toBe(200);
    });

    it('whoami-v2 lists the orgs with the role in each', async () => {
      const me = (await h.api('GET', '/api/whoami-v2', undefined, t.bob)).json();
      expect(me.orgs).toEqual([expect.objectContaining({ type: 'org', name: 'acme', fullname: 'Acme Inc', roleInOrg: 'write' })]);
      expect((await h.api('GET', '/api/whoami-v2', undefined, t.dave)).json().orgs).toEqual([]);
    });

    it('only org admins manage members; the last admin stays; names are shared with users', async () => {
      expect((await h.api('PUT', '/api/organizations/acme/members/dave', { role: 'read' }, t.bob)).status).toBe(403);
      expect((await h.api('PUT', '/api/organizations/acme/members/dave', { role: 'read' }, null)).status).toBe(401);
      expect((await h.api('PUT', '/api/organizations/acme/members/dave', { role: 'owner' }, t.alice)).status).toBe(400);
      expect((await h.api('PUT', '/api/organizations/acme/members/nobody', { role: 'read' }, t.alice)).headers['x-error-code']).toBe('UserNotFound');
      expect((await h.api('DELETE', '/api/organizations/acme/members/alice', undefined, t.alice)).status).toBe(400);
      expect((await h.api('POST', '/api/organizations/new', { name: 'bob' }, t.alice)).status).toBe(409);
      expect((await h.api('POST', '/api/users', { name: 'acme' })).status).toBe(409);
      expect((await h.api('GET', '/api/organizations/acme/members', undefined, t.dave)).status).toBe(403);
      expect((await h.api('GET', '/api/organizations/acme/members', undefined, t.carol)).json()).toHaveLength(3);
      expect((await h.api('GET', '/api/organizations/ghost/members', undefined, t.alice)).status).toBe(404);
    });

    it('Spaces are created only under your own name or an org where you may write', async () => {
      const mk = (org: string, name: string, token: string) => h.api('POST', '/api/repos/create', { name, organization: org, type: 'space', sdk: 'static' }, token);
      expect((await mk('acme', 'by-bob', t.bob)).status).toBe(200);
      const byCarol = await mk('acme', 'by-carol', t.carol);
      expect([byCarol.status, byCarol.headers['x-error-code']]).toEqual([403, 'Forbidden']);
      expect((await mk('acme', 'by-dave', t.dave)).status).toBe(403);
      expect((await mk('alice', 'by-dave', t.dave)).status).toBe(403);
      expect((await mk('acme', 'by-aliceread', t.aliceRead)).headers['x-error-code']).toBe('ReadOnlyToken');
      expect((await mk('acme', 'anon', '')).status).toBe(401);
      // No templates here: said so, never a silently empty Space.
      expect((await h.api('GET', '/api/spaces/templates', undefined, null)).json()).toEqual({ templates: [] });
      const tpl = await h.api('POST', '/api/repos/create', { name: 'tpl', type: 'space', sdk: 'docker', template: 'SpacesExamples/jupyterlab' }, t.bob);
      expect([tpl.status, tpl.headers['x-error-code']]).toEqual([400, 'BadRequest']);
    });

    it('org roles are honoured on private org Spaces: read members see but change nothing, others see nothing', async () => {
      await createAndPush('acme/internal', t.bob, { private: true });
      expect((await h.api('GET', '/api/spaces/acme/internal', undefined, t.carol)).status).toBe(200);
      const restart = await h.api('POST', '/api/spaces/acme/internal/restart', undefined, t.carol);
      expect([restart.status, restart.headers['x-error-code']]).toEqual([403, 'Forbidden']);
      expect((await h.api('GET', '/api/spaces/acme/internal', undefined, t.dave)).status).toBe(404);
      expect((await h.api('POST', '/api/spaces/acme/internal/restart', undefined, t.dave)).status).toBe(404);
      expect((await h.api('POST', '/api/spaces/acme/internal/sleeptime', { seconds: 600 }, t.alice)).status).toBe(200);
      expect((await h.api('GET', '/api/spaces?author=acme', undefined, t.carol)).json().map((s: { id: string }) => s.id)).toContain('acme/internal');
      expect((await h.api('GET', '/api/spaces?author=acme', undefined, t.dave)).json().map((s: { id: string }) => s.id)).not.toContain('acme/internal');
      // git: a read member clones, cannot push; a stranger sees nothing.
      const clone = await git(['clone', '-q', pushUrl(h.port, 'acme/internal', t.carol), 'carol-clone'], work);
      expect(clone.code, clone.stderr).toBe(0);
      const push = await git(['push', '--force', pushUrl(h.port, 'acme/internal', t.carol), 'main'], work);
      expect(push.code).not.toBe(0);
      expect(push.stderr).toMatch(/403/);
      const stranger = await git(['clone', '-q', pushUrl(h.port, 'acme/internal', t.dave), 'dave-clone'], work);
      expect(stranger.code).not.toBe(0);
      expect(stranger.stderr).toMatch(/not found|404/i);
      // The app: members with a token, nobody else.
      expect((await appAs('acme-internal', t.carol, '/cgi-bin/env')).status).toBe(200);
      expect((await appAs('acme-internal', t.dave)).status).toBe(404);
      // gradio_client sends the token as X-HF-Authorization to the Space's host: the same rule.
      const hfAuth = (token?: string) =>
        request({ port: h.port, path: '/', host: `acme-internal.localhost:${h.port}`, headers: token ? { 'x-hf-authorization': `Bearer ${token}` } : {} });
      expect((await hfAuth(t.carol)).status).toBe(200);
      expect((await hfAuth(t.dave)).status).toBe(404);
      expect((await hfAuth()).status).toBe(404);
    });
  });

  describe('authorization of every mutating endpoint', () => {
    beforeAll(async () => {
      for (const [name, visibility] of [['pub', 'public'], ['priv', 'private']] as const) {
        const r = await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'docker', visibility }, t.alice);
        expect(r.status, r.body).toBe(200);
      }
    });
    const endpoints = (id: string): [string, string, unknown][] => [
      ['POST', `/api/spaces/${id}/restart`, undefined],
      ['POST', `/api/spaces/${id}/pause`, undefined],
      ['POST', `/api/spaces/${id}/sleeptime`, { seconds: 300 }],
      ['POST', `/api/spaces/${id}/hardware`, { flavor: 'cpu-basic' }],
      ['POST', `/api/spaces/${id}/storage`, { tier: 'small' }],
      ['DELETE', `/api/spaces/${id}/storage`, undefined],
      ['POST', `/api/spaces/${id}/secrets`, { key: 'K', value: 'v' }],
      ['DELETE', `/api/spaces/${id}/secrets`, { key: 'K' }],
      ['POST', `/api/spaces/${id}/variables`, { key: 'K', value: 'v' }],
      ['DELETE', `/api/spaces/${id}/variables`, { key: 'K' }],
      ['PUT', `/api/spaces/${id}/settings`, { visibility: 'public' }],
      ['PUT', `/api/spaces/${id}/upstream`, { url: 'https://example.invalid/x.git', branch: 'main' }],
      ['POST', `/api/spaces/${id}/upstream/sync`, undefined],
      ['POST', '/api/repos/move', { fromRepo: id, toRepo: `${id}-moved`, type: 'space' }],
      ['DELETE', '/api/repos/delete', { name: id.split('/')[1], organization: 'alice', type: 'space' }],
    ];
    it.each([['alice/pub'], ['alice/priv']])('%s: no token 401, read token 403, another user 403 (404 when private)', async (id) => {
      const priv = id.endsWith('priv');
      for (const [method, path, body] of endpoints(id)) {
        const anon = await h.api(method, path, body, null);
        expect([anon.status, anon.headers['x-error-code']], `${method} ${path} anonymous`).toEqual([401, 'Unauthorized']);
        const ro = await h.api(method, path, body, t.aliceRead);
        expect([ro.status, ro.headers['x-error-code']], `${method} ${path} read token`).toEqual([403, 'ReadOnlyToken']);
        const other = await h.api(method, path, body, t.dave);
        expect([other.status, other.headers['x-error-code']], `${method} ${path} another user`).toEqual(priv ? [404, 'RepoNotFound'] : [403, 'Forbidden']);
      }
      // Reads of settings are the owner's too.
      for (const path of [`/api/spaces/${id}/secrets`, `/api/spaces/${id}/variables`, `/api/spaces/${id}/logs/build`]) {
        expect((await h.api('GET', path, undefined, null)).status, path).toBe(401);
        expect((await h.api('GET', path, undefined, t.dave)).status, path).toBe(priv ? 404 : 403);
      }
      // Duplicating needs a token; a private source is invisible to others.
      expect((await h.api('POST', `/api/spaces/${id}/duplicate`, { repository: 'dave/copy' }, null)).status).toBe(401);
      expect((await h.api('POST', `/api/spaces/${id}/duplicate`, { repository: 'dave/copy' }, t.aliceRead)).status).toBe(403);
      if (priv) expect((await h.api('POST', `/api/spaces/${id}/duplicate`, { repository: 'dave/copy' }, t.dave)).status).toBe(404);
      expect((await h.api('POST', `/api/spaces/${id}/duplicate`, { repository: `alice/copy-by-dave` }, t.dave)).status).toBe(priv ? 404 : 403);
    });
  });

  describe('private Spaces stay private', () => {
    beforeAll(async () => {
      await createAndPush('alice/hidden', t.alice, { visibility: 'private' });
      await createAndPush('alice/shown', t.alice);
    });

    it('the API, git and the app answer 404 RepoNotFound to anonymous visitors and other users', async () => {
      for (const token of [null, t.dave]) {
        for (const path of ['/api/spaces/alice/hidden', '/api/spaces/alice/hidden/runtime', '/api/spaces/alice/hidden/host', '/api/spaces/by-subdomain/alice-hidden', '/api/spaces/alice/hidden/revision/main']) {
          const r = await h.api('GET', path, undefined, token);
          expect([r.status, r.headers['x-error-code']], `${path} as ${token ? 'dave' : 'anonymous'}`).toEqual([404, 'RepoNotFound']);
        }
        expect((await h.api('GET', '/api/spaces?author=alice', undefined, token)).json().map((s: { id: string }) => s.id)).not.toContain('alice/hidden');
        const grant = await h.api('POST', '/api/spaces/alice/hidden/app-grant', {}, token);
        expect(grant.status).toBe(token ? 404 : 401);
      }
      const anonClone = await git(['clone', '-q', pushUrl(h.port, 'alice/hidden'), 'anon-hidden'], work);
      expect(anonClone.code).not.toBe(0);
      // Anonymous git gets the same answer for a private Space as for none at all.
      const refs = (id: string) => request({ port: h.port, path: `/spaces/${id}/info/refs?service=git-upload-pack`, host: `127.0.0.1:${h.port}` });
      const [hiddenRefs, noneRefs] = [await refs('alice/hidden'), await refs('alice/no-such-space')];
      expect([hiddenRefs.status, hiddenRefs.headers['x-error-code']]).toEqual([401, 'Unauthorized']);
      expect([noneRefs.status, noneRefs.headers['x-error-code']]).toEqual([401, 'Unauthorized']);
      const daveClone = await git(['clone', '-q', pushUrl(h.port, 'alice/hidden', t.dave), 'dave-hidden'], work);
      expect(daveClone.code).not.toBe(0);
      for (const path of ['/', '/cgi-bin/env', '/.spaceport/status']) {
        expect((await appAs('alice-hidden', undefined, path)).status, path).toBe(404);
        expect((await appAs('alice-hidden', t.dave, path)).status, path).toBe(404);
        expect((await appAs('alice-hidden', 'sp_not_a_token', path)).status, path).toBe(404);
      }
      expect(await wsStatus('alice-hidden')).toBe(404);
      expect(await wsStatus('alice-hidden', { authorization: `Bearer ${t.dave}` })).toBe(404);
      // The same 404 as a host with no Space at all.
      const none = await appAs('nobody-here');
      const hidden = await appAs('alice-hidden');
      expect(hidden.body.replaceAll('alice-hidden', 'X')).toBe(none.body.replaceAll('nobody-here', 'X'));
    });

    it('a sleeping private Space is never woken by a stranger (no waking page), and wakes for its owner', async () => {
      expect((await h.api('POST', '/api/spaces/alice/hidden/sleeptime', { seconds: 1 }, t.alice)).status).toBe(200);
      await h.waitStage('alice/hidden', ['SLEEPING'], 30_000);
      const browser = { accept: 'text/html', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120' };
      for (let i = 0; i < 3; i++) {
        const r = await request({ port: h.port, path: '/', host: `alice-hidden.localhost:${h.port}`, headers: browser });
        expect(r.status).toBe(404);
        expect(r.body).not.toMatch(/waking|waking up|starting/i);
        expect((await appAs('alice-hidden', t.dave, '/api/predict')).status).toBe(404);
        expect(await wsStatus('alice-hidden')).toBe(404);
      }
      await new Promise((r) => setTimeout(r, 500));
      expect((await h.stage('alice/hidden')).stage).toBe('SLEEPING');
      expect((await h.api('POST', '/api/spaces/alice/hidden/sleeptime', { seconds: 600 }, t.alice)).status).toBe(200);
      // The owner's request (a client, not a browser) is held while it wakes, then served.
      const owner = await appAs('alice-hidden', t.alice, '/cgi-bin/env');
      expect(owner.status).toBe(200);
      expect((await h.stage('alice/hidden')).stage).toBe('RUNNING');
    });

    it('the owner opens the app with a signed grant; the cookie it becomes opens no other Space', async () => {
      const grant = await h.api('POST', '/api/spaces/alice/hidden/app-grant', { path: '/cgi-bin/env' }, t.aliceRead);
      expect(grant.status, grant.body).toBe(200);
      const url = new URL(grant.json().url);
      expect(url.host).toBe(`alice-hidden.localhost:${h.port}`);
      expect(url.pathname).toBe(GRANT_PATH);
      const redeemed = await request({ port: h.port, path: `${url.pathname}${url.search}`, host: url.host });
      expect(redeemed.status).toBe(302);
      expect(redeemed.headers.location).toBe('/cgi-bin/env');
      const cookie = String(redeemed.headers['set-cookie']).split(';')[0]!;
      const page = await request({ port: h.port, path: '/cgi-bin/env', host: url.host, headers: { cookie } });
      expect(page.status).toBe(200);
      expect(page.body).toContain('SPACE_ID=alice/hidden');
      // The grant and the cookie on another private Space's host (bob's org Space alice can't see either way).
      expect((await request({ port: h.port, path: `${url.pathname}${url.search}`, host: `acme-internal.localhost:${h.port}` })).status).toBe(404);
      expect((await request({ port: h.port, path: '/', host: `acme-internal.localhost:${h.port}`, headers: { cookie } })).status).toBe(404);
      // An expired grant (signed with the real key) opens nothing.
      const key = appGrantKey({ internalToken: undefined, dataDir: h.dataDir });
      const old = signGrant(key, { scope: 'alice-hidden', nowMs: Date.now() - 120_000 });
      expect((await request({ port: h.port, path: `${GRANT_PATH}?g=${encodeURIComponent(old)}`, host: url.host })).status).toBe(404);
      // The browser entry point on the hub host: asks for credentials, then redirects to a grant.
      const ask = await request({ port: h.port, path: '/spaces/alice/hidden/app', host: `127.0.0.1:${h.port}` });
      expect(ask.status).toBe(401);
      expect(ask.headers['www-authenticate']).toMatch(/^Basic /);
      const basic = Buffer.from(`x:${t.alice}`).toString('base64');
      const go = await request({ port: h.port, path: '/spaces/alice/hidden/app', host: `127.0.0.1:${h.port}`, headers: { authorization: `Basic ${basic}` } });
      expect(go.status).toBe(302);
      expect(go.headers.location).toMatch(new RegExp(`^http://alice-hidden\\.localhost:${h.port}/\\.spaceport/grant\\?g=`));
      // A public Space: straight to its host, and only to a path on it.
      const pub = await request({ port: h.port, path: '/spaces/alice/pub/app?path=/%5Cevil.example', host: `127.0.0.1:${h.port}` });
      expect([pub.status, pub.headers.location]).toEqual([302, `http://alice-pub.localhost:${h.port}/`]);
      const daveBasic = Buffer.from(`x:${t.dave}`).toString('base64');
      expect((await request({ port: h.port, path: '/spaces/alice/hidden/app', host: `127.0.0.1:${h.port}`, headers: { authorization: `Basic ${daveBasic}` } })).status).toBe(404);
    });

    it('PUT settings: private hides the app at once, public shows it again; private=true (0.x) works too; gated is refused', async () => {
      expect((await appAs('alice-shown', undefined, '/cgi-bin/env')).status).toBe(200);
      const put = await h.api('PUT', '/api/spaces/alice/shown/settings', { private: true }, t.alice);
      expect(put.status, put.body).toBe(200);
      expect(put.json()).toMatchObject({ private: true, visibility: 'private' });
      expect((await appAs('alice-shown', undefined, '/cgi-bin/env')).status).toBe(404);
      expect((await h.api('GET', '/api/spaces/alice/shown', undefined, null)).status).toBe(404);
      expect((await h.api('PUT', '/api/spaces/alice/shown/settings', { visibility: 'public' }, t.alice)).status).toBe(200);
      expect((await appAs('alice-shown', undefined, '/cgi-bin/env')).status).toBe(200);
      expect((await h.api('PUT', '/api/spaces/alice/shown/settings', { gated: 'auto' }, t.alice)).status).toBe(400);
      expect((await h.api('PUT', '/api/spaces/alice/shown/settings', { visibility: 'secret' }, t.alice)).status).toBe(400);
      expect((await h.api('PUT', '/api/spaces/alice/shown/settings', { visibility: 'public', private: true }, t.alice)).status).toBe(400);
    });

    it('protected: the app and the info are public, the code is not', async () => {
      expect((await h.api('PUT', '/api/spaces/alice/shown/settings', { visibility: 'protected' }, t.alice)).status).toBe(200);
      expect((await appAs('alice-shown', undefined, '/cgi-bin/env')).status).toBe(200);
      const info = await h.api('GET', '/api/spaces/alice/shown', undefined, null);
      expect(info.status).toBe(200);
      expect(info.json().siblings).toEqual([]);
      expect((await h.api('GET', '/api/spaces/alice/shown', undefined, t.alice)).json().siblings.length).toBeGreaterThan(0);
      const anon = await git(['clone', '-q', pushUrl(h.port, 'alice/shown'), 'anon-protected'], work);
      expect(anon.code).not.toBe(0);
      const dave = await git(['clone', '-q', pushUrl(h.port, 'alice/shown', t.dave), 'dave-protected'], work);
      expect(dave.code).not.toBe(0);
      const owner = await git(['clone', '-q', pushUrl(h.port, 'alice/shown', t.aliceRead), 'owner-protected'], work);
      expect(owner.code, owner.stderr).toBe(0);
      expect((await h.api('PUT', '/api/spaces/alice/shown/settings', { visibility: 'public' }, t.alice)).status).toBe(200);
    });

    it('move: the old subdomain answers 404 at once, the new one keeps the Space private', async () => {
      const moved = await h.api('POST', '/api/repos/move', { fromRepo: 'alice/hidden', toRepo: 'alice/hidden2', type: 'space' }, t.alice);
      expect(moved.status, moved.body).toBe(200);
      expect((await appAs('alice-hidden', t.alice)).status).toBe(404);
      await waitFor('moved Space serving', async () => ((await appAs('alice-hidden2', t.alice, '/cgi-bin/env')).status === 200 ? true : undefined));
      expect((await appAs('alice-hidden2', undefined, '/cgi-bin/env')).status).toBe(404);
      expect((await appAs('alice-hidden', t.alice)).status).toBe(404);
    });
  });

  describe('duplicate', () => {
    it('copies code and history, variables, hardware, sleep time and visibility; secrets only when given; the copy builds', async () => {
      await createAndPush('alice/orig', t.alice, { variables: [{ key: 'GREETING', value: 'hi' }], secrets: [{ key: 'TOKEN', value: 's3cret' }], sleepTimeSeconds: 900, storageTier: 'small' });
      const dup = await h.api('POST', '/api/spaces/alice/orig/duplicate', { repository: 'bob/copy', variables: [{ key: 'EXTRA', value: '1' }], secrets: [{ key: 'MINE', value: 'x' }] }, t.bob);
      expect(dup.status, dup.body).toBe(200);
      expect(dup.json().url).toBe(`http://127.0.0.1:${h.port}/spaces/bob/copy`);
      await h.waitStage('bob/copy', ['RUNNING']);
      const vars = (await h.api('GET', '/api/spaces/bob/copy/variables', undefined, t.bob)).json();
      expect(Object.keys(vars).sort()).toEqual(['EXTRA', 'GREETING']);
      expect(Object.keys((await h.api('GET', '/api/spaces/bob/copy/secrets', undefined, t.bob)).json())).toEqual(['MINE']);
      const rt = (await h.api('GET', '/api/spaces/bob/copy/runtime', undefined, t.bob)).json();
      expect(rt.gcTimeout).toBe(900);
      expect(rt.storage).toBe('small');
      expect(rt.hardware.requested).toBe('cpu-basic');
      const env = await appAs('bob-copy', undefined, '/cgi-bin/env');
      expect(env.body).toContain('GREETING=hi');
      expect(env.body).not.toContain('s3cret');
      const origHead = (await h.api('GET', '/api/spaces/alice/orig', undefined, t.alice)).json().sha;
      expect((await h.api('GET', '/api/spaces/bob/copy', undefined, t.bob)).json().sha).toBe(origHead);
      // exist_ok: the 409 carries the url; a private source copies as private unless told otherwise.
      const again = await h.api('POST', '/api/spaces/alice/orig/duplicate', { repository: 'bob/copy' }, t.bob);
      expect(again.status).toBe(409);
      expect(again.json().url).toBe(`http://127.0.0.1:${h.port}/spaces/bob/copy`);
      expect((await h.api('PUT', '/api/spaces/alice/orig/settings', { visibility: 'private' }, t.alice)).status).toBe(200);
      expect((await h.api('POST', '/api/spaces/alice/orig/duplicate', { repository: 'alice/copy2' }, t.alice)).status).toBe(200);
      expect((await h.api('GET', '/api/spaces/alice/copy2', undefined, null)).status).toBe(404);
      expect((await h.api('POST', '/api/spaces/alice/orig/duplicate', { repository: 'acme/copy3', private: false }, t.bob)).status).toBe(404);
      // A paused source gives a paused copy; hardware and sleep time given win over the source's.
      expect((await h.api('POST', '/api/spaces/alice/orig/pause', undefined, t.alice)).status).toBe(200);
      expect((await h.api('POST', '/api/spaces/alice/orig/duplicate', { repository: 'alice/copy-paused', sleepTimeSeconds: 1200, storageTier: 'medium' }, t.alice)).status).toBe(200);
      const paused = (await h.api('GET', '/api/spaces/alice/copy-paused/runtime', undefined, t.alice)).json();
      expect([paused.stage, paused.gcTimeout, paused.storage]).toEqual(['PAUSED', 1200, 'medium']);
      expect((await h.api('POST', '/api/spaces/alice/orig/duplicate', { repository: 'alice/copy-bad', hardware: 'no-such-flavor' }, t.alice)).status).toBe(400);
      expect((await h.api('GET', '/api/spaces/alice/copy-bad', undefined, t.alice)).status).toBe(404);
      // A read member copies an org Space into their own name, never into the org.
      expect((await h.api('POST', '/api/spaces/acme/internal/duplicate', { repository: 'acme/copy-c' }, t.carol)).status).toBe(403);
      expect((await h.api('POST', '/api/spaces/acme/internal/duplicate', { repository: 'carol/copy-c' }, t.carol)).status).toBe(200);
      expect((await h.api('GET', '/api/spaces/carol/copy-c', undefined, t.carol)).json().private).toBe(true);
    });
  });

  it('the admin token is a user too', async () => {
    expect((await h.api('GET', '/api/whoami-v2', undefined, ADMIN_TOKEN)).json().name).toBe('admin');
  });
});
