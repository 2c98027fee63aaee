import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { STATUS_PATH } from '../../proxy/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, type HttpResult } from '../support/http.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';
import { signIn, type HttpSession } from '../support/web-session.js';

/**
 * Issue 15, "Done means": a private Space and a missing one give identical answers (status, headers
 * apart from request ids and dates, body) to whoever may not read the private one, on every path:
 * the API, git (info/refs, upload-pack, and stock `git ls-remote`), LFS, the web pages, the app's
 * subdomain over HTTP and its websocket upgrade, and the waking page of a sleeping private Space.
 *
 * The two names have the same length (`alice/priv`, `alice/nope`), so that lengths compare too; the
 * only difference allowed is the name the request itself carries, replaced by `{id}`/`{sub}`/`{name}`.
 */
const PRIV = { id: 'alice/priv', sub: 'alice-priv', name: 'priv' };
const NONE = { id: 'alice/nope', sub: 'alice-nope', name: 'nope' };
type Target = typeof PRIV;
/** Headers that differ between any two answers: when and which request. */
const VARYING = new Set(['date', 'x-request-id', 'etag']);
const BROWSER = { accept: 'text/html', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120' };
const WS = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };

function scrub(text: string, t: Target): string {
  return text
    // A page's "Sign in" link carries the requested path back (`?next=%2Fspaces%2F…`), encoded.
    .split(encodeURIComponent(t.id))
    .join('{id}')
    .split(t.id)
    .join('{id}')
    .split(t.sub)
    .join('{sub}')
    .replace(new RegExp(`\\b${t.name}\\b`, 'g'), '{name}')
    .replace(/(sp_[a-z_]*=)[^;]*/g, '$1…');
}

function answer(r: HttpResult, t: Target): { status: number; headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (!VARYING.has(k)) headers[k] = scrub(Array.isArray(v) ? v.join('\n') : String(v), t);
  return { status: r.status, headers, body: scrub(r.body, t) };
}

