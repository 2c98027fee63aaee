import { afterAll, beforeAll, expect, it } from 'vitest';
import { COLD_BUILD_MS, DockerSpace } from '../support/docker-space.js';
import { fixtureSpace } from '../support/fixture-spaces.js';

/**
 * An app that answers HTTP for a few seconds and then exits, at every start
 * (test/fixtures/spaces/crash-after-ready, pushed unchanged, on the real Docker engine): it must
 * end in RUNTIME_ERROR with the crash's last line, and stay there while it keeps restarting and
 * answering for a moment between crashes (it once flipped between RUNNING and APP_STARTING 78
 * times, every restart logged as attempt 1).
 */
const s = new DockerSpace('crashloop');

beforeAll(async () => {
  await s.start('docker', fixtureSpace('crash-after-ready'));
});

afterAll(async () => {
  await s.close();
});

it('a crash loop is RUNTIME_ERROR with the last crash line, and stays so through later restarts', async () => {
  await s.push();
  const rt = await s.h.waitStage(s.space, ['RUNTIME_ERROR', 'BUILD_ERROR', 'CONFIG_ERROR'], COLD_BUILD_MS);
  expect(rt.stage, rt.errorMessage).toBe('RUNTIME_ERROR');
  expect(rt.errorMessage).toContain("cannot import name 'AsyncExitStack'");
  // It restarted and answered before the loop was reported: it did run.
  expect((await s.runLog()) + rt.errorMessage).toContain('serving on 7860');

  // Later restarts (4 s, 8 s apart) answer for three seconds each: the stage does not flip back.
  const seen = new Set<string>();
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const r = await s.h.api('GET', `/api/spaces/${s.space}/runtime`);
    seen.add((JSON.parse(r.body) as { stage: string }).stage);
    await new Promise((res) => setTimeout(res, 250));
  }
  expect([...seen]).toEqual(['RUNTIME_ERROR']);
  // It keeps restarting with growing delays (not given up on).
  const [c] = await s.containers();
  expect(c).toBeDefined();
}, COLD_BUILD_MS + 60_000);
