import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../controller/build/index.js';
import { FakeRuntime } from '../controller/runtime/index.js';
import { FakeImageBuilder } from './support/fake-image-builder.js';
import { ADMIN_TOKEN, startHarness, type Harness } from './support/spaceport-harness.js';

/**
 * test/hub-client/test_settings_orgs.py (pytest) with the real huggingface_hub: 1.33.0 (the system
 * python, installed by .ci/run) and 2.4.0 with hf_xet (a venv cached outside the repo, made here when
 * missing). Settings, duplicates, organizations, tokens, private apps with a bearer token, `hf` CLI.
 */
const VENV_240 = path.join(homedir(), '.cache', 'spaceport-tools', 'venvs', 'hf-2.4.0-access');

function ensureVenv240(): string {
  const python = path.join(VENV_240, 'bin', 'python');
  if (existsSync(path.join(VENV_240, '.ready'))) return python;
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  };
  run('python3', ['-m', 'venv', VENV_240]);
  run(path.join(VENV_240, 'bin', 'pip'), ['install', '-q', 'huggingface_hub==2.4.0', 'hf_xet', 'pytest']);
  run('touch', [path.join(VENV_240, '.ready')]);
  return python;
}

function pytest(h: Harness, python: string): Promise<{ code: number; out: string }> {
  const file = path.join(import.meta.dirname, 'hub-client', 'test_settings_orgs.py');
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-m', 'pytest', '-q', '-x', '-p', 'no:cacheprovider', file], {
      env: {
        ...process.env,
        HF_ENDPOINT: `http://127.0.0.1:${h.port}`,
        SPACEPORT_ADMIN_TOKEN: ADMIN_TOKEN,
        HF_TOKEN: '',
        HF_HUB_DISABLE_TELEMETRY: '1',
        PYTHONDONTWRITEBYTECODE: '1',
        HF_HOME: path.join(h.dataDir, `hf-home-${path.basename(path.dirname(path.dirname(python)))}`),
      },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe('huggingface_hub: settings, copies, organizations, tokens, private apps, hf CLI', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime({ http: true }), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
  });
  afterAll(async () => h?.close());

  it('huggingface_hub 1.33.0 (system python)', async () => {
    const r = await pytest(h, 'python3');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/\d+ passed/);
  }, 300_000);

  it('huggingface_hub 2.4.0 with hf_xet (venv)', async () => {
    const python = ensureVenv240();
    const version = spawnSync(python, ['-c', 'import huggingface_hub, hf_xet; print(huggingface_hub.__version__)'], { encoding: 'utf8' }).stdout.trim();
    expect(version).toBe('2.4.0');
    const r = await pytest(h, python);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/\d+ passed/);
  }, 900_000);
});
