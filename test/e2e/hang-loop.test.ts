import { afterAll, beforeAll, expect, it } from 'vitest';
import { COLD_BUILD_MS, DockerSpace } from '../support/docker-space.js';
import { fixtureSpace } from '../support/fixture-spaces.js';

/**
 * An app that answers HTTP for three seconds and then hangs with its container up (a deadlock:
 * test/fixtures/spaces/hang-after-ready, pushed unchanged, on the real Docker engine). The
 * readiness probe stops once the app answers, so without a liveness check it stayed RUNNING for
 * good. With one (probes every second here, three failures make a hang) each hang is restarted
 * like a crash, and repeated hangs are RUNTIME_ERROR with a message that says the app stopped answering.
 */
const s = new DockerSpace('hangloop');

beforeAll(async () => {
  await s.start('docker', fixtureSpace('hang-after-ready'), {
    SPACEPORT_LIVENESS_PERIOD_SECONDS: '1',
    SPACEPORT_LIVENESS_TIMEOUT_SECONDS: '1',
    SPACEPORT_LIVENESS_FAILURES: '3',
  });
});

afterAll(async () => {
  await s.close();
});

it('an app that hangs after ready is restarted, and repeated hangs are RUNTIME_ERROR saying it stopped answering', async () => {
  await s.push();
  // Built and started (it answers for three seconds at each start).
  await s.h.waitStage(s.space, ['RUNNING', 'RUNTIME_ERROR', 'BUILD_ERROR', 'CONFIG_ERROR'], COLD_BUILD_MS);
  // Three hangs (each about three seconds of answering, three failed probes, a growing restart delay) take well under this.
  const rt = await s.h.waitStage(s.space, ['RUNTIME_ERROR', 'BUILD_ERROR', 'CONFIG_ERROR'], 180_000);
  expect(rt.stage, rt.errorMessage).toBe('RUNTIME_ERROR');
  expect(rt.errorMessage).toContain('The app stopped answering HTTP while its container kept running');
  // The app's own last lines follow: it did run and answer before it hung.
  expect(rt.errorMessage).toContain('holds the request lock for good');
  // Restarted (not given up on): the container is there, and it has been started more than once.
  const [c] = await s.containers();
  expect(c).toBeDefined();
  const info = await s.docker.getContainer(c!.Id).inspect();
  expect(info.State.Running || info.Name.endsWith('.stopped')).toBe(true);
}, COLD_BUILD_MS + 240_000);
