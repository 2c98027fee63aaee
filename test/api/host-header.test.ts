import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { trustedHost } from '../../controller/spaces/trusted-host.js';
import { testConfig } from '../../core/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { request } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/** Returned URLs never come from an unchecked Host header (issue 10). */
describe('the Host header and returned URLs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), {
      SPACEPORT_ALLOWED_HOSTS: 'spaceport.internal',
    });
    expect((await h.api('POST', '/api/repos/create', { name: 'hosts', type: 'space', sdk: 'static' })).status).toBe(200);
  });
  afterAll(async () => h?.close());

  const info = (host: string) => request({ port: h.port, path: '/api/spaces/admin/hosts', host, token: ADMIN_TOKEN });

  it('a Host that is not a valid host name gives the configured public URL, not a 500', async () => {
    for (const host of ['<script>.localhost:8080', 'evil.example.com', 'localhost:99999', 'a b']) {
      const r = await info(host);
      expect(r.status, `${host}: ${r.body}`).toBe(200);
      expect(JSON.stringify(r.json())).not.toContain('script');
      expect(JSON.stringify(r.json())).not.toContain('evil');
    }
  });

  it('loopback, the domain and allowed hosts are kept (huggingface_hub compares URLs with its endpoint)', async () => {
    const r = await info(`127.0.0.1:${h.port}`);
    expect(r.status).toBe(200);
    expect(trustedHost(`127.0.0.1:${h.port}`, h.config)).toBe(true);
    const cfg = testConfig({ SPACEPORT_DOMAIN: 'spaces.example.com', SPACEPORT_ALLOWED_HOSTS: 'hub.internal' });
    expect(trustedHost('spaces.example.com', cfg)).toBe(true);
    expect(trustedHost('hub.internal:8443', cfg)).toBe(true);
    expect(trustedHost('[::1]:8080', cfg)).toBe(true);
    expect(trustedHost('other.example.com', cfg)).toBe(false);
    expect(trustedHost('<script>.spaces.example.com', cfg)).toBe(false);
  });
});

/**
 * The natural layout with one wildcard certificate: Spaces under `spaces.acme.test`, the hub at
 * `hub.spaces.acme.test`. The hub host sits under the Spaces domain and once answered 404 to
 * everything (taken for a Space); it is routed to the hub first (issue 18).
 */
describe('a hub host under the Spaces domain', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), {
      SPACEPORT_DOMAIN: 'spaces.acme.test',
      SPACEPORT_PUBLIC_URL: 'http://hub.spaces.acme.test',
    });
  });
  afterAll(async () => h?.close());

  it('is the hub (API, git, pages), whatever its case and port; Space hosts under the domain still go to the proxy', async () => {
    for (const host of ['hub.spaces.acme.test', 'HUB.Spaces.acme.test:80']) {
      const who = await request({ port: h.port, path: '/api/whoami-v2', host, token: ADMIN_TOKEN });
      expect(who.status, `${host}: ${who.body}`).toBe(200);
      expect(who.json<{ name: string }>().name).toBe('admin');
    }
    expect((await h.api('POST', '/api/repos/create', { name: 'under', type: 'space', sdk: 'static' })).status).toBe(200);
    const refs = await request({ port: h.port, path: '/spaces/admin/under/info/refs?service=git-upload-pack', host: 'hub.spaces.acme.test', token: ADMIN_TOKEN });
    expect(refs.status).toBe(200);
    expect(refs.headers['content-type']).toBe('application/x-git-upload-pack-advertisement');
    // A Space's host is the proxy's: its status path answers there, not the API's 404.
    const space = await request({ port: h.port, path: '/.spaceport/status', host: 'admin-under.spaces.acme.test' });
    expect(space.body).toContain('admin/under');
    const api = await request({ port: h.port, path: '/api/whoami-v2', host: 'admin-under.spaces.acme.test', token: ADMIN_TOKEN });
    expect(api.body).not.toContain('"name":"admin"');
  });
});
