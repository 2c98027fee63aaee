import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { fail } from '../../core/errors.js';
import { diesWithParent } from '../../core/dies-with-parent.js';
import { HaproxyRuntimeApi } from './haproxy-runtime-api.js';
import { notePid, pidFileOf, stopStaleHaproxy } from './stale-haproxy.js';
import type { HaproxyFiles } from './render-haproxy-config.js';

export interface HaproxyProcessOptions {
  /** The haproxy binary (default `haproxy` on PATH). */
  binary?: string;
  files: HaproxyFiles;
  /** haproxy.cfg's text (`renderHaproxyConfig`). */
  config: string;
  /** The raw app-error response (`renderAppErrorFile`). */
  appError: string;
  logger: Logger;
  /**
   * Called once HAProxy answers on its socket, after the first start and after every restart: its
   * map is empty then, so this pushes the whole map again.
   */
  onStarted: () => Promise<void>;
  /** Restart backoff: first delay, doubling to `maxRestartMs` (defaults 100 ms and 5 s). */
  restartMs?: number;
  maxRestartMs?: number;
  /** How long a start may take before it counts as failed (default 10 s). */
  startTimeoutMs?: number;
}

type State = { kind: 'idle' } | { kind: 'running'; child: ChildProcess } | { kind: 'waiting' } | { kind: 'closed' };

/**
 * HAProxy as a child Spaceport supervises: its config written to its own directory (socket 0600 next
 * to it), started in its own session (Ctrl-C on `make up` reaches Spaceport, which then stops it), and
 * started again when it dies (kill -9, a crash), with the whole map pushed again each time. `close()`
 * stops it (SIGTERM, SIGKILL after 5 s). One that an earlier Spaceport left running (it died without
 * `close()`) is stopped before the first start (stale-haproxy.ts).
 */
export class HaproxyProcess {
  readonly #o: HaproxyProcessOptions;
  readonly #api: HaproxyRuntimeApi;
  #state: State = { kind: 'idle' };
  #delay: number;
  #timer: NodeJS.Timeout | undefined;
  /** Starts so far (1 after `start()`; each restart adds one). */
  starts = 0;

  constructor(opts: HaproxyProcessOptions) {
    this.#o = opts;
    this.#api = new HaproxyRuntimeApi({ socket: opts.files.socket, map: opts.files.map });
    this.#delay = opts.restartMs ?? 100;
  }

  get pid(): number | undefined {
    return this.#state.kind === 'running' ? this.#state.child.pid : undefined;
  }

  /** Write the config, start HAProxy, wait until it answers and the map is pushed. Throws when it does not start. */
  async start(): Promise<void> {
    const { files } = this.#o;
    await mkdir(files.dir, { recursive: true, mode: 0o700 });
    await chmod(files.dir, 0o700);
    // One left running by an earlier Spaceport that died (kill -9) holds the port: stop it first.
    const stale = await stopStaleHaproxy(files.dir, files.config);
    if (stale !== undefined) this.#o.logger.warn({ pid: stale }, 'stopped the HAProxy an earlier Spaceport left running');
    await writeFile(files.config, this.#o.config, { mode: 0o600 });
    await writeFile(files.map, '', { mode: 0o600 });
    await writeFile(files.appError, this.#o.appError, { mode: 0o600 });
    await this.#spawn();
  }

  async #spawn(): Promise<void> {
    const { files, logger } = this.#o;
    const binary = this.#o.binary ?? 'haproxy';
    await rm(files.socket, { force: true });
    // Killed by the kernel if Spaceport dies (setpriv execs it: the pid is HAProxy's); stale-haproxy.ts covers hosts without setpriv.
    const [command, args] = diesWithParent(binary, ['-f', files.config, '-db']);
    const child = spawn(command, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-2000);
    });
    const exited = new Promise<string>((resolve) => {
      child.once('error', (err) => resolve(err.message));
      child.once('exit', (code, signal) => resolve(`exited (${signal ?? code})${stderr ? `: ${stderr.trim()}` : ''}`));
    });
    this.#state = { kind: 'running', child };
    this.starts++;
    if (child.pid !== undefined) await notePid(files.dir, child.pid);
    const deadline = Date.now() + (this.#o.startTimeoutMs ?? 10_000);
    let early: string | undefined;
    void exited.then((why) => (early = why));
    while (!(await this.#api.answers())) {
      if (early !== undefined) throw fail('dataPlaneNotStarted', { binary, reason: early });
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw fail('dataPlaneNotStarted', { binary, reason: 'its runtime socket did not answer in time' });
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    void exited.then((why) => this.#died(child, why));
    try {
      await this.#o.onStarted();
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'haproxy started, but its map could not be pushed: everything goes to Spaceport meanwhile');
    }
    logger.info({ pid: child.pid, socket: files.socket, starts: this.starts }, 'haproxy started');
  }

  #died(child: ChildProcess, why: string): void {
    if (this.#state.kind !== 'running' || this.#state.child !== child) return;
    this.#state = { kind: 'waiting' };
    this.#o.logger.warn({ why, restartInMs: this.#delay }, 'haproxy died: starting it again');
    this.#timer = setTimeout(() => void this.#restart(), this.#delay);
    this.#delay = Math.min(this.#delay * 2, this.#o.maxRestartMs ?? 5_000);
  }

  async #restart(): Promise<void> {
    if (this.#state.kind !== 'waiting') return;
    try {
      await this.#spawn();
      this.#delay = this.#o.restartMs ?? 100;
    } catch (err) {
      this.#o.logger.warn({ err: (err as Error).message }, 'haproxy restart failed');
      const state = this.#state as State;
      if (state.kind === 'running') this.#died(state.child, (err as Error).message);
      else if (state.kind !== 'closed') {
        this.#state = { kind: 'waiting' };
        this.#timer = setTimeout(() => void this.#restart(), this.#delay);
      }
    }
  }

  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    const state = this.#state;
    this.#state = { kind: 'closed' };
    if (state.kind !== 'running' || state.child.exitCode !== null || state.child.signalCode !== null) return;
    const child = state.child;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const hard = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(hard);
    await rm(pidFileOf(this.#o.files.dir), { force: true });
  }
}
