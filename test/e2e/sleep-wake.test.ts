import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '../../core/index.js';
import { dockerAdapters } from '../../controller/docker-adapters.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { waitFor } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';
import { herdWakesOnce } from '../support/wake-cases.js';

/**
 * Sleep, wake, pause and restart with the real engine and the real proxy, on a docker Space
 * (`app_port: 9000`) whose app also echoes websockets.
 */
const INSTANCE = `sw-${randomBytes(3).toString('hex')}`;
const NAME = `ws-${randomBytes(3).toString('hex')}`;
const SPACE = `admin/${NAME}`;
const SUB = `admin-${NAME}`;
const FIXTURE = path.join(import.meta.dirname, '..', 'fixtures', 'ws-app');

describe('sleep and wake on Docker', () => {
  let h: Harness;
  let work: string;
  const docker = new Dockerode();
  const containers = () => docker.listContainers({ all: true, filters: { label: [`spaceport.space=${SPACE}`], name: [INSTANCE] } });

  /** Starts of this Space's containers reported by the engine since `since` (epoch ms). */
  async function startsSince(sinceMs: number): Promise<number> {
    const stream = (await docker.getEvents({
      since: (sinceMs / 1000).toFixed(3) as unknown as number,
      until: Math.ceil(Date.now() / 1000) + 1,
      filters: { type: ['container'], event: ['start'], label: [`spaceport.space=${SPACE}`] },
    })) as NodeJS.ReadableStream;
    let text = '';
    for await (const chunk of stream) text += chunk.toString();
    return text.split('\n').filter((l) => l.trim()).length;
  }

  beforeAll(async () => {
    h = await startHarness((config) => dockerAdapters(config, silentLogger()), { SPACEPORT_INSTANCE_NAME: INSTANCE });
    work = await makeWorkTree(Object.fromEntries(['README.md', 'Dockerfile', 'app.py'].map((f) => [f, readFileSync(path.join(FIXTURE, f))])));
    expect((await h.api('POST', '/api/repos/create', { name: NAME, type: 'space', sdk: 'docker' })).status).toBe(200);
    const push = await git(['push', '--force', pushUrl(h.port, SPACE, ADMIN_TOKEN), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    const rt = await h.waitStage(SPACE, ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR', 'CONFIG_ERROR', 'NO_APP_FILE'], 480_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
  }, 600_000);

  afterAll(async () => {
    await h?.api('DELETE', '/api/repos/delete', { name: NAME, type: 'space' });
    await h?.close();
    for (const c of await docker.listContainers({ all: true, filters: { name: [INSTANCE] } })) await docker.getContainer(c.Id).remove({ force: true });
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/${SUB}*`] } })) await docker.getImage(img.Id).remove({ force: true }).catch(() => {});
    rmSync(work, { recursive: true, force: true });
  });

  it('serves the docker Space on its app_port', async () => {
    const r = await h.app(SUB, '/');
    expect(r.status).toBe(200);
    expect(r.body).toContain(`hello from ${SPACE}`);
  });

  it('an open websocket exchanging data keeps the Space awake; idle, it sleeps with no running container', async () => {
    const rt = await h.api('POST', `/api/spaces/${SPACE}/sleeptime`, { seconds: 3 });
    expect(rt.json().gcTimeout).toBe(3);
    const ws = new WebSocket(`ws://127.0.0.1:${h.port}/ws`, { headers: { host: `${SUB}.localhost:${h.port}` } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let echoes = 0;
    ws.on('message', () => echoes++);
    const until = Date.now() + 7_000;
    while (Date.now() < until) {
      ws.send('tick');
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(echoes).toBeGreaterThan(8);
    expect((await h.stage(SPACE)).stage).toBe('RUNNING');
    ws.close();

    const stopped = await h.waitStage(SPACE, ['SLEEPING'], 20_000);
    expect(stopped.stage).toBe('SLEEPING');
    const list = await containers();
    expect(list).toHaveLength(1);
    expect(list[0]!.State).not.toBe('running');
  }, 60_000);

  it('100 concurrent requests wake it once and all get the app', async () => {
    await h.api('POST', `/api/spaces/${SPACE}/sleeptime`, { seconds: 300 });
    // The case test/snapshots/wake-suites.test.ts runs with snapshots on.
    await herdWakesOnce({ h, docker, space: SPACE, subdomain: SUB, marker: `hello from ${SPACE}` }, 100);
  }, 180_000);

  it('a browser visiting a sleeping Space gets the waking page at once', async () => {
    await h.api('POST', `/api/spaces/${SPACE}/sleeptime`, { seconds: 1 });
    await h.waitStage(SPACE, ['SLEEPING'], 20_000);
    const page = await h.app(SUB, '/', { accept: 'text/html,application/xhtml+xml' });
    expect(page.status).toBe(503);
    expect(page.headers['retry-after']).toBeDefined();
    expect(page.body.toLowerCase()).toContain('waking');
    await h.waitStage(SPACE, ['RUNNING'], 60_000);
    await h.api('POST', `/api/spaces/${SPACE}/sleeptime`, { seconds: 300 });
    expect((await h.app(SUB, '/')).status).toBe(200);
  }, 120_000);

  it('a paused Space is not woken by visits; restart brings it back', async () => {
    const paused = await h.api('POST', `/api/spaces/${SPACE}/pause`);
    expect(paused.json().stage).toBe('PAUSED');
    await waitFor('container stopped', async () => ((await containers()).every((c) => c.State !== 'running') ? true : undefined), 20_000);
    const since = Date.now();
    const visit = await h.app(SUB, '/');
    expect(visit.status).toBe(503);
    expect(visit.body.toLowerCase()).toContain('paused');
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await h.stage(SPACE)).stage).toBe('PAUSED');
    expect(await startsSince(since)).toBe(0);

    const anon = await h.api('POST', `/api/spaces/${SPACE}/restart`, undefined, null);
    expect(anon.status).toBe(401);
    expect((await h.api('POST', `/api/spaces/${SPACE}/restart`)).status).toBe(200);
    await h.waitStage(SPACE, ['RUNNING'], 60_000);
    expect((await h.app(SUB, '/')).status).toBe(200);
  }, 120_000);
});
