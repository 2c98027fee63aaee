import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { request, waitFor, type HttpResult } from './http.js';
import type { SpaceRuntimeJson } from './spaceport-harness.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A free loopback port (for a process that must come back on the same one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

/**
 * `spaceport up` as a real process on a fixed port and data dir (its output appended to
 * `{dataDir}/spaceport.log`), to be killed with SIGKILL and started again: crash tests.
 */
export class SpaceportProcess {
  #child: ChildProcess | undefined;

  constructor(readonly o: { port: number; dataDir: string; token: string; env?: Record<string, string>; logFile?: string }) {}

  api(method: string, p: string, body?: unknown): Promise<HttpResult> {
    return request({ port: this.o.port, path: p, method, body, token: this.o.token, host: `127.0.0.1:${this.o.port}` });
  }

  async stage(space: string): Promise<SpaceRuntimeJson> {
    return (await this.api('GET', `/api/spaces/${space}/runtime`)).json();
  }

  /** Start it and wait until the API answers. */
  async start(): Promise<void> {
    const log = openSync(this.o.logFile ?? path.join(this.o.dataDir, 'spaceport.log'), 'a');
    this.#child = spawn(process.execPath, ['--import', 'tsx', 'cli/spaceport.ts', 'up'], {
      cwd: ROOT,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        SPACEPORT_PORT: String(this.o.port),
        SPACEPORT_HOST: '127.0.0.1',
        SPACEPORT_DATA_DIR: this.o.dataDir,
        SPACEPORT_ADMIN_TOKEN: this.o.token,
        // A kill must not cut a background debootstrap short: builds make base images when needed.
        SPACEPORT_PREPARE_BASE_IMAGES: 'false',
        ...this.o.env,
      },
    });
    await waitFor('spaceport answering', async () => ((await this.api('GET', '/api/whoami-v2').catch(() => undefined))?.status === 200 ? true : undefined), 60_000, 100);
  }

  /** Started and not exited (a crash shows here: `exitCode`/`signalCode` set). */
  get alive(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** SIGKILL (a crash), or SIGTERM (a graceful stop: what Kubernetes sends a pod), and wait for the exit. */
  kill(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const c = this.#child;
    this.#child = undefined;
    if (!c || c.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      c.once('exit', () => resolve());
      c.kill(signal);
    });
  }
}
