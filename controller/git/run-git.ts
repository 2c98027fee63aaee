import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { SpaceportError, hidePaths, renderMessage } from '../../core/index.js';
import { redactCredentials } from './redact.js';

/** A git command that failed: the command (credentials redacted), its exit code and stderr. */
export class GitCommandError extends SpaceportError {
  readonly command: string[];
  readonly exitCode: number | null;
  readonly stderr: string;
  readonly timedOut: boolean;

  constructor(opts: { command: string[]; exitCode: number | null; stderr: string; timedOut?: boolean; cause?: unknown }) {
    const command = opts.command.map(redactCredentials);
    const stderr = redactCredentials(opts.stderr);
    // The message may reach a client: no paths of the server in it (the fields keep them, for logs).
    const detail = hidePaths(stderr.trim().split('\n').slice(-5).join('\n'));
    const { code, message } = renderMessage('gitCommandFailed', { command: hidePaths(command.join(' ')), timedOut: opts.timedOut ?? false, exitCode: opts.exitCode, detail });
    super(code, message, { cause: opts.cause });
    this.name = 'GitCommandError';
    this.command = command;
    this.exitCode = opts.exitCode;
    this.stderr = stderr;
    this.timedOut = opts.timedOut ?? false;
  }
}

export interface RunGitOptions {
  /** Runs as `git --git-dir=<gitDir> …`. */
  gitDir?: string;
  cwd?: string;
  /** Extra environment on top of {@link gitEnv}. */
  env?: Record<string, string>;
  input?: string | Buffer;
  /** Kill the process (SIGKILL) and fail after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Exit codes that are answers, not failures (`rev-parse --verify --quiet` exits 1 for "no such ref"). */
  okExitCodes?: number[];
}

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];

/**
 * The environment every git process gets: a few inherited variables (never the controller's secrets),
 * `C` locale for stable messages, and no prompts. `node` is first on PATH so our hooks find it.
 */
export function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED) {
    const v = process.env[key];
    if (v !== undefined) env[key] = v;
  }
  env.PATH = [path.dirname(process.execPath), env.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(path.delimiter);
  env.LC_ALL = 'C';
  env.GIT_TERMINAL_PROMPT = '0';
  return { ...env, ...extra };
}

function argvOf(args: string[], opts: RunGitOptions): string[] {
  return opts.gitDir === undefined ? args : [`--git-dir=${opts.gitDir}`, ...args];
}

export type GitChild = ChildProcessByStdio<Writable, Readable, Readable>;

const closed = new WeakSet<GitChild>();

/**
 * Start git with an argv array (never a shell); for callers that stream stdout. It runs in its own
 * process group so {@link killGit} also stops its helpers (`git-remote-https`, `upload-pack`, …).
 */
export function spawnGit(args: string[], opts: Omit<RunGitOptions, 'timeoutMs' | 'okExitCodes' | 'input'> = {}): GitChild {
  const child = spawn('git', argvOf(args, opts), {
    cwd: opts.cwd,
    env: gitEnv(opts.env),
    stdio: ['pipe', 'pipe', 'pipe'],
    shell: false,
    detached: true,
  });
  child.on('close', () => closed.add(child));
  if (opts.signal) {
    const signal = opts.signal;
    const onAbort = (): void => killGit(child);
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      child.on('close', () => signal.removeEventListener('abort', onAbort));
    }
  }
  return child;
}

/** Kill a git started by {@link spawnGit} and every process it started. */
export function killGit(child: GitChild, signal: NodeJS.Signals = 'SIGKILL'): void {
  // After 'close' every process holding git's pipes is gone, and the group id may be reused.
  if (child.pid !== undefined && !closed.has(child)) tryKill(-child.pid, signal);
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

/** Run git to completion, collecting stdout and stderr. Throws {@link GitCommandError} on failure. */
export function runGit(args: string[], opts: RunGitOptions = {}): Promise<GitResult> {
  const argv = argvOf(args, opts);
  return new Promise<GitResult>((resolve, reject) => {
    const child = spawnGit(args, opts);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            killGit(child);
          }, opts.timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {
      /* git may exit before reading all input; its exit code tells what happened */
    });
    child.on('error', (cause) => {
      if (timer) clearTimeout(timer);
      reject(new GitCommandError({ command: argv, exitCode: null, stderr: Buffer.concat(err).toString(), cause }));
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      const stderr = Buffer.concat(err).toString();
      if (opts.signal?.aborted) {
        reject(new GitCommandError({ command: argv, exitCode: code, stderr, cause: opts.signal.reason }));
      } else if (code === 0 || (code !== null && !timedOut && opts.okExitCodes?.includes(code))) {
        resolve({ stdout: Buffer.concat(out), stderr, exitCode: code });
      } else {
        reject(new GitCommandError({ command: argv, exitCode: code, stderr, timedOut }));
      }
    });
    child.stdin.end(opts.input ?? '');
  });
}
