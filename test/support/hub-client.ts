import { spawn } from 'node:child_process';
import path from 'node:path';
import { ADMIN_TOKEN, type Harness } from './spaceport-harness.js';

/** A command's exit code and output, collected whole (for client CLIs and scripts under test). */
export function runCaptured(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

/**
 * The environment of a script run in one of the huggingface_hub venvs against Spaceport on `port`
 * (its own HOME and HF_HOME, telemetry and update checks off), plus `extra`.
 */
export function venvScriptEnv(venv: { python: string; env: Record<string, string> }, o: { port: number; home: string; token: string }, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: `${path.dirname(venv.python)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: o.home,
    HF_HOME: o.home,
    HF_ENDPOINT: `http://127.0.0.1:${o.port}`,
    HF_TOKEN: o.token,
    HF_HUB_DISABLE_TELEMETRY: '1',
    HF_HUB_DISABLE_UPDATE_CHECK: '1',
    ...extra,
    ...venv.env,
  };
}

/**
 * Run one of the huggingface_hub scripts in test/hub-client/ against a harness (HF_ENDPOINT and
 * the admin token set, telemetry and Xet off); resolves the JSON object its last line prints.
 */
export async function runHubScript(h: Harness, name: string): Promise<Record<string, unknown>> {
  const script = path.join(import.meta.dirname, '..', 'hub-client', name);
  const result = await runCaptured('python3', [script], { ...process.env, HF_ENDPOINT: `http://127.0.0.1:${h.port}`, HF_TOKEN: ADMIN_TOKEN, HF_HUB_DISABLE_TELEMETRY: '1', HF_HUB_DISABLE_XET: '1' });
  if (result.code !== 0) throw new Error(`${name} exited with ${result.code}:\n${result.err}`);
  return JSON.parse(result.out.trim().split('\n').pop()!) as Record<string, unknown>;
}
