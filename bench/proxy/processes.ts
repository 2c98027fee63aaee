import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import http from 'node:http';

/** A child process we started and must stop. */
export interface Child {
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Every child still running, so a failure or a signal can stop them all (`stopAll`). */
const running = new Set<ChildProcess>();

function track(proc: ChildProcess, cmd: string): void {
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  // A spawn failure (ENOENT, EACCES) is an 'error' event: without a listener it crashes the
  // benchmark before its cleanup runs. Record it; readiness checks then fail and clean up.
  proc.once('error', (err) => {
    running.delete(proc);
    process.stderr.write(`${cmd}: ${err.message}\n`);
  });
}

/** Stop every child this process started and has not stopped yet. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => stopProcess(p)));
}

/** Spawn (argv array, no shell) and wait until its first stdout line; returns the child and that line. */
export async function spawnUntilLine(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<{ child: Child; line: string }> {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd });
  track(proc, cmd);
  const child: Child = { proc, stop: () => stopProcess(proc) };
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`${cmd} did not start in time: ${stderr}`)), opts.timeoutMs ?? 20_000);
      proc.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl !== -1) {
          clearTimeout(timer);
          resolve(out.slice(0, nl));
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${cmd} exited with ${code}: ${stderr}`));
      });
      proc.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`${cmd} could not start: ${err.message}`));
      });
    });
    proc.stdout?.resume();
    return { child, line };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

/** Spawn a long-running process that prints nothing useful; the caller checks readiness. */
export function spawnQuiet(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Child {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: env ?? process.env });
  track(proc, cmd);
  proc.stderr?.resume();
  return { proc, stop: () => stopProcess(proc) };
}

/** SIGTERM, then SIGKILL after 3 s; resolves when the process has exited. */
export function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 3000);
    proc.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

/** A loopback port that was free a moment ago (for tools that need a port in their config). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Reply {
  status: number;
  body: string;
}

/** One HTTP request on loopback with an explicit Host header (fetch would drop it). */
export function request(
  port: number,
  opts: { host: string; path?: string; method?: string; headers?: Record<string, string>; body?: string },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: opts.path ?? '/', method: opts.method ?? 'GET', headers: { ...opts.headers, host: opts.host }, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Poll until `check` resolves true (bounded). */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error('timed out waiting for readiness');
    await new Promise((r) => setTimeout(r, 100));
  }
}
