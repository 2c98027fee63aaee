import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { planFromBuilder } from '../controller/build/index.js';
import { FakeRuntime } from '../controller/runtime/index.js';
import { FakeImageBuilder } from './support/fake-image-builder.js';
import { ADMIN_TOKEN, startHarness, type Harness } from './support/spaceport-harness.js';

/** huggingface_hub 1.x's storage calls (create_repo(space_storage=…), request/delete_space_storage) against Spaceport. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
});
afterAll(async () => h?.close());

it('huggingface_hub requests, upgrades and deletes storage as on the Hub', async () => {
  const script = path.join(import.meta.dirname, 'hub-client', 'check_storage_api.py');
  const result = await new Promise<{ code: number; out: string; err: string }>((resolve, reject) => {
    const child = spawn('python3', [script], {
      env: { ...process.env, HF_ENDPOINT: `http://127.0.0.1:${h.port}`, HF_TOKEN: ADMIN_TOKEN, HF_HUB_DISABLE_TELEMETRY: '1', HF_HUB_DISABLE_XET: '1' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
  expect(result.code, result.err).toBe(0);
  expect(JSON.parse(result.out.trim().split('\n').pop()!)).toEqual({
    created: 'small',
    upgraded: 'medium',
    downgrade: true,
    deleted: null,
    delete_again: 'BadRequestError',
    info: null,
  });
}, 120_000);
