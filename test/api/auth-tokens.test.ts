import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

/** Missing, wrong and read-only tokens, on the API and on git push: 401/403 with error codes. */
describe('tokens and permissions', () => {
  let h: Harness;
  let bob: string;
  let aliceWrite: string;
  let aliceRead: string;
  let work: string;

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    aliceWrite = (await h.api('POST', '/api/users', { name: 'alice' })).json().token;
    bob = (await h.api('POST', '/api/users', { name: 'bob' })).json().token;
    const read = await h.api('POST', '/api/tokens', { displayName: 'ci', role: 'read' }, aliceWrite);
    expect(read.status).toBe(201);
    aliceRead = read.json().token;
    expect((await h.api('POST', '/api/repos/create', { name: 'app', type: 'space', sdk: 'static' }, aliceWrite)).status).toBe(200);
    work = await makeWorkTree({ 'README.md': '---\nsdk: static\n---\n', 'index.html': 'hi' });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('whoami needs a valid token', async () => {
    expect((await h.api('GET', '/api/whoami-v2', undefined, null)).status).toBe(401);
    const wrong = await h.api('GET', '/api/whoami-v2', undefined, 'sp_not_a_real_token');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['x-error-code']).toBe('InvalidToken');
    const me = (await h.api('GET', '/api/whoami-v2', undefined, aliceRead)).json();
    expect(me).toMatchObject({ name: 'alice', auth: { accessToken: { role: 'read', displayName: 'ci' } } });
  });

  it('API writes: 401 anonymous, 403 read-only, 403 other user', async () => {
    const anon = await h.api('POST', '/api/spaces/alice/app/restart', undefined, null);
    expect([anon.status, anon.headers['x-error-code']]).toEqual([401, 'Unauthorized']);
    const ro = await h.api('POST', '/api/spaces/alice/app/restart', undefined, aliceRead);
    expect([ro.status, ro.headers['x-error-code']]).toEqual([403, 'ReadOnlyToken']);
    const other = await h.api('POST', '/api/spaces/alice/app/restart', undefined, bob);
    expect([other.status, other.headers['x-error-code']]).toEqual([403, 'Forbidden']);
    const create = await h.api('POST', '/api/repos/create', { name: 'x', organization: 'alice', type: 'space', sdk: 'static' }, bob);
    expect([create.status, create.headers['x-error-code']]).toEqual([403, 'Forbidden']);
    const secrets = await h.api('GET', '/api/spaces/alice/app/secrets', undefined, bob);
    expect(secrets.status).toBe(403);
  });

  it('only admins create users', async () => {
    const r = await h.api('POST', '/api/users', { name: 'mallory' }, bob);
    expect([r.status, r.headers['x-error-code']]).toEqual([403, 'Forbidden']);
  });

  it('git push: 401 without or with a wrong token, 403 read-only or another user, 200 for the owner', async () => {
    const none = await git(['push', '--force', pushUrl(h.port, 'alice/app'), 'main'], work);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/Authentication failed|could not read Username|401/);
    const wrong = await git(['push', '--force', pushUrl(h.port, 'alice/app', 'sp_wrong_token'), 'main'], work);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/Authentication failed|401/);
    const ro = await git(['push', '--force', pushUrl(h.port, 'alice/app', aliceRead), 'main'], work);
    expect(ro.code).not.toBe(0);
    expect(ro.stderr).toMatch(/403/);
    const other = await git(['push', '--force', pushUrl(h.port, 'alice/app', bob), 'main'], work);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/403/);
    const ok = await git(['push', '--force', pushUrl(h.port, 'alice/app', aliceWrite), 'main'], work);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('public Spaces clone anonymously; private ones only for the owner', async () => {
    const pub = await git(['clone', '-q', pushUrl(h.port, 'alice/app'), 'pub'], work);
    expect(pub.code, pub.stderr).toBe(0);
    expect((await h.api('POST', '/api/repos/create', { name: 'secret', type: 'space', sdk: 'static', private: true }, aliceWrite)).status).toBe(200);
    expect((await h.api('GET', '/api/spaces/alice/secret', undefined, bob)).status).toBe(404);
    expect((await h.api('GET', '/api/spaces/alice/secret', undefined, null)).status).toBe(404);
    expect((await h.api('GET', '/api/spaces/alice/secret', undefined, aliceRead)).status).toBe(200);
    const anon = await git(['clone', '-q', pushUrl(h.port, 'alice/secret'), 'priv1'], work);
    expect(anon.code).not.toBe(0);
    const owner = await git(['clone', '-q', pushUrl(h.port, 'alice/secret', aliceRead), 'priv2'], work);
    expect(owner.code, owner.stderr).toBe(0);
  });

  it('refuses injection-looking upstream URLs and refs by name', async () => {
    for (const url of ['ext::sh -c touch% /tmp/pwned', 'file:///etc', '--upload-pack=touch /tmp/x', 'ssh://host/x', 'git://host/x', 'host:path']) {
      const r = await h.api('POST', '/api/repos/create', { name: 'up', type: 'space', sdk: 'static', upstream: { url, branch: 'main' } }, aliceWrite);
      expect(r.status, url).toBe(400);
      expect(r.headers['x-error-code'], url).toBe('InvalidUpstream');
    }
    for (const branch of ['--orphan', 'main..x', 'a@{1}', 'x y', '-b']) {
      const r = await h.api('POST', '/api/repos/create', { name: 'up', type: 'space', sdk: 'static', upstream: { url: 'https://example.invalid/x.git', branch } }, aliceWrite);
      expect(r.status, branch).toBe(400);
      expect(r.headers['x-error-code'], branch).toBe('InvalidUpstream');
    }
    expect((await h.api('GET', '/api/spaces/alice/up', undefined, aliceWrite)).status).toBe(404);
  });
});
