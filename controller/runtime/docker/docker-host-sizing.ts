import type Dockerode from 'dockerode';
import { sizeFlavorToHost, type Flavor, type HostResources, type Logger } from '../../../core/index.js';

/** What `docker info` says about the host: CPUs, memory, and whether a writable layer can be capped. */
export interface DockerHostFacts extends HostResources {
  driver: string;
  backingFs?: string;
  /** `HostConfig.StorageOpt.size` works here (or, for overlay2 on xfs, may: it needs the `pquota` mount option). */
  layerQuota: boolean;
}

/** Storage drivers that take a `size` storage option (overlay2 only on xfs mounted with `pquota`). */
export function layerQuotaSupported(driver: string, backingFs: string | undefined): boolean {
  if (['devicemapper', 'btrfs', 'zfs'].includes(driver)) return true;
  return driver === 'overlay2' && backingFs === 'xfs';
}

/** The facts from a `docker info` answer (pure). */
export function hostFactsFrom(info: { NCPU?: unknown; MemTotal?: unknown; Driver?: unknown; DriverStatus?: unknown }): DockerHostFacts {
  const driver = typeof info.Driver === 'string' ? info.Driver : '';
  const status = Array.isArray(info.DriverStatus) ? (info.DriverStatus as unknown[][]) : [];
  const backing = status.find((row) => row[0] === 'Backing Filesystem')?.[1];
  const backingFs = typeof backing === 'string' ? backing : undefined;
  return {
    cpus: typeof info.NCPU === 'number' && info.NCPU > 0 ? info.NCPU : 0,
    memoryBytes: typeof info.MemTotal === 'number' && info.MemTotal > 0 ? info.MemTotal : 0,
    driver,
    ...(backingFs ? { backingFs } : {}),
    layerQuota: layerQuotaSupported(driver, backingFs),
  };
}

/** A create-options error saying the engine cannot apply `StorageOpt` (overlay2 on xfs without pquota). */
export const STORAGE_OPT_REFUSED_RE = /storage-?opt|pquota|quota.*not supported/i;

/**
 * Sizes containers to the engine's host: the built-in flavors get a share of its memory and at
 * most its CPUs (`sizeFlavorToHost`), and the writable layer is capped at the flavor's disk where
 * the storage driver allows it. `docker info` is read once; `describe()` states the outcome in the log.
 */
export class DockerHostSizing {
  readonly #docker: Dockerode;
  readonly #log: Logger;
  readonly #operatorSized: readonly string[];
  #facts?: Promise<DockerHostFacts>;
  #quotaRefused = false;

  constructor(opts: { docker: Dockerode; logger: Logger; operatorSized?: readonly string[] }) {
    this.#docker = opts.docker;
    this.#log = opts.logger;
    this.#operatorSized = opts.operatorSized ?? [];
  }

  facts(): Promise<DockerHostFacts> {
    this.#facts ??= this.#docker.info().then(hostFactsFrom, (err: unknown) => {
      this.#facts = undefined;
      throw err;
    });
    return this.#facts;
  }

  /** One line per flavor, and whether writable layers are capped: logged at start. */
  async describe(flavors: readonly Flavor[]): Promise<{ flavors: string[]; layerQuota: boolean }> {
    const host = await this.facts();
    const notes = flavors.map((f) => sizeFlavorToHost(f, host, this.#operatorSized).note);
    for (const note of notes) this.#log.info({ sizing: note }, 'flavor sized to this host');
    if (host.layerQuota) this.#log.info({ driver: host.driver, backingFs: host.backingFs }, 'writable layers capped at each flavor\'s disk size');
    else {
      this.#log.warn(
        { driver: host.driver, backingFs: host.backingFs },
        'writable layers cannot be capped on this engine (needs overlay2 on xfs with pquota, devicemapper, btrfs or zfs): a Space can fill the engine\'s disk',
      );
    }
    return { flavors: notes, layerQuota: host.layerQuota };
  }

  /** The flavor to run, the host's CPUs, and the writable layer's cap (undefined: none). */
  async sized(flavor: Flavor): Promise<{ flavor: Flavor; hostCpus?: number; writableLayerBytes?: number }> {
    const host = await this.facts();
    const sized = host.memoryBytes > 0 ? sizeFlavorToHost(flavor, host, this.#operatorSized).flavor : flavor;
    const quota = host.layerQuota && !this.#quotaRefused && flavor.diskGb !== undefined && flavor.diskGb > 0;
    return {
      flavor: sized,
      ...(host.cpus > 0 ? { hostCpus: host.cpus } : {}),
      ...(quota ? { writableLayerBytes: flavor.diskGb! * 1e9 } : {}),
    };
  }

  /**
   * Create the container with its writable layer capped; when the engine refuses the cap (overlay2
   * on xfs without pquota), create it without, and from now on, saying so once.
   */
  async createContainer(options: (writableLayerBytes?: number) => Dockerode.ContainerCreateOptions, writableLayerBytes?: number): Promise<Dockerode.Container> {
    try {
      return await this.#docker.createContainer(options(writableLayerBytes));
    } catch (err) {
      if (writableLayerBytes === undefined || !STORAGE_OPT_REFUSED_RE.test(String((err as Error).message))) throw err;
      if (!this.#quotaRefused) this.#log.warn({ err }, 'the engine refused a writable-layer size: layers are not capped');
      this.#quotaRefused = true;
      return this.#docker.createContainer(options(undefined));
    }
  }
}
