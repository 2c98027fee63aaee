import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { git, makeWorkTree, pushUrl } from './support/git-client.js';
import { request, waitFor } from './support/http.js';

/**
 * `spaceport up` killed (SIGKILL) in the middle of a build: the next start queues the build again
 * before it answers, so a client polling the stage never sees BUILD_ERROR (huggingface_hub's
 * `wait_for_space` would stop there), only BUILDING until the Space runs (issue 10).
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const RUN = randomBytes(3).toString('hex');
const TOKEN = `sp_restart_build_${RUN}_0123456789`;
const INSTANCE = `rb-${RUN}`;
const NAME = `slow-${RUN}`;
const FILES = {
  'README.md': '---\ntitle: Slow build\nsdk: docker\napp_port: 7860\n---\n',
  Dockerfile: `FROM spaceport/python:3.11\nRUN echo ${RUN} && sleep 8\nCMD ["python3", "-m", "http.server", "7860"]\n`,
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

describe('a restart after a crash mid-build', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'spaceport-restart-build-'));
  const docker = new Dockerode();
  let child: ChildProcess | undefined;
  let port: number;
  let work: string | undefined;

  const stageOf = async () => (await request({ port, path: `/api/spaces/admin/${NAME}/runtime`, token: TOKEN, host: `127.0.0.1:${port}` })).json<{ stage: string }>().stage;

  function start(): void {
    const log = openSync(path.join(dataDir, 'spaceport.log'), 'a');
    child = spawn(process.execPath, ['--import', 'tsx', 'cli/spaceport.ts', 'up'], {
      cwd: ROOT,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        SPACEPORT_PORT: String(port),
        SPACEPORT_HOST: '127.0.0.1',
        SPACEPORT_DATA_DIR: dataDir,
        SPACEPORT_ADMIN_TOKEN: TOKEN,
        SPACEPORT_INSTANCE_NAME: INSTANCE,
        SPACEPORT_PREPARE_BASE_IMAGES: 'false',
      },
    });
  }

  function kill(): Promise<void> {
    const c = child!;
    child = undefined;
    return new Promise((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  }

  afterAll(async () => {
    if (child) await kill();
    for (const c of await docker.listContainers({ all: true, filters: { name: [INSTANCE] } })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/admin-${NAME}*`] } })) await docker.getImage(img.Id).remove({ force: true }).catch(() => undefined);
    if (work) rmSync(work, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is BUILDING from the first answer until it runs, never BUILD_ERROR', async () => {
    port = await freePort();
    start();
    await waitFor('spaceport answering', async () => ((await request({ port, path: '/healthz', host: `127.0.0.1:${port}` }).catch(() => undefined))?.status === 200 ? true : undefined), 60_000, 100);
    expect((await request({ port, path: '/api/repos/create', method: 'POST', body: { name: NAME, type: 'space', sdk: 'docker' }, token: TOKEN, host: `127.0.0.1:${port}` })).status).toBe(200);
    work = await makeWorkTree(FILES);
    expect((await git(['push', pushUrl(port, `admin/${NAME}`, TOKEN), 'main'], work)).code).toBe(0);
    // Kill it in the Dockerfile's slow step (past any base image making, which must not be cut short).
    await waitFor('the slow build step running', async () => {
      const log = (await request({ port, path: `/api/spaces/admin/${NAME}/logs/build`, token: TOKEN, host: `127.0.0.1:${port}`, timeoutMs: 5_000 }).catch(() => undefined))?.body ?? '';
      return log.includes(`echo ${RUN}`) && (await stageOf()) === 'BUILDING' ? true : undefined;
    }, 600_000, 200);
    await kill();

    start();
    const seen: string[] = [];
    await waitFor('running again', async () => {
      const stage = await stageOf().catch(() => undefined);
      if (stage && seen.at(-1) !== stage) seen.push(stage);
      return stage === 'RUNNING' ? true : undefined;
    }, 900_000, 50);
    expect(seen).not.toContain('BUILD_ERROR');
    expect(seen[0]).toBe('BUILDING');
  }, 1_000_000);
});
