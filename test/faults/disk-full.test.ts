import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync, writeSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppPoller, fsckRepos, storeIntegrity } from '../support/fault-checks.js';
import { commitFiles, git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, waitFor } from '../support/http.js';
import { SpaceportProcess, freePort } from '../support/spaceport-process.js';
import { TEST_IMAGE, TEST_IMAGE_PORT, ensureTestImage } from '../support/test-image.js';
import { removeInstanceLeftovers } from '../support/instance-leftovers.js';

/**
 * The data dir's disk full (a small tmpfs of the test's own) during a push and during a build:
 * Spaceport stays up, the running version keeps serving, a push the client was told succeeded is
 * there, the repo and the store are intact, and once there is room again the Space converges.
 */
const RUN = randomBytes(3).toString('hex');
const TOKEN = `sp_disk_full_${RUN}_0123456789`;
const INSTANCE = `df-${RUN}`;
const NAME = `disk-${RUN}`;
const SPACE = `admin/${NAME}`;
const SUB = `admin-${NAME}`;
const MOUNT = `/tmp/spaceport-diskfull-${RUN}`;
const files = (version: string) => ({
  'README.md': `---\ntitle: Disk\nsdk: docker\napp_port: ${TEST_IMAGE_PORT}\n---\n`,
  Dockerfile: `FROM ${TEST_IMAGE}\nCOPY version.txt /www/version.txt\nRUN echo building ${version} && sleep 4 && echo done\nCMD ["/app/start.sh"]\n`,
  'version.txt': `${version}\n`,
});

/** Fill the file system under `dir` to the last byte; returns the filler's path. */
function fill(dir: string): string {
  const file = path.join(dir, `filler-${randomBytes(3).toString('hex')}`);
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  // Then the last partial chunk.
  try {
    for (;;) writeSync(fd, Buffer.alloc(512));
  } catch {
    // full
  }
  closeSync(fd);
  return file;
}

