// Threat: MIME sniffing, clickjacking of hub pages, full URLs leaking as Referer, downgrade to http.
// Every hub-host response and the proxy's own pages carry the usual headers; apps' responses are
// left as the app sent them (a Space decides its own framing and policies).
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

const README = '---\ntitle: Headers\nsdk: static\n---\n';

describe('security headers', () => {
  let h: Harness;
  let https: Harness;
  let work: string;

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime({ http: true }), builder: new FakeImageBuilder(), plan: planFromBuilder(config), staticSpacesAsImages: true }));
    https = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config), staticSpacesAsImages: true }), {
      SPACEPORT_PUBLIC_URL: 'https://hub.example.org',
    });
    expect((await h.api('POST', '/api/repos/create', { name: 'app', type: 'space', sdk: 'static' })).status).toBe(200);
    expect((await h.api('POST', '/api/repos/create', { name: 'empty', type: 'space', sdk: 'gradio' })).status).toBe(200);
    work = await makeWorkTree({ 'README.md': README, 'index.html': '<h1>hi</h1>' });
    expect((await git(['push', '--force', pushUrl(h.port, 'admin/app', ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    expect((await h.waitStage('admin/app', ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR'])).stage).toBe('RUNNING');
  });
  afterAll(async () => {
    await h?.close();
    await https?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const expectHubHeaders = (headers: Record<string, unknown>, what: string): void => {
    expect(headers['x-content-type-options'], what).toBe('nosniff');
    expect(headers['referrer-policy'], what).toBe('strict-origin-when-cross-origin');
    expect(headers['x-frame-options'], what).toBe('DENY');
    expect(headers['content-security-policy'], what).toBe("frame-ancestors 'none'");
  };

  it('on every hub-host response: API JSON, errors, git', async () => {
    expectHubHeaders((await h.api('GET', '/api/spaces/admin/app')).headers, 'api');
    expectHubHeaders((await h.api('GET', '/api/spaces/admin/nope')).headers, 'api 404');
    expectHubHeaders((await h.api('GET', '/api/spaces/%ff/x/runtime')).headers, 'api 400');
    expectHubHeaders((await request({ port: h.port, path: '/spaces/admin/app/info/refs?service=git-upload-pack', host: `127.0.0.1:${h.port}` })).headers, 'git');
  });

  it('no HSTS over plain http; HSTS when the public URL is https', async () => {
    expect((await h.api('GET', '/api/spaces/admin/app')).headers['strict-transport-security']).toBeUndefined();
    const r = await request({ port: https.port, path: '/api/whoami-v2', host: `127.0.0.1:${https.port}`, token: ADMIN_TOKEN });
    expect(r.headers['strict-transport-security']).toBe('max-age=31536000');
    const page = await request({ port: https.port, path: '/', host: `nobody-here.localhost:${https.port}` });
    expect(page.status).toBe(404);
    expect(page.headers['strict-transport-security']).toBe('max-age=31536000');
  });

  it("on the proxy's own pages (404, 503), framable only by the hub and the Space itself", async () => {
    for (const [sub, status] of [['nobody-here', 404], ['admin-empty', 503]] as const) {
      const r = await h.app(sub, '/');
      expect(r.status, sub).toBe(status);
      expect(r.headers['x-content-type-options'], sub).toBe('nosniff');
      expect(r.headers['referrer-policy'], sub).toBe('strict-origin-when-cross-origin');
      // The hub, at any host it answers on (public URL, loopback), and the Space's own origin: nothing else.
      expect(r.headers['content-security-policy'], sub).toBe(
        `frame-ancestors 'self' http://localhost:* https://localhost:* ${new URL(h.config.publicUrl).origin} http://127.0.0.1:* https://127.0.0.1:*`,
      );
      expect(r.headers['x-frame-options'], sub).toBeUndefined();
      expect(r.headers['strict-transport-security'], sub).toBeUndefined();
    }
  });

  it("never on an app's own response", async () => {
    const r = await h.app('admin-app', '/');
    expect(r.status).toBe(200);
    for (const name of ['x-content-type-options', 'referrer-policy', 'x-frame-options', 'content-security-policy', 'strict-transport-security']) {
      expect(r.headers[name], name).toBeUndefined();
    }
  });
});
