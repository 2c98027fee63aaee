import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { dockerStatus, type Logger } from '../../../../core/index.js';
import { LABELS } from '../docker-create-options.js';

/**
 * Network sandboxes (ARCHITECTURE.md, "Snapshot wake"): with snapshots on, each app container joins
 * the network namespace of a small container of its own (`<app name>.net-<random>`, `sleep infinity` in the
 * app's image, as a Kubernetes pod's pause container) that is on the Space network and publishes the
 * app's port. The app's OCI config then names an existing namespace and carries no libnetwork
 * prestart hook, so a restore skips the hook's veth, address and routes (0.15–0.35 s of CRIU's
 * restore, docs/benchmarks.md). The sandbox lives as long as its app's container, asleep or not.
 */

/** What the app container needs of its sandbox. */
export interface Sandbox {
  id: string;
  hostPort: number;
  network: string;
}

const SANDBOX_SUFFIX = '.net';
const SANDBOX_MEMORY = 16 * 1024 * 1024;

/** Create options of the sandbox of an app (pure): its network, its published port, nothing else. */
export function sandboxCreateOptions(app: Dockerode.ContainerCreateOptions): Dockerode.ContainerCreateOptions {
  const h = app.HostConfig ?? {};
  const labels = app.Labels ?? {};
  return {
    name: `${app.name}${SANDBOX_SUFFIX}-${randomBytes(4).toString('hex')}`,
    Image: app.Image,
    User: app.User,
    Entrypoint: ['sleep', 'infinity'],
    Cmd: [],
    ExposedPorts: app.ExposedPorts,
    Labels: { [LABELS.instance]: labels[LABELS.instance] ?? '', [LABELS.sandboxOf]: labels[LABELS.space] ?? '', [LABELS.release]: labels[LABELS.release] ?? '' },
    HostConfig: {
      NetworkMode: h.NetworkMode,
      PortBindings: h.PortBindings,
      Memory: SANDBOX_MEMORY,
      MemorySwap: SANDBOX_MEMORY,
      NanoCpus: 100_000_000,
      PidsLimit: 8,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'none', Config: {} },
    },
  };
}

/** The app's options joined to its sandbox (pure): its namespace, no port or network of its own; the sandbox's on labels. */
export function joinSandbox(app: Dockerode.ContainerCreateOptions, sandbox: Sandbox): Dockerode.ContainerCreateOptions {
  const { PortBindings: _ports, NetworkMode: _network, ...host } = app.HostConfig ?? {};
  const { ExposedPorts: _exposed, ...rest } = app;
  // (Docker refuses exposed or published ports in another container's namespace.)
  return {
    ...rest,
    Labels: { ...app.Labels, [LABELS.sandboxPort]: String(sandbox.hostPort), [LABELS.sandboxNetwork]: sandbox.network },
    HostConfig: { ...host, NetworkMode: `container:${sandbox.id}` },
  };
}

/** The sandbox's id named by an app's `HostConfig.NetworkMode`, when it joins one. */
export function sandboxIdOf(info: Pick<Dockerode.ContainerInspectInfo, 'HostConfig' | 'Config'>): string | undefined {
  const mode = info.HostConfig?.NetworkMode ?? '';
  return mode.startsWith('container:') && info.Config?.Labels?.[LABELS.sandboxNetwork] !== undefined ? mode.slice('container:'.length) : undefined;
}

export class NetnsSandboxes {
  readonly #docker: Dockerode;
  readonly #log: Logger;

  constructor(opts: { docker: Dockerode; logger: Logger }) {
    this.#docker = opts.docker;
    this.#log = opts.logger;
  }

  /**
   * Make and start the sandbox of an app about to be created (a name of its own: another process
   * creating the same app at once makes its own, and the loser drops its); undefined when it cannot be had (no `sleep` in the image, no network): the app is
   * then created on the network itself, as without snapshots.
   */
  async create(app: Dockerode.ContainerCreateOptions): Promise<Sandbox | undefined> {
    const network = app.HostConfig?.NetworkMode;
    const port = Object.keys(app.HostConfig?.PortBindings ?? {})[0];
    if (!network || network.startsWith('container:') || !port) return undefined;
    const options = sandboxCreateOptions(app);
    let id: string | undefined;
    try {
      const c = await this.#docker.createContainer(options);
      id = c.id;
      await c.start();
      const info = await c.inspect();
      const hostPort = Number(info.NetworkSettings?.Ports?.[port]?.[0]?.HostPort);
      if (!info.State.Running || !Number.isInteger(hostPort) || hostPort <= 0) throw new Error(`not running with ${port} published`);
      return { id, hostPort, network };
    } catch (err) {
      this.#log.warn({ sandbox: options.name, err }, 'network sandbox failed; the app gets a network of its own');
      if (id) await this.#remove(id);
      return undefined;
    }
  }

  /** The sandbox an app joins, when it does (inspects the app). */
  async of(appId: string): Promise<string | undefined> {
    try {
      return sandboxIdOf(await this.#docker.getContainer(appId).inspect());
    } catch (err) {
      if (dockerStatus(err) === 404) return undefined;
      throw err;
    }
  }

  /** Whether a sandbox is no longer running (removed, stopped with the engine): its app cannot start in it. */
  async lost(id: string): Promise<boolean> {
    try {
      return !(await this.#docker.getContainer(id).inspect()).State.Running;
    } catch (err) {
      if (dockerStatus(err) === 404) return true;
      throw err;
    }
  }

  /** Remove a sandbox (after its app): 404 and 409 (a removal under way) are done. */
  async remove(id: string): Promise<void> {
    await this.#remove(id);
  }

  async #remove(idOrName: string): Promise<void> {
    try {
      await this.#docker.getContainer(idOrName).remove({ force: true });
    } catch (err) {
      if (dockerStatus(err) !== 404 && dockerStatus(err) !== 409) throw err;
    }
  }
}
