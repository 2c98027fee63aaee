import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppPoller, fsckRepos, storeIntegrity } from '../support/fault-checks.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, waitFor } from '../support/http.js';
import { OwnDockerEngine } from '../support/own-docker-engine.js';
import { SpaceportProcess, freePort } from '../support/spaceport-process.js';
import { TEST_IMAGE, TEST_IMAGE_PORT, ensureTestImage } from '../support/test-image.js';

/**
 * A Docker engine restart (on an engine of the test's own: the shared one is never restarted).
 * The engine stops every container with SIGTERM as it shuts down; those are not app crashes
 * (issue 10: after Ctrl-C on `make up` stopped the engine, every Space was logged `app crashed;
 * restarting`). They are started again quietly, with no crash backoff, no failure, no lost push,
 * the repo and the store intact, and the app serving again once the engine is back.
 */
const RUN = randomBytes(3).toString('hex');
const TOKEN = `sp_engine_restart_${RUN}_0123456789`;
const INSTANCE = `er-${RUN}`;
const NAME = `engine-${RUN}`;
const SPACE = `admin/${NAME}`;
const FILES = {
  'README.md': `---\ntitle: Engine restart\nsdk: docker\napp_port: ${TEST_IMAGE_PORT}\n---\n`,
  Dockerfile: `FROM ${TEST_IMAGE}\nCMD ["/app/start.sh"]\n`,
};

describe('a Docker engine restart', () => {
  const engine = new OwnDockerEngine('er');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'spaceport-engine-restart-'));
  let sp: SpaceportProcess;
  let port: number;
  let work: string | undefined;
  const host = () => `admin-${NAME}.localhost:${port}`;
  const log = () => readFileSync(path.join(dataDir, 'spaceport.log'), 'utf8');
  const appAnswers = async () => ((await request({ port, host: host(), path: '/', timeoutMs: 5_000 }).catch(() => undefined))?.status === 200 ? true : undefined);
  const running = async () => ((await sp.stage(SPACE).catch(() => undefined))?.stage === 'RUNNING' ? true : undefined);

  beforeAll(async () => {
    await engine.start();
    await ensureTestImage(engine.docker);
    port = await freePort();
    sp = new SpaceportProcess({ port, dataDir, token: TOKEN, env: { SPACEPORT_INSTANCE_NAME: INSTANCE, DOCKER_HOST: engine.dockerHost } });
    await sp.start();
    expect((await sp.api('POST', '/api/repos/create', { name: NAME, type: 'space', sdk: 'docker' })).status).toBe(200);
    work = await makeWorkTree(FILES);
    expect((await git(['push', '--force', pushUrl(port, SPACE, TOKEN), 'main'], work)).code).toBe(0);
    await waitFor('the Space running', running, 600_000, 200);
    await waitFor('the app answering', appAnswers, 60_000, 100);
  }, 700_000);

  afterAll(async () => {
    await sp?.kill();
    await engine.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('while Spaceport runs: the app is started again quietly, and serves once the engine is back', async () => {
    const poller = new AppPoller({ port: () => port, host: host() });
    poller.start();
    await engine.restart();
    const back = Date.now();
    await waitFor('the app answering after the engine restart', appAnswers, 120_000, 100);
    await poller.stop();
    expect(poller.failures.length).toBeGreaterThan(0); // the fault was real: the app was down meanwhile
    expect((await sp.stage(SPACE)).stage).toBe('RUNNING');
    expect(log()).not.toContain('app crashed');
    expect(log()).not.toContain('app failed to start');
    expect(back).toBeGreaterThan(0);
  }, 300_000);

  it('while Spaceport is down (Ctrl-C on `make up`): the next start adopts and starts it, no crash', async () => {
    await sp.kill();
    await engine.restart();
    const before = log().length;
    await sp.start();
    await waitFor('running after the restart', running, 120_000, 100);
    await waitFor('the app answering', appAnswers, 120_000, 100);
    const after = log().slice(before);
    expect(after).not.toContain('app crashed');
    expect(after).not.toContain('app failed to start');
    // Nothing was rebuilt: the stored release was started again.
    expect((await sp.api('GET', `/api/spaces/${SPACE}/runtime`)).json().stage).toBe('RUNNING');
  }, 300_000);

  it('leaves the repo and the store intact', async () => {
    await sp.kill();
    expect(fsckRepos(dataDir)).toBeGreaterThan(0);
    expect(storeIntegrity(dataDir)).toBe('ok');
  });
});
