import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { request } from '../support/http.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

/** Names are checked at the edge with the Hub's rules; traversal-looking names never reach the disk. */
describe('space name validation', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
  });
  afterAll(async () => h?.close());

  it.each([
    ['..', 'must not contain'],
    ['../etc', 'may contain only'],
    ['a/b', 'may contain only'],
    ['a--b', 'must not contain "--"'],
    ['a..b', 'must not contain'],
    ['-lead', 'must not start or end'],
    ['trail.', 'must not start or end'],
    ['x'.repeat(97), 'at most 96'],
    ['spaced name', 'may contain only'],
    ['%2e%2e', 'may contain only'],
  ])('refuses to create %j', async (name, why) => {
    const r = await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'static' });
    expect(r.status).toBe(400);
    expect(r.headers['x-error-code']).toBe('InvalidName');
    expect(r.json().error).toContain(why);
  });

  it('refuses a bad organization the same way', async () => {
    const r = await h.api('POST', '/api/repos/create', { name: 'ok', organization: '../root', type: 'space', sdk: 'static' });
    expect(r.status).toBe(400);
    expect(r.headers['x-error-code']).toBe('InvalidName');
  });

  it('names every bad field of a create body', async () => {
    const r = await h.api('POST', '/api/repos/create', { name: 'ok', type: 'model', sdk: 'flask' });
    expect(r.status).toBe(400);
    expect(r.headers['x-error-code']).toBe('BadRequest');
    expect(r.json().error).toContain('"type"');
    expect(r.json().error).toContain('"sdk"');
  });

  it('accepts the Hub examples and maps their subdomains', async () => {
    for (const [name, sub] of [['Qwen2.5-Max-Demo', 'admin-qwen2-5-max-demo'], ['tmp_test_space', 'admin-tmp-test-space']]) {
      const r = await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'static' });
      expect(r.status, r.body).toBe(200);
      expect((await h.api('GET', `/api/spaces/admin/${name}`)).json().subdomain).toBe(sub);
    }
  });

  it('rejects traversal in API and git paths without touching the disk', async () => {
    for (const p of ['/api/spaces/admin/..%2F..%2Fetc/runtime', '/api/spaces/..%2f/x/runtime']) {
      const r = await h.api('GET', p);
      expect([400, 404], p).toContain(r.status);
      expect(r.headers['x-error-code'], p).toMatch(/InvalidName|RepoNotFound|NotFound/);
    }
    const g = await request({ port: h.port, path: '/spaces/admin/..%2f..%2fetc/info/refs?service=git-upload-pack' });
    expect([400, 404]).toContain(g.status);
  });

  it('answers unknown JSON and bad JSON with 400, never 500', async () => {
    const r = await request({ port: h.port, path: '/api/repos/create', method: 'POST', body: '{nope', token: 'sp_test_admin_token_0123456789' });
    expect(r.status).toBe(400);
    expect(r.headers['x-error-code']).toBe('BadRequest');
  });
});
