import { rmSync } from 'node:fs';
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request } from '../support/http.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';
import { postSignIn, signIn, type HttpSession } from '../support/web-session.js';

const HOSTILE = `<img src=x onerror=alert(1)>"'`;

/** The web UI over plain HTTP: sessions, CSRF, permissions, escaping, security headers. */
describe('web UI over HTTP', () => {
  let h: Harness;
  let aliceToken: string;
  let alice: HttpSession;
  let bob: HttpSession;
  let work: string;

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), { SPACEPORT_SIGNIN_MAX_FAILURES: '3' });
    aliceToken = (await h.api('POST', '/api/users', { name: 'alice' })).json().token;
    await h.api('POST', '/api/users', { name: 'bob' });
    expect((await h.api('PUT', '/api/users/alice/password', { password: 'alice-password-1' })).status).toBe(200);
    expect((await h.api('PUT', '/api/users/bob/password', { password: 'bob-password-1' })).status).toBe(200);
    expect((await h.api('POST', '/api/repos/create', { name: 'demo', type: 'space', sdk: 'static' }, aliceToken)).status).toBe(200);
    work = await makeWorkTree({ 'README.md': `---\ntitle: "${HOSTILE.replace(/"/g, '\\"')}"\nemoji: 🚀\nsdk: static\nshort_description: "</p><script>alert(2)</script>"\n---\n# Demo\n\n<script>alert(3)</script>\n`, 'index.html': '<h1>hi</h1>' });
    const push = await git(['push', '--force', '-q', pushUrl(h.port, 'alice/demo', aliceToken), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    await h.waitStage('alice/demo', ['RUNNING']);
    alice = await signIn(h.port, 'alice', 'alice-password-1');
    bob = await signIn(h.port, 'bob', 'bob-password-1');
  });
  afterAll(async () => {
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('serves the gallery with security headers, hostile front matter escaped', async () => {
    const r = await request({ port: h.port, path: '/', host: `127.0.0.1:${h.port}` });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('text/html');
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('same-origin');
    expect(r.body).toContain('href="/spaces/alice/demo"');
    expect(r.body).not.toContain('<img src=x');
    expect(r.body).not.toContain('<script>alert');
    expect(r.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const page = await request({ port: h.port, path: '/spaces/alice/demo/tree/main', host: `127.0.0.1:${h.port}` });
    expect(page.status).toBe(200);
    expect(page.body).not.toMatch(/<script>alert|<img src=x/);
    expect(page.body).toContain('<h1>Demo</h1>');
  });

  it('compresses pages and assets for browsers that take it (br, else gzip), and not for those that do not', async () => {
    const raw = (path: string, accept?: string) =>
      new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        http
          .get({ port: h.port, path, headers: { host: `127.0.0.1:${h.port}`, ...(accept ? { 'accept-encoding': accept } : {}) } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) })).on('error', reject);
          })
          .on('error', reject);
      });
    const plain = await raw('/spaces');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await raw('/spaces', 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(br.body).toString('utf8')).toContain('<h1>Spaces</h1>');
    expect(br.body.length).toBeLessThan(plain.body.length / 2);
    const script = /<script src="([^"]+)"/.exec(plain.body.toString('utf8'))![1]!;
    const js = await raw(script, 'gzip');
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(js.body).toString('utf8')).toContain('data-api');
  });

  it('answers bad input on pages with a 4xx, never a 500', async () => {
    const paths = [
      '/spaces/%ff/x',
      '/spaces/alice/%E0%A4%A',
      '/spaces?p=abc&sdk=<script>&q[]=x',
      '/spaces?p=999999999',
      '/spaces/alice/demo/blob/main/../../../../etc/passwd',
      '/spaces/alice/demo/blob/main/nope.txt',
      '/spaces/alice/nope',
      '/spaces/-bad-/x',
      '/login?next=javascript:alert(1)',
      '/login/oidc',
      '/%2e%2e',
      '/assets/../package.json',
    ];
    for (const p of paths) {
      const r = await request({ port: h.port, path: p, host: `127.0.0.1:${h.port}` });
      expect(r.status, p).toBeLessThan(500);
    }
    const login = await request({ port: h.port, path: '/login?next=//evil.example', host: `127.0.0.1:${h.port}` });
    expect(login.body).toContain('name="next" value="/spaces"');
  });

  it('searches (id, title and short description), filters and pages on the server', async () => {
    const found = await request({ port: h.port, path: '/spaces?q=dem&sdk=static', host: `127.0.0.1:${h.port}` });
    expect(found.body).toContain('1 Space ');
    // The short description is searched too (only it says "alert(2)").
    const described = await request({ port: h.port, path: `/spaces?q=${encodeURIComponent('alert(2)')}`, host: `127.0.0.1:${h.port}` });
    expect(described.body).toContain('1 Space ');
    expect(described.body).toContain('href="/spaces/alice/demo"');
    const none = await request({ port: h.port, path: '/spaces?q=zzz', host: `127.0.0.1:${h.port}` });
    expect(none.body).toContain('No Spaces match');
    const owner = await request({ port: h.port, path: '/alice', host: `127.0.0.1:${h.port}` });
    expect(owner.body).toContain('href="/spaces/alice/demo"');
    expect((await request({ port: h.port, path: '/nobody-at-all', host: `127.0.0.1:${h.port}` })).status).toBe(404);
  });

  it('signs in with a password: a signed, HttpOnly, SameSite=Lax cookie; wrong passwords are refused and rate-limited', async () => {
    const ok = await postSignIn(h.port, 'alice', 'alice-password-1');
    const setCookie = (ok.res.headers['set-cookie'] ?? []).find((c) => c.startsWith('sp_session='))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Max-Age=\d+/);
    // A tampered signature is no session.
    const forged = `sp_session=${ok.cookies.sp_session!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}`;
    const me = await request({ port: h.port, path: '/api/whoami-v2', host: `127.0.0.1:${h.port}`, headers: { cookie: forged } });
    expect(me.status).toBe(401);
    expect((await alice.get('/api/whoami-v2')).json().name).toBe('alice');
  });

  it('refuses a state-changing request made with the cookie but without the CSRF token', async () => {
    const noToken = await alice.call('POST', '/api/spaces/alice/demo/sleeptime', { seconds: 600 }, { csrf: null });
    expect(noToken.status).toBe(403);
    expect(noToken.headers['x-error-code']).toBe('CsrfFailed');
    const badToken = await alice.call('POST', '/api/spaces/alice/demo/sleeptime', { seconds: 600 }, { csrf: 'x'.repeat(32) });
    expect(badToken.headers['x-error-code']).toBe('CsrfFailed');
    const ok = await alice.call('POST', '/api/spaces/alice/demo/sleeptime', { seconds: 600 });
    expect(ok.status).toBe(200);
    expect(ok.json().gcTimeout).toBe(600);
    // Tokens need no CSRF token (not a browser credential).
    expect((await h.api('POST', '/api/spaces/alice/demo/sleeptime', { seconds: 900 }, aliceToken)).status).toBe(200);
  });

  it('shows Settings to the owner only; other people and visitors cannot reach any settings action', async () => {
    const own = await alice.get('/spaces/alice/demo');
    expect(own.body).toContain('href="/spaces/alice/demo/settings"');
    expect((await alice.get('/spaces/alice/demo/settings')).status).toBe(200);
    const other = await bob.get('/spaces/alice/demo');
    expect(other.status).toBe(200);
    expect(other.body).not.toContain('/settings"');
    expect((await bob.get('/spaces/alice/demo/settings')).status).toBe(403);
    expect((await bob.call('POST', '/api/spaces/alice/demo/pause')).status).toBe(403);
    expect((await bob.call('POST', '/api/spaces/alice/demo/secrets', { key: 'X', value: 'y' })).status).toBe(403);
    const anon = await request({ port: h.port, path: '/spaces/alice/demo', host: `127.0.0.1:${h.port}` });
    expect(anon.body).not.toContain('/settings"');
    const anonSettings = await request({ port: h.port, path: '/spaces/alice/demo/settings', host: `127.0.0.1:${h.port}` });
    expect(anonSettings.status).toBe(303);
    expect(anonSettings.headers.location).toContain('/login?next=');
    expect((await request({ port: h.port, path: '/api/spaces/alice/demo/pause', method: 'POST', host: `127.0.0.1:${h.port}` })).status).toBe(401);
  });

  it('shows a protected Space\'s app to everyone and its files to the owner only', async () => {
    expect((await h.api('POST', '/api/repos/create', { name: 'guarded', type: 'space', sdk: 'static', visibility: 'protected' }, aliceToken)).status).toBe(200);
    const anon = await request({ port: h.port, path: '/spaces/alice/guarded', host: `127.0.0.1:${h.port}` });
    expect(anon.status).toBe(200);
    expect(anon.body).not.toContain('/tree/main"');
    expect((await bob.get('/spaces/alice/guarded/tree/main')).status).toBe(404);
    expect((await alice.get('/spaces/alice/guarded/tree/main')).status).toBe(200);
  });

  it('never shows a secret value in a page or an API answer', async () => {
    expect((await alice.call('POST', '/api/spaces/alice/demo/secrets', { key: 'API_KEY', value: 'very-secret-value-42' })).status).toBe(200);
    const settings = await alice.get('/spaces/alice/demo/settings');
    expect(settings.body).toContain('API_KEY');
    expect(settings.body).not.toContain('very-secret-value-42');
    expect((await alice.get('/api/spaces/alice/demo/secrets')).body).not.toContain('very-secret-value-42');
  });

  it('streams stage changes, starting with the current stage', async () => {
    const events = await new Promise<string>((resolve, reject) => {
      let text = '';
      import('node:http').then(({ default: http }) => {
        const req = http.get({ host: '127.0.0.1', port: h.port, path: '/api/spaces/events?ids=alice/demo', headers: { host: `127.0.0.1:${h.port}` } }, (res) => {
          res.on('data', (c: Buffer) => {
            text += c.toString();
            if (/"stage":"(RUNNING_)?BUILDING"/.test(text)) {
              req.destroy();
              resolve(text);
            } else if (text.includes('"stage":"RUNNING"') && !text.includes('rebuild-sent')) {
              text += 'rebuild-sent';
              void alice.call('POST', '/api/spaces/alice/demo/restart?factory=true');
            }
          });
        });
        req.on('error', reject);
      }, reject);
    });
    expect(events).toContain('event: stage');
    expect(events).toMatch(/"id":"alice\/demo","stage":"RUNNING"[\s\S]*"stage":"(RUNNING_)?BUILDING"/);
    await h.waitStage('alice/demo', ['RUNNING']);
  });

  it('signs out: the session no longer works', async () => {
    const s = await signIn(h.port, 'bob', 'bob-password-1');
    const out = await request({
      port: h.port,
      path: '/logout',
      method: 'POST',
      host: `127.0.0.1:${h.port}`,
      body: `_csrf=${encodeURIComponent(s.csrf)}`,
      headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(out.status).toBe(303);
    expect((await s.get('/api/whoami-v2')).status).toBe(401);
  });

  it('lets people change their own password with the current one, and admins set anyone\'s', async () => {
    const s = await signIn(h.port, 'bob', 'bob-password-1');
    expect((await s.call('PUT', '/api/users/bob/password', { password: 'bob-password-2' })).status).toBe(403);
    expect((await s.call('PUT', '/api/users/bob/password', { password: 'bob-password-2', currentPassword: 'nope-nope' })).status).toBe(403);
    expect((await s.call('PUT', '/api/users/alice/password', { password: 'bob-owns-alice', currentPassword: 'bob-password-1' })).status).toBe(403);
    expect((await s.call('PUT', '/api/users/bob/password', { password: 'short', currentPassword: 'bob-password-1' })).status).toBe(400);
    expect((await s.call('PUT', '/api/users/bob/password', { password: 'bob-password-2', currentPassword: 'bob-password-1' })).status).toBe(200);
    expect((await postSignIn(h.port, 'bob', 'bob-password-1')).res.status).toBe(401);
    await signIn(h.port, 'bob', 'bob-password-2');
    expect((await h.api('PUT', '/api/users/bob/password', { password: 'bob-password-3' })).status).toBe(200);
    await signIn(h.port, 'bob', 'bob-password-3');
    expect((await h.api('PUT', '/api/users/nobody/password', { password: 'whatever-123' })).status).toBe(404);
  });

  // Last: it locks alice out of password sign-in from 127.0.0.1 for the rest of the window.
  it('refuses wrong passwords, then rate-limits that name from that address', async () => {
    const wrong = await postSignIn(h.port, 'carol', 'nope-nope-nope');
    expect(wrong.res.status).toBe(401);
    expect(wrong.cookies.sp_session).toBeUndefined();
    for (let i = 0; i < 3; i++) expect((await postSignIn(h.port, 'alice', 'wrong-password')).res.status).toBe(401);
    const limited = await postSignIn(h.port, 'alice', 'alice-password-1');
    expect(limited.res.status).toBe(429);
    expect(limited.cookies.sp_session).toBeUndefined();
    // Others signing in from the same address (one ingress for everyone) are not locked out.
    expect((await postSignIn(h.port, 'bob', 'bob-password-3')).res.status).toBe(303);
  });
});
