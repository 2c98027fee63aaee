import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

/** Invalid percent-encodings in path parameters are a 400 with an error code, never a 500 (issue 10). */
describe('bad percent-encoding in API paths', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
  });
  afterAll(async () => h?.close());

  for (const path of ['/api/spaces/%ff/x/runtime', '/api/spaces/by-subdomain/%E0%A4%A', '/api/spaces/alice/%C0%AF', '/api/spaces/%/x']) {
    it(`GET ${path} is a 400 BadRequest`, async () => {
      const r = await h.api('GET', path);
      expect(r.status).toBe(400);
      expect(r.headers['x-error-code']).toBe('BadRequest');
      expect(r.json().error).toMatch(/path is not valid/);
    });
  }
});
