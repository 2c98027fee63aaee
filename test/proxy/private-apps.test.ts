// The real proxy in front of real test apps: private routes open only with the host's signed
// cookie (from a grant) or a bearer token the controller accepts; to anyone else they are an unknown
// host (404, no status, never woken), also on websockets.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { GRANT_PATH, signGrant, type AccessChecker, type Route } from '../../proxy/index.js';
import { request, startProxy, type ProxyHarness } from './harness.js';
import { useTestApps } from './test-app.js';

let h: ProxyHarness;
const apps = useTestApps(() => h);
const key = randomBytes(32);
const NOW = 1_000_000;

/** Accepts `tok-alice` for alice/demo only; counts calls. */
class FakeChecker implements AccessChecker {
  calls = 0;
  fail = false;
  async canUseApp(space: string, token: string): Promise<boolean> {
    this.calls++;
    if (this.fail) throw new Error('controller unreachable');
    return space === 'alice/demo' && token === 'tok-alice';
  }
}

function routes(): Route[] {
  return [
    { subdomain: 'alice-demo', space: 'alice/demo', stage: 'RUNNING', target: { kind: 'running', endpoint: { host: '127.0.0.1', port: apps.alice.port } }, access: 'private' },
    { subdomain: 'bob-app', space: 'bob/app', stage: 'RUNNING', target: { kind: 'running', endpoint: { host: '127.0.0.1', port: apps.bob.port } }, access: 'private' },
    { subdomain: 'alice-sleepy', space: 'alice/sleepy', stage: 'SLEEPING', target: { kind: 'sleeping' }, access: 'private' },
  ];
}

async function start(checker = new FakeChecker()): Promise<FakeChecker> {
  h = await startProxy(routes(), { appAccess: { key, checker } });
  return checker;
}

function grantPath(subdomain: string, opts: { path?: string; nowMs?: number } = {}): string {
  return `${GRANT_PATH}?g=${encodeURIComponent(signGrant(key, { scope: subdomain, path: opts.path, nowMs: opts.nowMs ?? NOW }))}`;
}

/** The grant's redirect: the cookie pair to send back, and where it goes. */
async function redeem(subdomain: string, path: string): Promise<{ cookie: string; location: string; setCookie: string }> {
  const r = await request(h.port, { host: `${subdomain}.localhost`, path });
  expect(r.status, r.body).toBe(302);
  const setCookie = String(r.headers['set-cookie']);
  return { cookie: setCookie.split(';')[0]!, location: String(r.headers.location), setCookie };
}

function wsStatus(host: string, headers: Record<string, string> = {}): Promise<number> {
  const ws = new WebSocket(`ws://127.0.0.1:${h.port}/ws`, { headers: { ...headers, host } });
  ws.on('error', () => undefined);
  return new Promise<number>((resolve) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
  }).finally(() => ws.terminate());
}