describe('the disk full', () => {
  const docker = new Dockerode();
  const dataDir = path.join(MOUNT, 'data');
  let sp: SpaceportProcess;
  let port: number;
  let work: string;
  let logFile: string;

  const served = async (): Promise<string | undefined> => {
    const r = await request({ port, host: `${SUB}.localhost:${port}`, path: '/version.txt', timeoutMs: 5_000 }).catch(() => undefined);
    return r?.status === 200 ? r.body.trim() : undefined;
  };
  const headVersion = (): string =>
    execFileSync('git', ['--git-dir', path.join(dataDir, 'repos', 'admin', `${NAME}.git`), 'show', 'main:version.txt'], { encoding: 'utf8' }).trim();
  const alive = async () => (await sp.api('GET', '/api/whoami-v2')).status;

  beforeAll(async () => {
    await ensureTestImage(docker);
    mkdirSync(MOUNT, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', MOUNT]);
    mkdirSync(dataDir);
    port = await freePort();
    // Its log outside the full disk (an operator's terminal or journal), so it shows what happened.
    logFile = path.join(tmpdir(), `spaceport-diskfull-${RUN}.log`);
    sp = new SpaceportProcess({ port, dataDir, token: TOKEN, env: { SPACEPORT_INSTANCE_NAME: INSTANCE }, logFile });
    await sp.start();
    expect((await sp.api('POST', '/api/repos/create', { name: NAME, type: 'space', sdk: 'docker' })).status).toBe(200);
    work = await makeWorkTree(files('v1'));
    expect((await git(['push', '--force', pushUrl(port, SPACE, TOKEN), 'main'], work)).code).toBe(0);
    await waitFor('v1 served', async () => ((await served()) === 'v1' ? true : undefined), 300_000, 200);
  }, 400_000);

  afterAll(async () => {
    let log = '';
    try {
      log = readFileSync(logFile, 'utf8');
    } catch {
      // gone
    }
    await sp?.kill();
    await removeInstanceLeftovers(docker, INSTANCE);
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/${SUB}*`] } })) await docker.getImage(img.Id).remove({ force: true }).catch(() => undefined);
    try {
      execFileSync('umount', ['-l', MOUNT]);
    } catch {
      // not mounted
    }
    rmSync(MOUNT, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
    if (process.env.SPACEPORT_TEST_LOG) process.stderr.write(log.slice(-20_000));
    rmSync(logFile, { force: true });
  });

  it('during a push: the push fails or lands whole, v1 keeps serving, and a push after freeing room goes live', async () => {
    const poller = new AppPoller({ port: () => port, host: `${SUB}.localhost:${port}`, path: '/version.txt', expect: (b) => b.trim() === 'v1' });
    poller.start();
    const filler = fill(MOUNT);
    await commitFiles(work, { ...files('v2'), 'blob.bin': randomBytes(2 * 1024 * 1024) }, 'v2');
    const push = await git(['push', '--force', pushUrl(port, SPACE, TOKEN), 'main'], work);
    expect(await alive()).toBe(200);
    await new Promise((r) => setTimeout(r, 2000));
    await poller.stop();
    expect(poller.failures).toEqual([]);
    rmSync(filler);
    if (push.code === 0) expect(headVersion()).toBe('v2');
    expect(fsckRepos(dataDir)).toBeGreaterThan(0);
    expect(storeIntegrity(dataDir)).toBe('ok');
    // Room again: the same push goes through (or is already there) and goes live.
    expect((await git(['push', '--force', pushUrl(port, SPACE, TOKEN), 'main'], work)).code).toBe(0);
    if (push.code === 0) await sp.api('POST', `/api/spaces/${SPACE}/restart`);
    await waitFor('v2 served', async () => ((await served()) === 'v2' ? true : undefined), 300_000, 200);
  }, 600_000);

  it('during a build: Spaceport stays up, v2 keeps serving, and after freeing room a restart builds and serves v3', async () => {
    await commitFiles(work, files('v3'), 'v3');
    expect((await git(['push', '--force', pushUrl(port, SPACE, TOKEN), 'main'], work)).code).toBe(0);
    await waitFor('the build running', async () => {
      const log = (await sp.api('GET', `/api/spaces/${SPACE}/logs/build`).catch(() => undefined))?.body ?? '';
      return log.includes('building v3') ? true : undefined;
    }, 300_000, 100);
    const poller = new AppPoller({ port: () => port, host: `${SUB}.localhost:${port}`, path: '/version.txt', expect: (b) => b.trim() === 'v2' });
    poller.start();
    const filler = fill(MOUNT);
    const buildOver = async () => {
      const stage = (await sp.stage(SPACE).catch(() => undefined))?.stage;
      return stage && stage !== 'RUNNING_BUILDING' && stage !== 'BUILDING' ? stage : undefined;
    };
    // The build ends, or fails and waits for room to record its failure (the store refuses every
    // write while the disk is full): either way Spaceport stays up and v2 keeps serving meanwhile.
    const filledAt = Date.now();
    await waitFor('the build over, or waiting for room', async () => (await buildOver()) ?? (Date.now() - filledAt > 20_000 ? 'waiting' : undefined), 300_000, 200);
    expect(await alive()).toBe(200);
    await poller.stop();
    // v2 served throughout (until v3, if the build managed to finish and switch).
    const v3Now = (await served()) === 'v3';
    if (!v3Now) expect(poller.failures).toEqual([]);
    rmSync(filler);
    // Room again: a build that was waiting records its end; none stays BUILDING.
    await waitFor('the build over once there is room', buildOver, 300_000, 200);
    expect(fsckRepos(dataDir)).toBeGreaterThan(0);
    expect(storeIntegrity(dataDir)).toBe('ok');
    if (!v3Now) expect((await sp.api('POST', `/api/spaces/${SPACE}/restart`)).status).toBe(200);
    await waitFor('v3 served', async () => ((await served()) === 'v3' ? true : undefined), 300_000, 200);
  }, 600_000);
});
