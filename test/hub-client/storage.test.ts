import { afterAll, beforeAll, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { runHubScript } from '../support/hub-client.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

/** huggingface_hub 1.x's storage calls (create_repo(space_storage=…), request/delete_space_storage) against Spaceport. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
});
afterAll(async () => h?.close());

it('huggingface_hub requests, upgrades and deletes storage as on the Hub', async () => {
  const seen = await runHubScript(h, 'check_storage_api.py');
  expect(seen).toEqual({
    created: 'small',
    upgraded: 'medium',
    downgrade: true,
    deleted: null,
    delete_again: 'BadRequestError',
    info: null,
  });
}, 120_000);
