import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { runCaptured, venvScriptEnv } from '../support/hub-client.js';
import { hubClientVenvs, type HubClientVenv } from '../support/hub-client-venvs.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * Issue 19: `cardData` and `tags` come from the pushed README at push time, not after a successful
 * build. Every build is held here, so what the real huggingface_hub sees is read while it runs.
 */
describe('cardData and tags at push time (issue 19)', () => {
  let h: Harness;
  let venvs: HubClientVenv[];
  let builder: FakeImageBuilder;
  const dirs: string[] = [];

  beforeAll(async () => {
    venvs = await hubClientVenvs();
    builder = new FakeImageBuilder();
    builder.hold = true;
    // Static Spaces through the (held) image builder, so that each check runs while a build does.
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder, plan: planFromBuilder(config), staticSpacesAsImages: true }));
  }, 15 * 60_000);

  afterAll(async () => {
    builder?.release();
    await h?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const [i, name] of ['hf-1.33.0', 'hf-2.4.0-xet'].entries()) {
    it(`huggingface_hub ${name}: space_info's card_data and tags are the pushed README's while the build runs`, async () => {
      const venv = venvs.find((v) => v.name === name)!;
      const home = mkdtempSync(path.join(tmpdir(), 'spaceport-card-'));
      dirs.push(home);
      const r = await runCaptured(venv.python, [path.join(import.meta.dirname, 'check_card_at_push.py')], venvScriptEnv(venv, { port: h.port, home, token: ADMIN_TOKEN }, { SPACEPORT_PREFIX: `card${i}` }));
      expect(r.code, `${r.out}\n${r.err}`).toBe(0);
      const seen = JSON.parse(r.out.trim().split('\n').pop()!) as Record<string, Record<string, unknown>>;
      expect(seen.created).toMatchObject({ title: `card${i}-card`, stage: 'BUILDING' });
      expect(seen.first_push).toEqual({ title: 'First', card_tags: ['alpha', 'beta'], tags: ['alpha', 'beta'], stage: 'BUILDING' });
      expect(seen.second_push).toEqual({ title: 'Second', card_tags: ['gamma'], tags: ['gamma'], stage: 'BUILDING' });
    }, 5 * 60_000);
  }
});
