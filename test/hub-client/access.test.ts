import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { hubClientVenvs, runPytest } from '../support/hub-client-venvs.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * test/hub-client/test_settings_orgs.py (pytest) with the real huggingface_hub 1.33.0 and 2.4.0 (with
 * hf_xet), in the venvs of scripts/hub-client-venvs.sh: settings, duplicates, organizations, tokens,
 * private apps with a bearer token, the `hf` CLI.
 */
describe('huggingface_hub: settings, copies, organizations, tokens, private apps, hf CLI', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime({ http: true }), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
  });
  afterAll(async () => h?.close());

  for (const name of ['hf-1.33.0', 'hf-2.4.0-xet']) {
    it(`huggingface_hub in ${name}`, async () => {
      const venv = (await hubClientVenvs()).find((v) => v.name === name)!;
      const r = await runPytest(venv, {
        endpoint: `http://127.0.0.1:${h.port}`,
        token: '',
        hfHome: path.join(h.dataDir, `hf-home-${name}`),
        env: { SPACEPORT_ADMIN_TOKEN: ADMIN_TOKEN },
        files: ['test/hub-client/test_settings_orgs.py'],
        timeoutMs: 600_000,
      });
      expect(r.code, r.out + r.err).toBe(0);
      expect(r.out).toMatch(/\d+ passed/);
    }, 900_000);
  }
});