describe('private apps behind the proxy', () => {
  it('answer 404 to anonymous visitors and wrong tokens, on every path, the status endpoint and websockets', async () => {
    await start();
    for (const path of ['/', '/hello', '/.spaceport/status']) {
      const r = await request(h.port, { host: 'alice-demo.localhost', path });
      expect(r.status, path).toBe(404);
      expect(r.body).not.toContain('hello from alice');
    }
    expect((await request(h.port, { host: 'alice-demo.localhost', path: '/hello', headers: { authorization: 'Bearer tok-bob' } })).status).toBe(404);
    expect(await wsStatus('alice-demo.localhost')).toBe(404);
    expect(await wsStatus('alice-demo.localhost', { authorization: 'Bearer nope' })).toBe(404);
  });

  it('never wake a sleeping private Space for someone without access (browser or not)', async () => {
    await start();
    const browser = await request(h.port, { host: 'alice-sleepy.localhost', headers: { accept: 'text/html', 'user-agent': 'Mozilla/5.0' } });
    expect(browser.status).toBe(404);
    expect(browser.body).not.toMatch(/waking|starting/i);
    expect((await request(h.port, { host: 'alice-sleepy.localhost', path: '/api' })).status).toBe(404);
    expect(await wsStatus('alice-sleepy.localhost')).toBe(404);
    expect(h.waker.calls).toEqual([]);
  });

  it('a grant becomes a host-only HttpOnly SameSite cookie and a redirect; the cookie opens the app and its websocket', async () => {
    await start();
    const { cookie, location, setCookie } = await redeem('alice-demo', grantPath('alice-demo', { path: '/hello?x=1' }));
    expect(location).toBe('/hello?x=1');
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Max-Age=\d+/);
    expect(setCookie).not.toMatch(/Domain=/i);
    const r = await request(h.port, { host: 'alice-demo.localhost', path: '/hello', headers: { cookie: `theme=dark; ${cookie}` } });
    expect(r.status).toBe(200);
    expect(r.body).toContain('hello from alice');
    // Our cookie is for the proxy: the app gets its own cookies only.
    const seen = await request(h.port, { host: 'alice-demo.localhost', path: '/headers', headers: { cookie: `theme=dark; ${cookie}` } });
    expect(JSON.parse(seen.body).cookie).toBe('theme=dark');
    expect(await wsStatus('alice-demo.localhost', { cookie })).toBe(101);
  });

  it('a grant or cookie for one Space opens no other; forged, expired and off-site grants open nothing', async () => {
    await start();
    const { cookie } = await redeem('alice-demo', grantPath('alice-demo'));
    expect((await request(h.port, { host: 'bob-app.localhost', path: '/hello', headers: { cookie } })).status).toBe(404);
    expect(await wsStatus('bob-app.localhost', { cookie })).toBe(404);
    expect((await request(h.port, { host: 'bob-app.localhost', path: grantPath('alice-demo') })).status).toBe(404);
    expect((await request(h.port, { host: 'alice-demo.localhost', path: grantPath('alice-demo', { nowMs: NOW - 120_000 }) })).status).toBe(404);
    const forged = signGrant(randomBytes(32), { scope: 'alice-demo', nowMs: NOW });
    expect((await request(h.port, { host: 'alice-demo.localhost', path: `${GRANT_PATH}?g=${forged}` })).status).toBe(404);
    expect((await request(h.port, { host: 'alice-demo.localhost', path: `${GRANT_PATH}?g=v1.e30.AAAA` })).status).toBe(404);
    const tampered = cookie.replace(/.(?=\.[^.]*$)/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await request(h.port, { host: 'alice-demo.localhost', path: '/hello', headers: { cookie: tampered } })).status).toBe(404);
    // An absolute redirect target in a grant is refused: it goes to `/` on the same host.
    const offsite = await redeem('alice-demo', grantPath('alice-demo', { path: '//evil.example/x' }));
    expect(offsite.location).toBe('/');
  });

  it('the cookie expires', async () => {
    await start();
    const { cookie } = await redeem('alice-demo', grantPath('alice-demo'));
    (h.clock as unknown as { advance(ms: number): void }).advance(3601_000);
    expect((await request(h.port, { host: 'alice-demo.localhost', path: '/hello', headers: { cookie } })).status).toBe(404);
  });

  it('a bearer token the controller accepts opens the app (Authorization is forwarded); answers are cached; a failing check refuses', async () => {
    const checker = await start();
    const ok = await request(h.port, { host: 'alice-demo.localhost', path: '/headers', headers: { authorization: 'Bearer tok-alice' } });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).authorization).toBe('Bearer tok-alice');
    expect(await wsStatus('alice-demo.localhost', { authorization: 'Bearer tok-alice' })).toBe(101);
    expect(checker.calls).toBe(1);
    expect((await request(h.port, { host: 'bob-app.localhost', path: '/hello', headers: { authorization: 'Bearer tok-alice' } })).status).toBe(404);
    checker.fail = true;
    expect((await request(h.port, { host: 'bob-app.localhost', path: '/hello', headers: { authorization: 'Bearer other' } })).status).toBe(404);
  });

  it('a new Space on the same subdomain, or a visibility change, is checked afresh: no cached answer or cookie carries over (issue 15)', async () => {
    const checker = await start();
    const route = routes()[0]!;
    h.routes.set({ ...route, grantScope: 'sp_first.0' });
    const { cookie } = await redeem('alice-demo', `${GRANT_PATH}?g=${encodeURIComponent(signGrant(key, { scope: 'alice-demo sp_first.0', nowMs: NOW }))}`);
    const bearer = { authorization: 'Bearer tok-alice' };
    expect((await request(h.port, { host: 'alice-demo.localhost', path: '/hello', headers: { cookie } })).status).toBe(200);
    expect((await request(h.port, { host: 'alice-demo.localhost', path: '/hello', headers: bearer })).status).toBe(200);
    expect(checker.calls).toBe(1);
    // The visibility changed (generation 1), then another Space took the subdomain.
    for (const grantScope of ['sp_first.1', 'sp_second.0']) {
      h.routes.set({ ...route, grantScope });
      expect((await request(h.port, { host: 'alice-demo.localhost', path: '/hello', headers: { cookie } })).status).toBe(404);
      expect((await request(h.port, { host: 'alice-demo.localhost', path: '/hello', headers: bearer })).status).toBe(200);
    }
    expect(checker.calls).toBe(3);
    // A grant signed for the old Space opens nothing on the new one.
    const old = `${GRANT_PATH}?g=${encodeURIComponent(signGrant(key, { scope: 'alice-demo sp_first.0', nowMs: NOW }))}`;
    expect((await request(h.port, { host: 'alice-demo.localhost', path: old })).status).toBe(404);
  });

  it("X-HF-Authorization (gradio_client's header) opens the app as Authorization does, and never reaches the app", async () => {
    await start();
    const ok = await request(h.port, { host: 'alice-demo.localhost', path: '/headers', headers: { 'x-hf-authorization': 'Bearer tok-alice' } });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).not.toHaveProperty('x-hf-authorization');
    expect(await wsStatus('alice-demo.localhost', { 'x-hf-authorization': 'Bearer tok-alice' })).toBe(101);
    expect(apps.alice.upgradeHeaders).not.toHaveProperty('x-hf-authorization');
    expect((await request(h.port, { host: 'alice-demo.localhost', path: '/hello', headers: { 'x-hf-authorization': 'Bearer tok-bob' } })).status).toBe(404);
    expect((await request(h.port, { host: 'alice-demo.localhost', path: '/hello' })).status).toBe(404);
  });

  it('without app access configured, private apps answer 404 to everyone', async () => {
    h = await startProxy(routes());
    expect((await request(h.port, { host: 'alice-demo.localhost', path: '/hello', headers: { authorization: 'Bearer tok-alice' } })).status).toBe(404);
    expect((await request(h.port, { host: 'alice-demo.localhost', path: grantPath('alice-demo') })).status).toBe(404);
  });
});
