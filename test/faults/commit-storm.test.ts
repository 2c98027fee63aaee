import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitFiles, git, gitOk, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, waitFor } from '../support/http.js';
import { SpaceportProcess, freePort } from '../support/spaceport-process.js';
import { TEST_IMAGE, TEST_IMAGE_PORT, ensureTestImage } from '../support/test-image.js';
import { removeInstanceLeftovers } from '../support/instance-leftovers.js';

/**
 * Issue 15, "the process dies on one race": commits that superseded a build while the builder
 * opened its BuildKit session ended the process (and every Space's proxy with it). Here 100
 * commits, each with an LFS file, are pushed one after the other as fast as stock git and git lfs
 * go, to a real Spaceport process building with the real Docker engine: the process must stay up
 * through all of it, and the last commit's build must be the one that serves.
 */
const RUN = randomBytes(3).toString('hex');
const TOKEN = `sp_fault_storm_${RUN}_0123456789`;
const INSTANCE = `fs-${RUN}`;
const NAME = `storm-${RUN}`;
const SPACE = `admin/${NAME}`;
const SUB = `admin-${NAME}`;
const COMMITS = 100;

describe('a storm of 100 pushes with LFS files (real process, real engine)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'spaceport-fault-storm-'));
  const docker = new Dockerode();
  let sp: SpaceportProcess;
  let port: number;
  let work: string;

  const served = async (): Promise<string | undefined> => {
    const r = await request({ port, host: `${SUB}.localhost:${port}`, path: '/version.txt', timeoutMs: 5_000 }).catch(() => undefined);
    return r?.status === 200 ? r.body.trim() : undefined;
  };

  beforeAll(async () => {
    await ensureTestImage(docker);
    port = await freePort();
    sp = new SpaceportProcess({ port, dataDir, token: TOKEN, env: { SPACEPORT_INSTANCE_NAME: INSTANCE } });
    await sp.start();
    expect((await sp.api('POST', '/api/repos/create', { name: NAME, type: 'space', sdk: 'docker' })).status).toBe(200);
    // A context of a few hundred files: the build's tar stream is still reading when a push supersedes it.
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`data/f${i}.txt`, `${i}\n`.repeat(500)]));
    work = await makeWorkTree({
      'README.md': `---\ntitle: Storm\nsdk: docker\napp_port: ${TEST_IMAGE_PORT}\n---\n`,
      Dockerfile: `FROM ${TEST_IMAGE}\nCOPY version.txt /www/version.txt\nCOPY blobs/ /blobs/\nCMD ["/app/start.sh"]\n`,
      'version.txt': 'v-initial\n',
      'blobs/.keep': '',
      ...many,
    });
    await gitOk(['lfs', 'install', '--local'], work);
    await gitOk(['lfs', 'track', 'blobs/*.bin'], work);
    await commitFiles(work, {}, 'track blobs with LFS');
  }, 400_000);

  afterAll(async () => {
    await sp?.kill();
    await removeInstanceLeftovers(docker, INSTANCE);
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/${SUB}*`] } })) await docker.getImage(img.Id).remove({ force: true }).catch(() => undefined);
    if (work) rmSync(work, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stays up through the storm, and the last commit serves', async () => {
    // The commits first (each with a new LFS file and version), then one push per commit, in order.
    const shas: string[] = [];
    for (let i = 0; i < COMMITS; i++) {
      shas.push(await commitFiles(work, { 'version.txt': `v${i}-${RUN}\n`, [`blobs/b${i}.bin`]: randomBytes(32 * 1024) }, `v${i}`));
    }
    const started = Date.now();
    for (const [i, sha] of shas.entries()) {
      const push = await git(['push', '-q', '--force', pushUrl(port, SPACE, TOKEN), `${sha}:refs/heads/main`], work);
      expect(push.code, `push ${i}: ${push.stderr}`).toBe(0);
      expect(sp.alive, `the process after push ${i}`).toBe(true);
    }
    const seconds = (Date.now() - started) / 1000;
    // The figure, for the report (not asserted: speed belongs in bench/).
    process.stdout.write(`commit storm: ${COMMITS} pushes with LFS in ${seconds.toFixed(1)} s\n`);

    const last = `v${COMMITS - 1}-${RUN}`;
    await waitFor('the last commit serving', async () => {
      expect(sp.alive).toBe(true);
      return (await served()) === last ? true : undefined;
    }, 600_000, 500);
    expect(sp.alive).toBe(true);
    const repo = path.join(dataDir, 'repos', 'admin', `${NAME}.git`);
    expect(execFileSync('git', ['--git-dir', repo, 'rev-parse', 'main'], { encoding: 'utf8' }).trim()).toBe(shas.at(-1));
    const rt = (await sp.api('GET', `/api/spaces/${SPACE}/runtime`)).json<{ stage: string; sha?: string }>();
    expect(rt.stage).toBe('RUNNING');
    // The engine still builds after the storm (its BuildKit once stopped answering after one: every
    // later build hung until dockerd restarted): a commit with a new build step serves in time.
    const after = await commitFiles(work, {
      Dockerfile: `FROM ${TEST_IMAGE}\nRUN echo after-${RUN} > /after.txt\nCOPY version.txt /www/version.txt\nCMD ["/app/start.sh"]\n`,
      'version.txt': `after-${RUN}\n`,
    }, 'after the storm');
    expect((await git(['push', '-q', '--force', pushUrl(port, SPACE, TOKEN), `${after}:refs/heads/main`], work)).code).toBe(0);
    await waitFor('a build after the storm serving', async () => ((await served()) === `after-${RUN}` ? true : undefined), 240_000, 500);
    const log = readFileSync(path.join(dataDir, 'spaceport.log'), 'utf8');
    expect(log).not.toMatch(/uncaught|unhandled/i);
  }, 900_000);
});
