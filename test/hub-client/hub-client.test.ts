import { afterAll, beforeAll, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { runHubScript } from '../support/hub-client.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

/** The real huggingface_hub client (PyPI; installed by .ci/run) against Spaceport's API. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
});
afterAll(async () => h?.close());

it('huggingface_hub works against Spaceport unchanged', async () => {
  const seen = await runHubScript(h, 'check_hub_api.py');
  expect(seen).toMatchObject({ whoami: 'admin', stage_new: 'NO_APP_FILE', missing: 'RepositoryNotFoundError' });
}, 120_000);
