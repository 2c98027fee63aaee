import { spawn } from 'node:child_process';

export interface RunCommandOptions {
  /** Variables added to the inherited environment (e.g. `http_proxy`). */
  extraEnv?: Record<string, string>;
  signal?: AbortSignal;
  /** Each output line (stdout and stderr), without its newline. */
  onLine?: (line: string) => void;
}

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last output lines, for error messages. */
  tail: string[];
}

/** Run a program with an argv array (never a shell) and collect its exit status and last lines. */
export function runCommand(cmd: string, args: readonly string[], opts: RunCommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.extraEnv ? { ...process.env, ...opts.extraEnv } : undefined,
      stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal });
    const tail: string[] = [];
    const onText = (() => {
      const partial = { out: '', err: '' };
      return (which: 'out' | 'err', text: string) => {
        const parts = (partial[which] + text).split('\n');
        partial[which] = parts.pop() ?? '';
        for (const line of parts) {
          tail.push(line);
          if (tail.length > 30) tail.shift();
          opts.onLine?.(line);
        }
      };
    })();
    child.stdout.setEncoding('utf8').on('data', (t: string) => onText('out', t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => onText('err', t));
    // `on`, not `once`: a kill after an abort may report a second error, which must find a listener too.
    child.on('error', reject);
    child.once('close', (code, sig) => resolve({ code, signal: sig, tail }));
  });
}
