import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Dockerode from 'dockerode';
import { waitFor } from './http.js';

/**
 * A Docker engine of the test's own, next to the shared one: its own data root, exec root, pid
 * file, socket and bridge, so it can be restarted (an engine-restart fault) or loaded with hundreds
 * of containers without touching anyone else's. Needs root and `dockerd` (docker.io).
 *
 * No iptables rules (the shared engine's chains stay as they are): published ports go through
 * docker-proxy, which reaches the containers over the engine's own bridge.
 */
export class OwnDockerEngine {
  readonly dir: string;
  readonly socket: string;
  readonly bridge: string;
  readonly docker: Dockerode;
  #child: ChildProcess | undefined;
  readonly #subnet: string;

  readonly #extraArgs: string[];

  /** `extraArgs`: more dockerd flags (e.g. `--add-runtime name=path`). */
  constructor(tag: string, options: { extraArgs?: string[] } = {}) {
    this.#extraArgs = options.extraArgs ?? [];
    const id = randomBytes(3).toString('hex');
    this.dir = `/tmp/spaceport-engine-${tag}-${id}`;
    this.socket = path.join(this.dir, 'docker.sock');
    this.bridge = `spe${id}`;
    // 10.231.0.0/16 is ours; a /20 in it (4,094 addresses: room for a 500-Space benchmark) that no
    // other engine of ours holds now (overlapping bridges would make published ports unreachable).
    const used = execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' });
    const free = Array.from({ length: 16 }, (_, k) => `10.231.${16 * k}`).filter((net) => !used.includes(` ${net}.`));
    this.#subnet = free[parseInt(id.slice(0, 2), 16) % Math.max(1, free.length)] ?? '10.231.0';
    this.docker = new Dockerode({ socketPath: this.socket });
  }

  get dockerHost(): string {
    return `unix://${this.socket}`;
  }

  /** Create the bridge (first time) and start dockerd; resolves when it answers. */
  async start(): Promise<void> {
    mkdirSync(path.join(this.dir, 'data'), { recursive: true });
    mkdirSync(path.join(this.dir, 'exec'), { recursive: true });
    if (!this.#bridgeExists()) {
      execFileSync('ip', ['link', 'add', 'name', this.bridge, 'type', 'bridge']);
      execFileSync('ip', ['addr', 'add', `${this.#subnet}.1/20`, 'dev', this.bridge]);
      execFileSync('ip', ['link', 'set', this.bridge, 'up']);
    }
    const log = openSync(path.join(this.dir, 'dockerd.log'), 'a');
    this.#child = spawn(
      'dockerd',
      [
        '--data-root', path.join(this.dir, 'data'),
        '--exec-root', path.join(this.dir, 'exec'),
        '--pidfile', path.join(this.dir, 'docker.pid'),
        '-H', this.dockerHost,
        '--bridge', this.bridge,
        '--iptables=false',
        '--ip-masq=false',
        '--storage-driver', 'overlay2',
        '--log-level', 'warn',
        ...this.#extraArgs,
      ],
      // Its own session: a signal to the test's process group never reaches it.
      { stdio: ['ignore', log, log], detached: true },
    );
    this.#child.unref();
    await waitFor('the test engine answering', async () => ((await this.docker.ping().catch(() => undefined)) ? true : undefined), 60_000, 100);
  }

  /** SIGTERM to dockerd, as `systemctl stop docker` does: it stops its containers, then exits. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stop it (containers with it), remove its bridge and its files. */
  async destroy(): Promise<void> {
    if (this.#child) {
      // Leave nothing behind: containers of this engine go with it.
      for (const c of await this.docker.listContainers({ all: true }).catch(() => [])) {
        await this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
      }
    }
    await this.stop();
    if (this.#bridgeExists()) execFileSync('ip', ['link', 'del', this.bridge]);
    // Overlay mounts of a killed engine would make the removal fail: unmount what is left under it.
    try {
      const mounts = readFileSync('/proc/mounts', 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[1] ?? '')
        .filter((m) => m.startsWith(this.dir))
        .sort((a, b) => b.length - a.length);
      for (const m of mounts) execFileSync('umount', ['-l', m]);
    } catch {
      // best effort
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  #bridgeExists(): boolean {
    try {
      execFileSync('ip', ['link', 'show', this.bridge], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }
}
