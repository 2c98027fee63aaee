import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, type HttpResult } from '../support/http.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';
import { signIn } from '../support/web-session.js';

/**
 * Issue 15: one visibility rule (controller/auth/principal.ts) decides for every path. The same
 * principals — anonymous, a Space's owner, another user, an organization's admin, write and read
 * members — each through a token AND a password web session, ask for public, protected and private
 * Spaces (a user's and an organization's) through the API, git, the gallery's SQL (listings and
 * search, `readScopeOf`) and the pages (Space page, Files tab, the owner's page). Every path of one
 * kind must give the same allow/deny answer, and that answer is the rule's:
 *
 * | visibility | see it (info, page, listings, app)   | read its code (API files, git, Files tab) |
 * |------------|--------------------------------------|-------------------------------------------|
 * | public     | everyone                             | everyone                                  |
 * | protected  | everyone                             | the owner and members (any role)          |
 * | private    | the owner and members (any role)     | the owner and members (any role)          |
 */
const SPACES = ['alice/pub', 'alice/prot', 'alice/priv', 'acme/pub', 'acme/prot', 'acme/priv'] as const;
const VIS: Record<string, 'public' | 'protected' | 'private'> = { pub: 'public', prot: 'protected', priv: 'private' };
/** Who holds a role in each namespace (alice owns hers; acme's members by role). */
const MEMBERS: Record<string, readonly string[]> = { alice: ['alice'], acme: ['oadmin', 'owrite', 'oread'] };
const PEOPLE = ['alice', 'dave', 'oadmin', 'owrite', 'oread'] as const;

function expected(who: string | undefined, id: string): { see: boolean; code: boolean } {
  const [ns, name] = id.split('/') as [string, string];
  const member = who !== undefined && MEMBERS[ns]!.includes(who);
  const vis = VIS[name]!;
  return { see: vis !== 'private' || member, code: vis === 'public' || member };
}

describe('one visibility rule for the API, git, the gallery and the pages', () => {
  let h: Harness;
  let work: string;
  const token: Record<string, string> = {};
  const cookie: Record<string, string> = {};

  type As = { token?: string; cookie?: string };
  const get = (path: string, as: As): Promise<HttpResult> =>
    request({ port: h.port, path, host: `127.0.0.1:${h.port}`, token: as.token, headers: as.cookie ? { cookie: as.cookie } : {} });
  const ok = (r: HttpResult) => r.status === 200;
  const listed = (body: string, id: string) => body.includes(`"${id}"`) || body.includes(`href="/spaces/${id}"`);

  /** Each path's allow (true) or deny for `as` on `id`, by the kind of access it needs. */
  async function paths(id: string, as: As, viaToken: boolean): Promise<{ see: Record<string, boolean>; code: Record<string, boolean> }> {
    const [ns, name] = id.split('/') as [string, string];
    const see: Record<string, boolean> = {
      'api info': ok(await get(`/api/spaces/${id}`, as)),
      'api runtime': ok(await get(`/api/spaces/${id}/runtime`, as)),
      'api list by author': listed((await get(`/api/spaces?author=${ns}`, as)).body, id),
      'api search': listed((await get(`/api/spaces?search=${name}`, as)).body, id),
      'space page': ok(await get(`/spaces/${id}`, as)),
      'gallery search': listed((await get(`/spaces?q=${name}`, as)).body, id),
      "owner's page": listed((await get(`/${ns}`, as)).body, id),
    };
    const code: Record<string, boolean> = {
      'api tree': ok(await get(`/api/spaces/${id}/tree/main`, as)),
      'api resolve': ok(await get(`/spaces/${id}/resolve/main/README.md`, as)),
      'api commits': ok(await get(`/api/spaces/${id}/commits/main`, as)),
      'files tab': ok(await get(`/spaces/${id}/tree/main`, as)),
      'file page': ok(await get(`/spaces/${id}/blob/main/README.md`, as)),
    };
    if (viaToken) {
      const r = await git(['ls-remote', pushUrl(h.port, id, as.token)], work, { GIT_TERMINAL_PROMPT: '0' });
      code['git ls-remote'] = r.code === 0;
    }
    return { see, code };
  }

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    for (const name of PEOPLE) {
      const r = await h.api('POST', '/api/users', { name });
      expect(r.status, r.body).toBe(201);
      token[name] = r.json().token;
      expect((await h.api('PUT', `/api/users/${name}/password`, { password: `${name}-password-1` })).status).toBe(200);
    }
    expect((await h.api('POST', '/api/organizations/new', { name: 'acme' }, token.oadmin)).status).toBe(201);
    for (const [user, role] of [['owrite', 'write'], ['oread', 'read']]) {
      expect((await h.api('PUT', `/api/organizations/acme/members/${user}`, { role }, token.oadmin)).status).toBe(200);
    }
    work = await makeWorkTree({ 'README.md': '---\ntitle: Matrix\nsdk: static\n---\n', 'index.html': '<p>hi</p>' });
    for (const id of SPACES) {
      const [organization, name] = id.split('/') as [string, string];
      const owner = organization === 'alice' ? token.alice! : token.oadmin!;
      const r = await h.api('POST', '/api/repos/create', { name, organization, type: 'space', sdk: 'static', visibility: VIS[name] }, owner);
      expect(r.status, r.body).toBe(200);
      const push = await git(['push', '-q', '--force', pushUrl(h.port, id, owner), 'main'], work);
      expect(push.code, push.stderr).toBe(0);
    }
    // Sessions are made after the memberships: a password sign-in must carry the organization roles.
    for (const name of PEOPLE) cookie[name] = (await signIn(h.port, name, `${name}-password-1`)).cookie;
  });
  afterAll(async () => {
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const principals: [label: string, who: string | undefined, as: () => As, viaToken: boolean][] = [
    ['anonymous', undefined, () => ({}), true],
    ...PEOPLE.flatMap((p): [string, string, () => As, boolean][] => [
      [`${p} (token)`, p, () => ({ token: token[p] }), true],
      [`${p} (web session)`, p, () => ({ cookie: cookie[p] }), false],
    ]),
  ];

  for (const [label, who, as, viaToken] of principals) {
    it(`${label}: every path gives the rule's answer for every Space`, async () => {
      const wrong: string[] = [];
      for (const id of SPACES) {
        const want = expected(who, id);
        const got = await paths(id, as(), viaToken);
        for (const [kind, answers] of [['see', got.see], ['code', got.code]] as const) {
          for (const [path, allowed] of Object.entries(answers)) {
            if (allowed !== want[kind]) wrong.push(`${id} ${path}: ${allowed ? 'allowed' : 'denied'}, the rule says ${want[kind] ? 'allow' : 'deny'}`);
          }
        }
      }
      expect(wrong).toEqual([]);
    });
  }
});
