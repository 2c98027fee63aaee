import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { waitFor } from '../support/http.js';
import { SpaceportProcess, freePort } from '../support/spaceport-process.js';
import { removeInstanceLeftovers } from '../support/instance-leftovers.js';

/**
 * `spaceport up` killed (SIGKILL) or stopped (SIGTERM: `kubectl delete pod`, `helm upgrade`, a node
 * drain) in the middle of a build: the next start queues the build again before it answers, so a
 * client polling the stage never sees BUILD_ERROR (huggingface_hub's `wait_for_space` would stop
 * there), only BUILDING until the Space runs (issue 10; the graceful stop: issue 18).
 */
const RUN = randomBytes(3).toString('hex');
const TOKEN = `sp_restart_build_${RUN}_0123456789`;
const FILES = (NAME: string) => ({
  'README.md': '---\ntitle: Slow build\nsdk: docker\napp_port: 7860\n---\n',
  Dockerfile: `FROM spaceport/python:3.11\nRUN echo ${NAME} && sleep 8\nCMD ["python3", "-m", "http.server", "7860"]\n`,
});

describe.each(['SIGKILL', 'SIGTERM'] as const)('a restart after %s mid-build', (signal) => {
  const NAME = `slow-${signal.toLowerCase()}-${RUN}`;
  const INSTANCE = `rb-${signal.toLowerCase()}-${RUN}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'spaceport-restart-build-'));
  const docker = new Dockerode();
  let sp: SpaceportProcess;
  let port: number;
  let work: string | undefined;

  const stageOf = async () => (await sp.stage(`admin/${NAME}`)).stage;

  afterAll(async () => {
    await sp?.kill();
    await removeInstanceLeftovers(docker, INSTANCE);
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/admin-${NAME}*`] } })) await docker.getImage(img.Id).remove({ force: true }).catch(() => undefined);
    if (work) rmSync(work, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is BUILDING from the first answer until it runs, never BUILD_ERROR', async () => {
    port = await freePort();
    sp = new SpaceportProcess({ port, dataDir, token: TOKEN, env: { SPACEPORT_INSTANCE_NAME: INSTANCE } });
    await sp.start();
    expect((await sp.api('POST', '/api/repos/create', { name: NAME, type: 'space', sdk: 'docker' })).status).toBe(200);
    work = await makeWorkTree(FILES(NAME));
    expect((await git(['push', '--force', pushUrl(port, `admin/${NAME}`, TOKEN), 'main'], work)).code).toBe(0);
    // Kill it in the Dockerfile's slow step (past any base image making, which must not be cut short).
    await waitFor('the slow build step running', async () => {
      const log = (await sp.api('GET', `/api/spaces/admin/${NAME}/logs/build`).catch(() => undefined))?.body ?? '';
      return log.includes(`echo ${NAME}`) && (await stageOf()) === 'BUILDING' ? true : undefined;
    }, 600_000, 200);
    await sp.kill(signal);

    await sp.start();
    const seen: string[] = [];
    await waitFor('running again', async () => {
      const stage = await stageOf().catch(() => undefined);
      if (stage && seen.at(-1) !== stage) seen.push(stage);
      // BUILD_ERROR ends the wait too: it is the failure this test is for.
      return stage === 'RUNNING' || stage === 'BUILD_ERROR' ? true : undefined;
    }, 900_000, 50);
    expect(seen).not.toContain('BUILD_ERROR');
    expect(seen[0]).toBe('BUILDING');
  }, 1_000_000);
});
