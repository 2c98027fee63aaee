import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';
import { postSignIn } from '../support/web-session.js';

/** `spaceport passwd NAME`: the password from standard input, then a web sign-in with it. */
describe('spaceport passwd', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'spaceport-passwd-'));
  let h: Harness | undefined;
  afterAll(async () => {
    await h?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const passwd = (args: string[], input: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'cli/spaceport.ts', 'passwd', ...args, '--data-dir', dataDir], { input, encoding: 'utf8', timeout: 60_000 });

  it('creates the user with the password read from stdin, and refuses a short one', async () => {
    const ok = passwd(['erin'], 'erin-password-1\n');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Created user "erin"');
    expect(ok.stdout).not.toContain('erin-password-1');
    const weak = passwd(['erin'], 'short\n');
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain('at least 8 characters');

    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), { SPACEPORT_DATA_DIR: dataDir });
    expect((await postSignIn(h.port, 'erin', 'erin-password-1')).res.status).toBe(303);
    expect((await postSignIn(h.port, 'erin', 'short')).res.status).toBe(401);
  }, 180_000);
});
