import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { dockerAdapters } from '../../controller/docker-adapters.js';
import { COLD_BUILD_MS } from '../support/docker-space.js';
import { hubClientVenvs, runPytest, type HubClientVenv } from '../support/hub-client-venvs.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * The Python suite (test/hub-client/pytest): the real huggingface_hub from PyPI, 1.33.0 and 2.4.0 with
 * hf_xet, each in its own venv, against a Spaceport on the real Docker engine (gradio built by BuildKit).
 */
const RUN = randomBytes(2).toString('hex');
const PREFIX = `hfp${RUN}`;
const INSTANCE = `hfpytest-${RUN}`;

describe('huggingface_hub (pytest, 1.x and 2.x) against Spaceport on Docker', () => {
  let h: Harness;
  let venvs: HubClientVenv[];
  const homes: string[] = [];
  const docker = new Dockerode();

  beforeAll(async () => {
    venvs = await hubClientVenvs();
    h = await startHarness((config) => dockerAdapters(config, silentLogger()), { SPACEPORT_INSTANCE_NAME: INSTANCE });
  }, 20 * 60_000);

  afterAll(async () => {
    await h?.close();
    for (const c of await docker.listContainers({ all: true, filters: { name: [INSTANCE] } })) {
      await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/admin-${PREFIX}-*`] } })) {
      await docker.getImage(img.Id).remove({ force: true }).catch(() => undefined);
    }
    for (const d of homes) rmSync(d, { recursive: true, force: true });
  }, 120_000);

  for (const name of ['hf-1.33.0', 'hf-2.4.0-xet']) {
    it(`passes with ${name}`, async () => {
      const venv = venvs.find((v) => v.name === name)!;
      const hfHome = mkdtempSync(path.join(tmpdir(), `spaceport-hfhome-${name}-`));
      homes.push(hfHome);
      const r = await runPytest(venv, {
        endpoint: `http://127.0.0.1:${h.port}`,
        token: ADMIN_TOKEN,
        hfHome,
        env: { SPACEPORT_PYTEST_PREFIX: PREFIX, SPACEPORT_PYTEST_BUILD_TIMEOUT: String(COLD_BUILD_MS / 1000) },
        timeoutMs: COLD_BUILD_MS + 10 * 60_000,
      });
      expect(r.code, `${r.out}\n${r.err}`).toBe(0);
      expect(r.out).toMatch(/\d+ passed/);
    }, COLD_BUILD_MS + 12 * 60_000);
  }
});
