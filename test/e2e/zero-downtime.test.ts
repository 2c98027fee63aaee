import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerSpace } from '../support/docker-space.js';
import { commitFiles } from '../support/git-client.js';
import { request, waitFor } from '../support/http.js';

/**
 * A new version of a running Space goes live with no failed request: a client hitting the Space
 * every 100 ms from before the push until after the switch sees only 200s, and the answer changes
 * from the old version to the new one exactly once. The app (test/fixtures/slow-start-app) takes
 * 2 s to start, so the old version must carry traffic while the new one starts, then drain.
 */
const FIXTURE = path.join(import.meta.dirname, '..', 'fixtures', 'slow-start-app');
const RUN_ID = randomBytes(4).toString('hex');
const V1 = `version 1 ${RUN_ID}`;
const V2 = `version 2 ${RUN_ID}`;
const MAX_REQUESTS = 3_000;

interface Seen {
  status: number;
  body: string;
}

describe('zero-downtime redeploy on Docker', () => {
  const s = new DockerSpace('zd');

  beforeAll(async () => {
    const files = Object.fromEntries(['README.md', 'Dockerfile', 'app.py'].map((f) => [f, readFileSync(path.join(FIXTURE, f))]));
    await s.start('docker', { ...files, 'message.txt': `${V1}\n` });
    const rt = await s.pushAndSettle(600_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
    expect((await s.h.app(s.sub, '/')).body.trim()).toBe(V1);
  }, 660_000);

  afterAll(async () => {
    await s.close();
  });

  it('a client polling every 100 ms through the push sees only 200s and one switch from old to new', async () => {
    const seen: Seen[] = [];
    const stages: string[] = [];
    let stop = false;
    const host = `${s.sub}.localhost:${s.h.port}`;
    const poll = (async () => {
      while (!stop && seen.length < MAX_REQUESTS) {
        const next = Date.now() + 100;
        try {
          const r = await request({ port: s.h.port, host, path: '/', timeoutMs: 10_000 });
          seen.push({ status: r.status, body: r.body.trim() });
        } catch (err) {
          seen.push({ status: 0, body: String(err) });
        }
        await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      }
    })();
    const watchStages = (async () => {
      while (!stop && stages.length < MAX_REQUESTS) {
        const stage = (await s.h.stage(s.space)).stage;
        if (stages.at(-1) !== stage) stages.push(stage);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    try {
      await waitFor('a few answers from the old version', async () => (seen.length >= 10 ? true : undefined), 30_000, 50);
      await commitFiles(s.work, { 'message.txt': `${V2}\n` }, 'v2');
      await s.push();
      await waitFor('the new version answering', async () => (seen.at(-1)?.body === V2 ? true : undefined), 300_000, 50);
      expect((await s.h.waitStage(s.space, ['RUNNING'], 60_000)).stage).toBe('RUNNING');
      // Keep going past the drain period, while the old container is removed.
      await waitFor('one container left', async () => ((await s.containers()).length === 1 ? true : undefined), 60_000);
      const after = seen.length;
      await waitFor('more answers after the switch', async () => (seen.length >= after + 20 ? true : undefined), 30_000, 50);
    } finally {
      stop = true;
      await Promise.all([poll, watchStages]);
    }

    const bad = seen.map((r, i) => ({ i, ...r })).filter((r) => r.status !== 200);
    expect(bad, JSON.stringify(bad.slice(0, 5))).toEqual([]);
    const versions = seen.map((r) => r.body).filter((b, i, all) => i === 0 || all[i - 1] !== b);
    expect(versions).toEqual([V1, V2]);
    // The old version carried traffic while the new one was starting.
    expect(stages).toContain('RUNNING_APP_STARTING');
    expect(stages.at(-1)).toBe('RUNNING');
  }, 480_000);
});
