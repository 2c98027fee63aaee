import { spawn } from 'node:child_process';
import path from 'node:path';

/** One huggingface_hub version in its own venv (scripts/hub-client-venvs.sh), and how the suite runs it. */
export interface HubClientVenv {
  name: string;
  python: string;
  /** Extra environment: HF_HUB_DISABLE_XET only for 1.x; 2.x runs with hf_xet on, as users have it. */
  env: Record<string, string>;
}

const ROOT = path.join(import.meta.dirname, '..', '..');

function run(cmd: string, args: string[], env: Record<string, string | undefined>, timeoutMs: number): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out, err });
    });
  });
}

/** Make (or reuse, cached by version outside the repo) the two client venvs. */
export async function hubClientVenvs(): Promise<HubClientVenv[]> {
  const r = await run('bash', ['scripts/hub-client-venvs.sh'], process.env, 15 * 60_000);
  if (r.code !== 0) throw new Error(`scripts/hub-client-venvs.sh failed (${r.code}):\n${r.err}`);
  const dirs = r.out.trim().split('\n');
  const find = (name: string) => {
    const dir = dirs.find((d) => path.basename(d) === name);
    if (!dir) throw new Error(`scripts/hub-client-venvs.sh did not print ${name}: ${r.out}`);
    return path.join(dir, 'bin', 'python');
  };
  return [
    { name: 'hf-1.33.0', python: find('hf-1.33.0'), env: { HF_HUB_DISABLE_XET: '1' } },
    { name: 'hf-2.4.0-xet', python: find('hf-2.4.0-xet'), env: {} },
  ];
}

/** The Python of the gradio_client venv (made by the same script, cached the same way). */
export async function gradioClientPython(): Promise<string> {
  const r = await run('bash', ['scripts/hub-client-venvs.sh'], process.env, 15 * 60_000);
  if (r.code !== 0) throw new Error(`scripts/hub-client-venvs.sh failed (${r.code}):\n${r.err}`);
  const dir = r.out.trim().split('\n').find((d) => path.basename(d) === 'gradio-client-2.7.2');
  if (!dir) throw new Error(`scripts/hub-client-venvs.sh did not print gradio-client-2.7.2: ${r.out}`);
  return path.join(dir, 'bin', 'python');
}

/**
 * Run pytest on `test/hub-client/pytest` (or the given files) in a venv against a Spaceport.
 * Resolves with pytest's exit code and output (the caller fails on a non-zero code).
 */
export function runPytest(venv: HubClientVenv, opts: { endpoint: string; token: string; hfHome: string; env?: Record<string, string>; files?: string[]; timeoutMs: number }) {
  const env: Record<string, string | undefined> = {
    PATH: `${path.dirname(venv.python)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    HF_ENDPOINT: opts.endpoint,
    HF_TOKEN: opts.token,
    HF_HOME: opts.hfHome,
    HF_HUB_DISABLE_TELEMETRY: '1',
    HF_HUB_DISABLE_UPDATE_CHECK: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    ...venv.env,
    ...opts.env,
  };
  const files = opts.files ?? ['test/hub-client/pytest'];
  return run(venv.python, ['-m', 'pytest', '-p', 'no:cacheprovider', '-rfEs', '-v', ...files], env, opts.timeoutMs);
}
