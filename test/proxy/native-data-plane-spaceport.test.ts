// Spaceport with SPACEPORT_DATA_PLANE=haproxy: HAProxy takes the public port, the hub and every cold
// request reach Spaceport behind it (with the client's address), and HAProxy stops with Spaceport.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';
import { request } from './harness.js';

describe('Spaceport with the native data plane (SPACEPORT_DATA_PLANE=haproxy)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), {
      SPACEPORT_DATA_PLANE: 'haproxy',
    });
  });
  afterAll(async () => h?.close());

  it('HAProxy holds the public port; the hub answers through it, with its own headers', async () => {
    expect(existsSync(path.join(h.dataDir, 'haproxy', 'admin.sock'))).toBe(true);
    const r = await h.api('GET', '/api/whoami-v2');
    expect(r.status).toBe(200);
    expect(r.headers['x-request-id']).toBeTruthy();
  });

  it('an unknown Space host gets Spaceport\'s 404 page through HAProxy', async () => {
    const r = await request(h.port, { host: 'nobody-here.localhost' });
    expect(r.status).toBe(404);
    expect(r.body).toContain('<!doctype html>');
  });

  it('stops HAProxy with Spaceport', async () => {
    const port = h.port;
    await h.sp.close();
    await expect(request(port, { host: 'nobody-here.localhost' })).rejects.toThrow(/ECONNREFUSED|ECONNRESET/);
  });
});
