import { spawn } from 'node:child_process';

/** Whether this host can wake Spaces from memory snapshots, and if not, why (said once in the log at start). */
export type SnapshotSupport = { kind: 'on'; criu: string; version: string } | { kind: 'off'; reason: string };

export interface CommandResult {
  /** Exit code, or null when the program did not start or was killed at the deadline. */
  code: number | null;
  output: string;
  /** Set when the program could not be started (`ENOENT`, `EACCES`). */
  startError?: string;
}

/** Runs a program with an argument vector (never a shell), with a deadline. A seam for the unit tests. */
export type RunCommand = (cmd: string, args: string[], timeoutMs: number) => Promise<CommandResult>;

export const runCommand: RunCommand = (cmd, args, timeoutMs) =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let output = '';
    const take = (chunk: Buffer) => {
      if (output.length < 64 * 1024) output += chunk.toString('utf8');
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (err: NodeJS.ErrnoException) => resolve({ code: null, output, startError: err.code ?? err.message }));
    child.on('close', (code) => resolve({ code, output }));
  });

export interface SnapshotSupportOptions {
  setting: 'auto' | 'off';
  /** SPACEPORT_RUNTIME: snapshots exist only for the Docker runtime so far. */
  runtime: 'docker' | 'kubernetes';
  /** SPACEPORT_CRIU, else `criu` on PATH. */
  criu?: string;
  run?: RunCommand;
  timeoutMs?: number;
}

/** The line of CRIU's output that says what went wrong (its `Error (file:line): …` lines), trimmed. */
function criuProblem(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => l.startsWith('Error')) ?? lines.at(-1) ?? 'no output';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * `auto` turns snapshots on when the CRIU binary starts, says its version, and `criu check` passes
 * (it needs root, a kernel with the checkpoint features, and a CRIU that knows this kernel); `runc`,
 * which drives CRIU for containers, must be there too.
 */
export async function detectSnapshotSupport(options: SnapshotSupportOptions): Promise<SnapshotSupport> {
  if (options.setting === 'off') return { kind: 'off', reason: 'SPACEPORT_SNAPSHOTS=off' };
  if (options.runtime !== 'docker') return { kind: 'off', reason: `not built for the ${options.runtime} runtime yet (ARCHITECTURE.md, "Snapshot wake")` };
  const run = options.run ?? runCommand;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const criu = options.criu ?? 'criu';
  const how = options.criu ? 'SPACEPORT_CRIU' : 'criu on PATH';
  const version = await run(criu, ['--version'], timeoutMs);
  if (version.startError) return { kind: 'off', reason: `no CRIU to run (${how}: ${version.startError}); make up builds one (scripts/criu/ensure-criu.sh)` };
  const v = /Version:\s*(\S+)/.exec(version.output)?.[1];
  if (version.code !== 0 || !v) return { kind: 'off', reason: `${how} does not answer --version: ${criuProblem(version.output)}` };
  const check = await run(criu, ['check'], timeoutMs);
  if (check.code !== 0) return { kind: 'off', reason: `criu check failed (CRIU ${v}): ${criuProblem(check.output)}` };
  const runc = await run('runc', ['--version'], timeoutMs);
  if (runc.startError || runc.code !== 0) return { kind: 'off', reason: `runc is missing (${runc.startError ?? criuProblem(runc.output)}); it drives CRIU for containers` };
  return { kind: 'on', criu, version: v };
}
