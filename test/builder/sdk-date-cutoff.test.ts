import { afterAll, describe, expect, it } from 'vitest';
import { COLD_BUILD_MS, DockerSpace, SETTLED } from '../support/docker-space.js';
import { fixtureSpace } from '../support/fixture-spaces.js';

/**
 * Issue 19: a Space created today that pins `sdk_version: 4.44.1` (test/fixtures/spaces/
 * gradio4441-created-today, pushed unchanged, real Docker engine and package index). Resolved as
 * of its commit (today) it gets today's huggingface_hub and fails at start with ImportError
 * `HfFolder`; resolved as of the Gradio release plus a window it runs, and the build log says so.
 * The second Spaceport turns the release-date lookup off: the failure the change fixes.
 */
const spaces: DockerSpace[] = [];
afterAll(async () => {
  for (const s of spaces) await s.close();
});

async function buildFixture(env: Record<string, string>) {
  const s = new DockerSpace('sdkdate');
  spaces.push(s);
  await s.start('gradio', fixtureSpace('gradio4441-created-today'), env);
  await s.push();
  const rt = await s.h.waitStage(s.space, SETTLED, COLD_BUILD_MS);
  return { s, rt, log: await s.buildLog() };
}

describe('old SDK pins resolve at the SDK release date (issue 19)', () => {
  it('gradio 4.44.1 pinned in a Space created today builds and runs: packages as of its release plus 30 days', async () => {
    const { rt, log } = await buildFixture({});
    expect(log).toMatch(/Python packages as of 2024-\d\d-\d\dT[\d:]+\+00:00: gradio 4\.44\.1 \(sdk_version\) was released on 2024-/);
    expect(rt.stage, `${rt.errorMessage}\n${log.slice(-3000)}`).toBe('RUNNING');
  }, COLD_BUILD_MS + 60_000);

  it('without the release-date lookup (as before) it resolves as of today and fails with ImportError HfFolder', async () => {
    const { rt, log } = await buildFixture({ SPACEPORT_PYPI_SIMPLE_URL: 'off' });
    expect(log).toContain('the date of the last commit that changed');
    expect(rt.stage).toBe('RUNTIME_ERROR');
    expect(rt.errorMessage).toContain('HfFolder');
  }, COLD_BUILD_MS + 60_000);
});
