import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { dockerAdapters } from '../../controller/docker-adapters.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';
import { TEST_IMAGE, TEST_IMAGE_PORT, ensureTestImage } from '../support/test-image.js';
import { requestHerd } from '../support/wake-herd.js';
import { removeInstanceLeftovers } from '../support/instance-leftovers.js';

/**
 * A herd of clients at a sleeping Space (issue 10, "load held"): one wake, every request answered
 * by the app, none failed. `make bench-wake-herd` runs the same with 1,000.
 */
const N = Number(process.env.WAKE_HERD_N ?? 200);
const INSTANCE = `wh-${randomBytes(3).toString('hex')}`;
const NAME = `herd-${randomBytes(3).toString('hex')}`;
const SPACE = `admin/${NAME}`;
const SUB = `admin-${NAME}`;

describe('a herd of requests to a sleeping Space', () => {
  const docker = new Dockerode();
  let h: Harness;
  let work: string;

  beforeAll(async () => {
    await ensureTestImage(docker);
    h = await startHarness((config) => dockerAdapters(config, silentLogger()), { SPACEPORT_INSTANCE_NAME: INSTANCE });
    work = await makeWorkTree({
      'README.md': `---\nsdk: docker\napp_port: ${TEST_IMAGE_PORT}\n---\n`,
      Dockerfile: `FROM ${TEST_IMAGE}\nCMD ["/app/start.sh"]\n`,
    });
    expect((await h.api('POST', '/api/repos/create', { name: NAME, type: 'space', sdk: 'docker' })).status).toBe(200);
    expect((await git(['push', '--force', pushUrl(h.port, SPACE, ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    const rt = await h.waitStage(SPACE, ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR'], 300_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
    await h.api('POST', `/api/spaces/${SPACE}/sleeptime`, { seconds: 1 });
    await h.waitStage(SPACE, ['SLEEPING'], 60_000);
    await h.api('POST', `/api/spaces/${SPACE}/sleeptime`, { seconds: 600 });
  }, 400_000);

  afterAll(async () => {
    await h?.close();
    await removeInstanceLeftovers(docker, INSTANCE);
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/${SUB}*`] } })) await docker.getImage(img.Id).remove({ force: true }).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  it(`${N} concurrent requests: one wake, ${N} answers from the app, no error`, async () => {
    expect((await h.stage(SPACE)).stage).toBe('SLEEPING');
    const r = await requestHerd({ docker, port: h.port, subdomain: SUB, space: SPACE, n: N, expect: (b) => b.includes('spaceport test app') });
    expect(r.other).toEqual({});
    expect(r.ok).toBe(N);
    expect(r.starts).toBe(1);
    expect((await h.stage(SPACE)).stage).toBe('RUNNING');
  }, 300_000);
});
