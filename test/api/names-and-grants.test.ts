import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpaceId } from '../../core/index.js';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request } from '../support/http.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * Issue 15, names and grants, through the whole controller (fake runtime serving HTTP, real git):
 * - a private app's cookie is bound to the Space's uid and visibility generation, not its subdomain;
 * - Spaces live only in existing namespaces, and no account takes over Spaces already under its name;
 * - user and organization names are unique ignoring case, reserved names are refused, and a
 *   different-case 409 on create or move tells no one about a Space they cannot read.
 */
describe('names, namespaces and private-app grants', () => {
  let h: Harness;
  let work: string;
  const t = { mallory: '', alice: '', bob: '' };

  async function createAndPush(id: string, token: string, extra: Record<string, unknown> = {}): Promise<void> {
    const [organization, name] = id.split('/');
    const r = await h.api('POST', '/api/repos/create', { name, organization, type: 'space', sdk: 'docker', ...extra }, token);
    expect(r.status, r.body).toBe(200);
    const push = await git(['push', '--force', pushUrl(h.port, id, token), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    await h.waitStage(id, ['RUNNING']);
  }

  /** The app cookie a member's browser gets for `id` (grant from the hub, redeemed on the Space's host). */
  async function appCookie(id: string, token: string): Promise<{ cookie: string; host: string }> {
    const grant = await h.api('POST', `/api/spaces/${id}/app-grant`, { path: '/cgi-bin/env' }, token);
    expect(grant.status, grant.body).toBe(200);
    const url = new URL(grant.json().url);
    const redeemed = await request({ port: h.port, path: `${url.pathname}${url.search}`, host: url.host });
    expect(redeemed.status).toBe(302);
    return { cookie: String(redeemed.headers['set-cookie']).split(';')[0]!, host: url.host };
  }
  const withCookie = (host: string, cookie: string) => request({ port: h.port, path: '/cgi-bin/env', host, headers: { cookie } });

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime({ http: true }), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    for (const name of ['mallory', 'bob'] as const) {
      const r = await h.api('POST', '/api/users', { name });
      expect(r.status, r.body).toBe(201);
      t[name] = r.json().token;
    }
    work = await makeWorkTree({ 'README.md': '---\ntitle: Names\nsdk: docker\napp_port: 7860\n---\n', Dockerfile: 'FROM scratch\n' });
  });
  afterAll(async () => {
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('app cookies are bound to the Space, not its subdomain', () => {
    it("a cookie for deleted Alice/target does not open a later alice/target (the issue's scenario)", async () => {
      expect((await h.api('POST', '/api/organizations/new', { name: 'Alice' }, t.mallory)).status).toBe(201);
      await createAndPush('Alice/target', t.mallory, { private: true });
      const { cookie, host } = await appCookie('Alice/target', t.mallory);
      expect(host).toBe(`alice-target.localhost:${h.port}`);
      expect((await withCookie(host, cookie)).status).toBe(200);
      expect((await h.api('DELETE', '/api/repos/delete', { name: 'target', organization: 'Alice', type: 'space' }, t.mallory)).status).toBe(200);
      // Later, the name is free again (an operator removed the organization) and alice takes it.
      h.sp.store.deleteOrg('Alice');
      const alice = await h.api('POST', '/api/users', { name: 'alice' });
      expect(alice.status, alice.body).toBe(201);
      t.alice = alice.json().token;
      await createAndPush('alice/target', t.alice, { private: true });
      const served = await withCookie(host, cookie);
      expect(served.status).toBe(404);
      expect(served.body).not.toContain('SPACE_ID');
      // Her own cookie works.
      const mine = await appCookie('alice/target', t.alice);
      expect((await withCookie(mine.host, mine.cookie)).body).toContain('SPACE_ID=alice/target');
    });

    it('a visibility change invalidates old cookies: private → public → private again', async () => {
      const before = await appCookie('alice/target', t.alice);
      expect((await withCookie(before.host, before.cookie)).status).toBe(200);
      for (const visibility of ['public', 'private']) {
        expect((await h.api('PUT', '/api/spaces/alice/target/settings', { visibility }, t.alice)).status).toBe(200);
      }
      expect((await withCookie(before.host, before.cookie)).status).toBe(404);
      const after = await appCookie('alice/target', t.alice);
      expect((await withCookie(after.host, after.cookie)).status).toBe(200);
    });
  });

  describe('Spaces live only in existing namespaces', () => {
    it('an admin cannot create, duplicate or move a Space into a namespace that is no user or organization', async () => {
      const create = await h.api('POST', '/api/repos/create', { name: 'secret', organization: 'ghostns', type: 'space', sdk: 'static', private: true });
      expect([create.status, create.headers['x-error-code']]).toEqual([404, 'NamespaceNotFound']);
      expect(create.json().error).toMatch(/no user or organization "ghostns"/);
      expect((await h.api('GET', '/api/spaces/ghostns/secret')).status).toBe(404);
      expect((await h.api('POST', '/api/repos/create', { name: 'mine', type: 'space', sdk: 'static' })).status).toBe(200);
      const move = await h.api('POST', '/api/repos/move', { fromRepo: 'admin/mine', toRepo: 'ghostns/mine', type: 'space' });
      expect([move.status, move.headers['x-error-code']]).toEqual([404, 'NamespaceNotFound']);
      const dup = await h.api('POST', '/api/spaces/admin/mine/duplicate', { repository: 'ghostns/copy' });
      expect([dup.status, dup.headers['x-error-code']]).toEqual([404, 'NamespaceNotFound']);
    });

    it('creating an organization or a user never takes over Spaces already under that name (existing data), and the start reports them', async () => {
      // Older data: a Space in a namespace nobody holds.
      h.sp.store.createSpace({ id: 'ghostns/secret' as SpaceId, sdk: 'static', visibility: 'private', hardware: 'cpu-basic' });
      for (const name of ['ghostns', 'GhostNS']) {
        const org = await h.api('POST', '/api/organizations/new', { name }, t.bob);
        expect([org.status, org.headers['x-error-code']], org.body).toEqual([409, 'NameTaken']);
        expect((await h.api('POST', '/api/users', { name })).status).toBe(409);
      }
      expect((await h.api('GET', '/api/spaces/ghostns/secret', undefined, t.bob)).status).toBe(404);
      expect((await h.api('DELETE', '/api/repos/delete', { name: 'secret', organization: 'ghostns', type: 'space' }, t.bob)).status).toBe(404);
      expect(h.sp.store.nameProblems().orphanNamespaces).toEqual(['ghostns']);
    });
  });

  describe('names are unique ignoring case, and reserved names are refused', () => {
    it('a user alice blocks an organization Alice and a user ALICE; an organization blocks users of its name in any case', async () => {
      for (const name of ['ALICE', 'Alice']) {
        const org = await h.api('POST', '/api/organizations/new', { name }, t.bob);
        expect([org.status, org.headers['x-error-code']]).toEqual([409, 'NameTaken']);
        expect((await h.api('POST', '/api/users', { name })).status).toBe(409);
      }
      expect((await h.api('POST', '/api/organizations/new', { name: 'Acme' }, t.bob)).status).toBe(201);
      expect((await h.api('POST', '/api/users', { name: 'acme' })).headers['x-error-code']).toBe('NameTaken');
      expect((await h.api('POST', '/api/organizations/new', { name: 'ACME' }, t.mallory)).headers['x-error-code']).toBe('NameTaken');
      expect((await h.api('POST', '/api/users', { name: 'Admin' })).headers['x-error-code']).toBe('NameTaken');
    });

    it('reserved names (the hub\'s own routes) are refused for users and organizations, in any case', async () => {
      for (const name of ['api', 'login', 'Logout', 'spaces', 'settings', 'new-space', 'internal', 'organizations', 'static', 'null', 'ASSETS', 'metrics']) {
        const org = await h.api('POST', '/api/organizations/new', { name }, t.bob);
        expect([name, org.status, org.headers['x-error-code']]).toEqual([name, 400, 'InvalidName']);
        expect([name, (await h.api('POST', '/api/users', { name })).headers['x-error-code']]).toEqual([name, 'InvalidName']);
      }
    });

    it('a different-case create or move tells a stranger nothing about a private Space', async () => {
      expect((await h.api('POST', '/api/repos/create', { name: 'priv', type: 'space', sdk: 'static', private: true }, t.alice)).status).toBe(200);
      expect((await h.api('POST', '/api/repos/create', { name: 'mine', type: 'space', sdk: 'static' }, t.bob)).status).toBe(200);
      const answer = async (r: Promise<{ status: number; headers: Record<string, unknown>; body: string }>) => {
        const x = await r;
        return [x.status, x.headers['x-error-code'], x.body];
      };
      for (const ns of ['alice', 'ALICE', 'Alice']) {
        const create = (name: string) => h.api('POST', '/api/repos/create', { name, organization: ns, type: 'space', sdk: 'static' }, t.bob);
        expect(await answer(create('Priv'))).toEqual(await answer(create('nothing-here')));
        const move = (name: string) => h.api('POST', '/api/repos/move', { fromRepo: 'bob/mine', toRepo: `${ns}/${name}`, type: 'space' }, t.bob);
        expect(await answer(move('PRIV'))).toEqual(await answer(move('nothing-here')));
        expect((await move('PRIV')).status).toBe(403);
      }
      // Within one's own namespace the 409 names only one's own Space.
      const again = await h.api('POST', '/api/repos/create', { name: 'PRIV', type: 'space', sdk: 'static' }, t.alice);
      expect([again.status, again.headers['x-error-code']]).toEqual([409, 'RepoExists']);
    });
  });
});
