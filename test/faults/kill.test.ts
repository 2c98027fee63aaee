import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fsckRepos, storeIntegrity } from '../support/fault-checks.js';
import { commitFiles, git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, waitFor } from '../support/http.js';
import { SpaceportProcess, freePort } from '../support/spaceport-process.js';
import { TEST_IMAGE, TEST_IMAGE_PORT, ensureTestImage } from '../support/test-image.js';
import { removeInstanceLeftovers } from '../support/instance-leftovers.js';

/**
 * `kill -9` of Spaceport during a push, a wake and a redeploy (a kill during a build is in
 * restart-mid-build.test.ts). After each: a push the client was told succeeded is in the repo, the
 * repo passes `git fsck` and the store `PRAGMA integrity_check`, the Space converges to its repo's
 * head, and it serves again once Spaceport is back.
 */
const RUN = randomBytes(3).toString('hex');
const TOKEN = `sp_fault_kill_${RUN}_0123456789`;
const INSTANCE = `fk-${RUN}`;
const NAME = `kill-${RUN}`;
const SPACE = `admin/${NAME}`;
const SUB = `admin-${NAME}`;
const files = (version: string, extra: Record<string, string | Buffer> = {}) => ({
  'README.md': `---\ntitle: Kill\nsdk: docker\napp_port: ${TEST_IMAGE_PORT}\n---\n`,
  Dockerfile: `FROM ${TEST_IMAGE}\nCOPY version.txt /www/version.txt\nCMD ["/app/start.sh"]\n`,
  'version.txt': `${version}\n`,
  ...extra,
});

/** Pids of `git http-backend` processes serving repos under `dir` (from /proc: their GIT_PROJECT_ROOT). */
function gitBackendsUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes('http-backend') && env.some((e) => e.startsWith(`GIT_PROJECT_ROOT=${dir}`))) pids.push(Number(name));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}

describe('kill -9 of Spaceport', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'spaceport-fault-kill-'));
  const docker = new Dockerode();
  let sp: SpaceportProcess;
  let port: number;
  let work: string;

  const served = async (): Promise<string | undefined> => {
    const r = await request({ port, host: `${SUB}.localhost:${port}`, path: '/version.txt', timeoutMs: 5_000 }).catch(() => undefined);
    return r?.status === 200 ? r.body.trim() : undefined;
  };
  /** The version in the repo's head, read from the bare repo with stock git. */
  const headVersion = (): string => {
    const repo = path.join(dataDir, 'repos', 'admin', `${NAME}.git`);
    return execFileSync('git', ['--git-dir', repo, 'show', 'main:version.txt'], { encoding: 'utf8' }).trim();
  };
  const converged = () => waitFor('serving the repo head', async () => ((await served()) === headVersion() ? true : undefined), 300_000, 200);
  const checkIntact = () => {
    expect(fsckRepos(dataDir)).toBeGreaterThan(0);
    expect(storeIntegrity(dataDir)).toBe('ok');
  };

  beforeAll(async () => {
    await ensureTestImage(docker);
    port = await freePort();
    sp = new SpaceportProcess({ port, dataDir, token: TOKEN, env: { SPACEPORT_INSTANCE_NAME: INSTANCE } });
    await sp.start();
    expect((await sp.api('POST', '/api/repos/create', { name: NAME, type: 'space', sdk: 'docker' })).status).toBe(200);
    work = await makeWorkTree(files('v0'));
    expect((await git(['push', '--force', pushUrl(port, SPACE, TOKEN), 'main'], work)).code).toBe(0);
    await converged();
  }, 400_000);

  afterAll(async () => {
    await sp?.kill();
    await removeInstanceLeftovers(docker, INSTANCE);
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/${SUB}*`] } })) await docker.getImage(img.Id).remove({ force: true }).catch(() => undefined);
    if (work) rmSync(work, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('during a push: what the client was told is there, and the Space converges to the head', async () => {
    // A few kills at different moments of the push (a 4 MiB file makes it last a little).
    for (const [i, delayMs] of [50, 250, 600].entries()) {
      const version = `push-${i}-${RUN}`;
      const commit = await commitFiles(work, { 'version.txt': `${version}\n`, 'blob.bin': randomBytes(4 * 1024 * 1024) }, version);
      const push = git(['push', '--force', pushUrl(port, SPACE, TOKEN), 'main'], work);
      await new Promise((r) => setTimeout(r, delayMs));
      await sp.kill();
      const result = await push;
      // Its git http-backend went with it (none left reading a closed request in a loop).
      expect(gitBackendsUnder(dataDir)).toEqual([]);
      await sp.start();
      const head = (await git(['ls-remote', pushUrl(port, SPACE, TOKEN), 'refs/heads/main'], work)).stdout.split('\t')[0];
      if (result.code === 0) expect(head).toBe(commit);
      await converged();
      checkIntact();
      // The working tree's main must match the remote for the next round: push again (a no-op if it landed).
      expect((await git(['push', '--force', pushUrl(port, SPACE, TOKEN), 'main'], work)).code).toBe(0);
      await converged();
      expect(await served()).toBe(version);
    }
  }, 1_200_000);

  it('during a wake: the Space wakes when Spaceport is back, and serves', async () => {
    await sp.api('POST', `/api/spaces/${SPACE}/sleeptime`, { seconds: 1 });
    await waitFor('asleep', async () => ((await sp.stage(SPACE)).stage === 'SLEEPING' ? true : undefined), 120_000, 200);
    await sp.api('POST', `/api/spaces/${SPACE}/sleeptime`, { seconds: 3600 });
    const held = served(); // a visitor: wakes it
    await new Promise((r) => setTimeout(r, 300));
    await sp.kill();
    await held;
    await sp.start();
    // Either the wake was recorded before the kill (it goes on) or not (asleep): a visit wakes it now.
    await converged();
    expect((await sp.stage(SPACE)).stage).toBe('RUNNING');
    checkIntact();
  }, 400_000);

  it('during a redeploy: the old release serves as soon as Spaceport is back, then the new one', async () => {
    const before = (await served())!;
    const version = `redeploy-${RUN}`;
    await commitFiles(work, { 'version.txt': `${version}\n` }, version);
    expect((await git(['push', '--force', pushUrl(port, SPACE, TOKEN), 'main'], work)).code).toBe(0);
    await waitFor('the new release starting', async () => {
      const stage = (await sp.stage(SPACE)).stage;
      return stage === 'RUNNING_APP_STARTING' || stage === 'RUNNING_BUILDING' ? true : undefined;
    }, 300_000, 20);
    await sp.kill();
    await sp.start();
    const first = await waitFor('serving again', served, 60_000, 100);
    expect([before, version]).toContain(first);
    await converged();
    expect(await served()).toBe(version);
    checkIntact();
    const log = readFileSync(path.join(dataDir, 'spaceport.log'), 'utf8');
    expect(log).not.toContain('app crashed');
  }, 400_000);
});
