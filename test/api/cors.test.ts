// Threat and compatibility: the API's CORS policy is the Hub's (any origin may call /api/* from a
// browser with a token; no cookies are ever honoured cross-site), answered to real preflights.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { request } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

describe('API CORS', () => {
  let h: Harness;
  const origin = 'https://app.example.org';
  const call = (method: string, path: string, headers: Record<string, string>, token?: string) =>
    request({ port: h.port, path, method, host: `127.0.0.1:${h.port}`, headers, token });

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    expect((await h.api('POST', '/api/repos/create', { name: 'cors', type: 'space', sdk: 'static' })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers a preflight before authentication: 204, origin, method and headers reflected, no credentials', async () => {
    const r = await call('OPTIONS', '/api/spaces/admin/cors/runtime', {
      origin,
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization, content-type',
    });
    expect(r.status).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe(origin);
    expect(r.headers['access-control-allow-methods']).toBe('GET');
    expect(r.headers['access-control-allow-headers']).toBe('authorization, content-type');
    expect(r.headers['access-control-allow-credentials']).toBeUndefined();
    expect(String(r.headers.vary)).toMatch(/Origin/);
    // A preflight for a write needs no token either (the actual request carries it).
    const put = await call('OPTIONS', '/api/spaces/admin/cors/settings', { origin, 'access-control-request-method': 'POST' });
    expect(put.status).toBe(204);
    expect(put.headers['access-control-allow-methods']).toBe('POST');
  });

  it('does not echo a method the API does not have, nor a header list with junk in it', async () => {
    const r = await call('OPTIONS', '/api/whoami-v2', {
      origin,
      'access-control-request-method': 'TRACE',
      'access-control-request-headers': 'x-ok, bad(header)',
    });
    expect(r.status).toBe(204);
    expect(r.headers['access-control-allow-methods']).toBeUndefined();
    expect(r.headers['access-control-allow-headers']).toBeUndefined();
  });

  it('a cross-origin request with a token gets the origin back and the headers clients read exposed', async () => {
    const r = await call('GET', '/api/spaces/admin/cors', { origin }, ADMIN_TOKEN);
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe(origin);
    expect(r.headers['access-control-allow-credentials']).toBeUndefined();
    const exposed = String(r.headers['access-control-expose-headers']);
    for (const h of ['X-Error-Code', 'X-Error-Message', 'X-Repo-Commit', 'X-Request-Id']) expect(exposed).toContain(h);
    const err = await call('GET', '/api/spaces/admin/nope', { origin });
    expect(err.status).toBe(404);
    expect(err.headers['access-control-allow-origin']).toBe(origin);
  });

  it('a request without Origin gets no CORS grant; an OPTIONS without a requested method is not answered as a preflight', async () => {
    const r = await call('GET', '/api/spaces/admin/cors', {});
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    const plain = await call('OPTIONS', '/api/spaces/admin/cors', { origin });
    expect(plain.status).not.toBe(204);
    expect(plain.headers['access-control-allow-methods']).toBeUndefined();
  });
});