describe('a private Space answers exactly as a missing one', () => {
  let h: Harness;
  let work: string;
  let bobToken = '';
  let aliceToken = '';
  let bob: HttpSession;

  type Probe = [label: string, send: (t: Target, as: { token?: string; cookie?: string }) => Promise<HttpResult>];
  const hub = (method: string, path: string, opts: { body?: unknown; headers?: Record<string, string> } = {}) =>
    (as: { token?: string; cookie?: string }) =>
      request({
        port: h.port,
        method,
        path,
        host: `127.0.0.1:${h.port}`,
        body: opts.body,
        token: as.token,
        headers: { ...opts.headers, ...(as.cookie ? { cookie: as.cookie } : {}) },
      });
  const app = (path: string, headers: Record<string, string> = {}) => (t: Target, as: { token?: string; cookie?: string }) =>
    request({ port: h.port, path, host: `${t.sub}.localhost:${h.port}`, headers: { ...headers, ...(as.token ? { authorization: `Bearer ${as.token}` } : {}) } });

  const lfsBody = { operation: 'download', transfers: ['basic'], objects: [{ oid: 'a'.repeat(64), size: 1 }] };
  const lfsHeaders = { accept: 'application/vnd.git-lfs+json', 'content-type': 'application/vnd.git-lfs+json' };
  const api: Probe[] = [
    ['info', (t, as) => hub('GET', `/api/spaces/${t.id}`)(as)],
    ['by-subdomain', (t, as) => hub('GET', `/api/spaces/by-subdomain/${t.sub}`)(as)],
    ['revision', (t, as) => hub('GET', `/api/spaces/${t.id}/revision/main`)(as)],
    ['runtime', (t, as) => hub('GET', `/api/spaces/${t.id}/runtime`)(as)],
    ['host', (t, as) => hub('GET', `/api/spaces/${t.id}/host`)(as)],
    ['tree', (t, as) => hub('GET', `/api/spaces/${t.id}/tree/main`)(as)],
    ['tree path', (t, as) => hub('GET', `/api/spaces/${t.id}/tree/main/src`)(as)],
    ['resolve', (t, as) => hub('GET', `/spaces/${t.id}/resolve/main/README.md`)(as)],
    ['paths-info', (t, as) => hub('POST', `/api/spaces/${t.id}/paths-info/main`, { body: { paths: ['README.md'] } })(as)],
    ['commits', (t, as) => hub('GET', `/api/spaces/${t.id}/commits/main`)(as)],
    ['refs', (t, as) => hub('GET', `/api/spaces/${t.id}/refs`)(as)],
    ['build logs', (t, as) => hub('GET', `/api/spaces/${t.id}/logs/build`)(as)],
    ['run logs', (t, as) => hub('GET', `/api/spaces/${t.id}/logs/run`)(as)],
    ['app grant', (t, as) => hub('POST', `/api/spaces/${t.id}/app-grant`, { body: {} })(as)],
    ['app entry', (t, as) => hub('GET', `/spaces/${t.id}/app`)(as)],
    ['git info/refs', (t, as) => hub('GET', `/spaces/${t.id}.git/info/refs?service=git-upload-pack`)(as)],
    ['git info/refs (no .git)', (t, as) => hub('GET', `/spaces/${t.id}/info/refs?service=git-upload-pack`)(as)],
    ['git upload-pack', (t, as) => hub('POST', `/spaces/${t.id}.git/git-upload-pack`, { body: '0000', headers: { 'content-type': 'application/x-git-upload-pack-request' } })(as)],
    ['git receive-pack refs', (t, as) => hub('GET', `/spaces/${t.id}.git/info/refs?service=git-receive-pack`)(as)],
    ['lfs batch', (t, as) => hub('POST', `/spaces/${t.id}.git/info/lfs/objects/batch`, { body: lfsBody, headers: lfsHeaders })(as)],
    ['lfs batch upload', (t, as) => hub('POST', `/spaces/${t.id}.git/info/lfs/objects/batch`, { body: { ...lfsBody, operation: 'upload' }, headers: lfsHeaders })(as)],
  ];
  const pages: Probe[] = [
    ['page', (t, as) => hub('GET', `/spaces/${t.id}`, { headers: BROWSER })(as)],
    ['files tab', (t, as) => hub('GET', `/spaces/${t.id}/tree/main`, { headers: BROWSER })(as)],
    ['file page', (t, as) => hub('GET', `/spaces/${t.id}/blob/main/README.md`, { headers: BROWSER })(as)],
    ['logs page', (t, as) => hub('GET', `/spaces/${t.id}/logs`, { headers: BROWSER })(as)],
    ['settings page', (t, as) => hub('GET', `/spaces/${t.id}/settings`, { headers: BROWSER })(as)],
  ];
  const subdomain: Probe[] = [
    ['app /', app('/')],
    ['app / (browser)', app('/', BROWSER)],
    ['app path', app('/cgi-bin/env')],
    ['app status', app(STATUS_PATH)],
    ['app grant path', app('/.spaceport/grant?g=v1.x.y')],
    ['app websocket', app('/ws', WS)],
  ];

  async function compare(probes: Probe[], as: { token?: string; cookie?: string }): Promise<void> {
    const diffs: string[] = [];
    for (const [label, send] of probes) {
      const [p, n] = [answer(await send(PRIV, as), PRIV), answer(await send(NONE, as), NONE)];
      try {
        expect(p).toEqual(n);
      } catch {
        diffs.push(`${label}:\n  private ${JSON.stringify(p)}\n  missing ${JSON.stringify(n)}`);
      }
    }
    expect(diffs, diffs.join('\n')).toEqual([]);
  }

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime({ http: true }), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    const alice = (await h.api('POST', '/api/users', { name: 'alice' })).json().token as string;
    aliceToken = alice;
    bobToken = (await h.api('POST', '/api/users', { name: 'bob' })).json().token as string;
    expect((await h.api('PUT', '/api/users/bob/password', { password: 'bob-password-1' })).status).toBe(200);
    bob = await signIn(h.port, 'bob', 'bob-password-1');
    work = await makeWorkTree({ 'README.md': '---\ntitle: Priv\nsdk: docker\napp_port: 7860\n---\n', Dockerfile: 'FROM scratch\n', 'src/a.txt': 'a' });
    expect((await h.api('POST', '/api/repos/create', { name: 'priv', type: 'space', sdk: 'docker', private: true }, alice)).status).toBe(200);
    const push = await git(['push', '--force', pushUrl(h.port, PRIV.id, alice), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    await h.waitStage(PRIV.id, ['RUNNING']);
  });
  afterAll(async () => {
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('the probes reach the Space: its owner gets an answer other than 404 on each (so the comparisons mean something)', async () => {
    const found: string[] = [];
    for (const [label, send] of [...api, ...pages, ...subdomain]) {
      if (label === 'app grant path') continue; // a forged grant is refused to everyone
      const r = await send(PRIV, { token: aliceToken });
      if (r.status === 404) found.push(`${label}: ${r.status} ${r.body.slice(0, 120)}`);
    }
    expect(found).toEqual([]);
  });

  it('the API, git and LFS: anonymous and another user (token)', async () => {
    await compare(api, {});
    await compare(api, { token: bobToken });
  });

  it('the web pages: anonymous, another user (token and web session)', async () => {
    await compare(pages, {});
    await compare(pages, { token: bobToken });
    await compare([...pages, ...api], { cookie: bob.cookie });
  });

  it('the app on its subdomain (HTTP, the websocket upgrade, the status path): anonymous and another user', async () => {
    await compare(subdomain, {});
    await compare(subdomain, { token: bobToken });
  });

  it('stock git: clone and ls-remote fail with the same words', async () => {
    for (const token of [undefined, bobToken]) {
      const [p, n] = await Promise.all([PRIV, NONE].map((t) => git(['ls-remote', pushUrl(h.port, t.id, token)], work)));
      expect([p!.code, scrub(p!.stderr, PRIV)]).toEqual([n!.code, scrub(n!.stderr, NONE)]);
      expect(p!.code).not.toBe(0);
    }
  });

  it('a sleeping private Space: no waking page, the same 404 as a missing host, and it is never woken', async () => {
    expect((await h.api('POST', `/api/spaces/${PRIV.id}/sleeptime`, { seconds: 1 })).status).toBe(200);
    await h.waitStage(PRIV.id, ['SLEEPING'], 30_000);
    await compare(subdomain, {});
    await compare(subdomain, { token: bobToken });
    await compare(api, {});
    expect((await h.stage(PRIV.id)).stage).toBe('SLEEPING');
  });
});
