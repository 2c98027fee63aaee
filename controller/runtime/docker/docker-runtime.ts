import type Dockerode from 'dockerode';
import { dockerStatus, fail, mapDockerError, type Flavor, type LogLine, type Logger, type ReleaseId, type SpaceId } from '../../../core/index.js';
import {
  DEFAULT_NAME_PREFIX,
  LABELS,
  containerName,
  dataVolumeName,
  dataVolumeOptions,
  dockerCreateOptions,
  stoppedContainerName,
  type DockerCreateOptionsInput,
} from './docker-create-options.js';
import { ignoreStatus, startContainer } from './docker-connect.js';
import { DockerContainerCache, type CachedContainer } from './docker-container-cache.js';
import { ensureDataVolume, ownDataDir, removeDataVolume } from './docker-data-volume.js';
import { containerLogs, lastLogLines } from './docker-container-logs.js';
import { listContainerFacts } from './docker-facts.js';
import type { DockerSnapshots } from './snapshots/index.js';
import { REASON_MAX_LINES, instanceStateOf, isInterrupted, isRunning, isStoppedByUs, type ContainerFacts } from './docker-state.js';
import { DEFAULT_PROBE_TIMEOUT_MS, probeHttp } from '../readiness-probe.js';
import { KeyedLock } from '../keyed-lock.js';
import { refuseGpuFlavor } from './docker-gpus.js';
import { DockerHostSizing } from './docker-host-sizing.js';
import type { Instance, InstanceSpec, RunLogOptions, Runtime, StopOptions } from '../runtime.js';
import type { DockerSpaceNetwork } from './docker-space-network.js';

export { connectDocker } from './docker-connect.js';

export interface DockerRuntimeOptions {
  docker: Dockerode;
  logger: Logger;
  /** Container name prefix and `spaceport.instance` label: installs sharing one engine stay apart. */
  namePrefix?: string;
  /** Host where published ports are reached (they are bound on 127.0.0.1). */
  endpointHost?: string;
  probeTimeoutMs?: number;
  /** Grace period of `stop()` before SIGKILL. */
  stopTimeoutSeconds?: number;
  /** How long after a start `watch()` keeps probing so it can report the instance ready. */
  readinessWatchMs?: number;
  /** NVIDIA GPUs this engine can hand out (DeviceRequests); 0: GPU flavors are refused. See `detectDockerGpus`. */
  gpus?: number;
  /** PID limit and log rotation of every container (see `dockerCreateOptions`). */
  containerLimits?: Pick<DockerCreateOptionsInput, 'pidsLimit' | 'logMaxSize' | 'logMaxFiles'>;
  /**
   * `list()` answers from the container cache kept by the engine's event stream (default). False:
   * every `list()` lists, inspects and probes (the behaviour before the cache; benchmarks compare).
   */
  listFromEvents?: boolean;
  /** The install's Space network and firewall (the composition root always passes one); unset: the default bridge. */
  network?: DockerSpaceNetwork;
  /** Flavors the operator sized (`HardwareConfig.operatorSized`): never resized to the host. */
  operatorSized?: readonly string[];
  /** Snapshot wake (ARCHITECTURE.md): sleep dumps the app, a wake restores it; unset: off. */
  snapshots?: DockerSnapshots;
}

/**
 * Spaces as Docker containers on one engine: one container per release, named `{prefix}-{subdomain}-{release}` and labelled `spaceport.*`.
 *
 * Stopped on purpose vs exited on its own: Docker cannot relabel a container, and exit codes do not tell a `docker stop` from a crash.
 * So `stop()` first renames the container to `…​.stopped` and then stops it; `apply()` renames it back before starting it. The name
 * lives in Docker, so the distinction survives a controller restart, and another install never sees it (it filters on its own prefix).
 * Containers join the install's Space network (`network`); one found on another network is replaced.
 *
 * `restartCount` counts the starts of an existing container by this process (it resets when the controller restarts), plus Docker's own restarts (none: the restart policy is "no").
 */
export class DockerRuntime implements Runtime {
  readonly name = 'docker';
  readonly #docker: Dockerode;
  readonly #log: Logger;
  readonly #prefix: string;
  readonly #endpointHost: string;
  readonly #probeTimeoutMs: number;
  readonly #stopTimeout: number;
  readonly #readinessWatchMs: number;
  readonly #closing = new AbortController();
  readonly #lock = new KeyedLock();
  readonly #restarts = new Map<string, number>();
  readonly #listeners = new Set<(space: SpaceId) => void>();
  readonly #cache: DockerContainerCache;
  readonly #listFromEvents: boolean;
  readonly #network?: DockerSpaceNetwork;
  readonly #host: DockerHostSizing;
  readonly #gpus: number;
  readonly #limits: Pick<DockerCreateOptionsInput, 'pidsLimit' | 'logMaxSize' | 'logMaxFiles'>;
  readonly #snapshots?: DockerSnapshots;

  constructor(opts: DockerRuntimeOptions) {
    this.#docker = opts.docker;
    this.#log = opts.logger.child({ runtime: 'docker' });
    this.#prefix = opts.namePrefix ?? DEFAULT_NAME_PREFIX;
    this.#endpointHost = opts.endpointHost ?? '127.0.0.1';
    this.#probeTimeoutMs = opts.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    this.#stopTimeout = opts.stopTimeoutSeconds ?? 5;
    this.#readinessWatchMs = opts.readinessWatchMs ?? 10 * 60_000;
    this.#gpus = opts.gpus ?? 0;
    this.#limits = opts.containerLimits ?? {};
    this.#listFromEvents = opts.listFromEvents ?? true;
    this.#network = opts.network;
    this.#snapshots = opts.snapshots;
    this.#host = new DockerHostSizing({ docker: this.#docker, logger: this.#log, operatorSized: opts.operatorSized });
    this.#cache = new DockerContainerCache({
      docker: this.#docker,
      logger: this.#log,
      namePrefix: this.#prefix,
      endpointHost: this.#endpointHost,
      readinessWatchMs: this.#readinessWatchMs,
      onChange: (space) => this.#notify(space),
    });
  }

  /**
   * Remove the Space's data volume. Containers of this install that still mount it (the caller
   * removes the Space's instances first; this catches one a concurrent pass made meanwhile) go first.
   */
  async removeStorage(key: string): Promise<void> {
    const name = dataVolumeName(key, this.#prefix);
    try {
      await removeDataVolume(this.#docker, name, [`${LABELS.managed}=true`, `${LABELS.instance}=${this.#prefix}`], (id) => this.#removeContainer(id));
      this.#log.info({ volume: name }, 'storage removed');
    } catch (err) {
      throw mapDockerError(err, { action: `remove the storage volume ${name}` });
    }
  }

  refuseFlavor(flavor: Flavor): string | undefined {
    return refuseGpuFlavor(flavor, this.#gpus);
  }

  apply(spec: InstanceSpec): Promise<void> {
    return this.#lock.run(spec.space, async () => {
      try {
        await this.#apply(spec);
        await this.#cache.refreshSpace(spec.space);
      } catch (err) {
        throw mapDockerError(err, { action: `start ${spec.space} (release ${spec.release})`, image: spec.image });
      }
    });
  }

  async #apply(spec: InstanceSpec): Promise<void> {
    const found = await this.#facts(spec.space, spec.release);
    let current: ContainerFacts | undefined;
    for (const facts of found) {
      // (A stopped one whose network sandbox is gone cannot start in it: replaced too.)
      const offNetwork = (this.#network !== undefined && !facts.networks.includes(this.#network.name)) || (!isRunning(facts) && (await this.#snapshots?.sandboxLost(facts.sandbox)));
      if (!offNetwork && current === undefined && facts.image === spec.image && facts.status !== 'dead' && facts.status !== 'removing') {
        current = facts;
        continue;
      }
      this.#log.info({ space: spec.space, release: spec.release, was: facts.image, image: spec.image }, 'replacing container');
      await this.#removeContainer(facts.id);
    }
    const base = containerName(spec.space, spec.release, this.#prefix);
    if (!current) {
      const id = await this.#create(spec);
      this.#log.info({ space: spec.space, release: spec.release, image: spec.image, container: id }, 'container created');
      await this.#start(id);
      return;
    }
    const container = this.#docker.getContainer(current.id);
    if (current.name !== base) await container.rename({ name: base });
    if (current.status === 'paused') await container.unpause();
    if (!isRunning(current)) {
      const snapshot = this.#snapshots?.beforeStart(current.id, spec);
      await this.#start(current.id);
      if (snapshot) this.#snapshots!.afterStart(current.id, spec, snapshot);
      // One the engine stopped (it shut down) is not a restart of the app.
      if (!isInterrupted(current, this.#prefix)) this.#restarts.set(current.id, (this.#restarts.get(current.id) ?? 0) + 1);
      this.#log.info({ space: spec.space, release: spec.release, container: current.id }, 'container started again');
    }
  }

  async #create(spec: InstanceSpec): Promise<string> {
    const network = await this.#network?.ensure();
    const sized = await this.#host.sized(spec.flavor);
    const plain = (writableLayerBytes?: number) => dockerCreateOptions({ ...spec, flavor: sized.flavor }, { ...this.#limits, namePrefix: this.#prefix, hostCpus: sized.hostCpus, writableLayerBytes, network });
    const sandbox = await this.#snapshots?.sandboxFor(plain());
    const options = (writableLayerBytes?: number) => (this.#snapshots ? this.#snapshots.createOptions(spec, plain(writableLayerBytes), sandbox) : plain(writableLayerBytes));
    if (spec.storage) {
      const volume = dataVolumeOptions(spec.storage.key, this.#prefix);
      if ((await ensureDataVolume(this.#docker, volume)) === 'created') this.#log.info({ space: spec.space, volume: volume.Name }, 'storage created');
    }
    let container: Dockerode.Container;
    try {
      container = await this.#host.createContainer(options, sized.writableLayerBytes);
    } catch (err) {
      await this.#snapshots?.dropSandbox(sandbox);
      if (dockerStatus(err) !== 409) throw err;
      // The name is taken: another process created it a moment ago. Use it if it is ours.
      const [again] = await this.#facts(spec.space, spec.release);
      if (again && again.image === spec.image) return again.id;
      throw err;
    }
    if (spec.storage) {
      try {
        await ownDataDir(container);
      } catch (err) {
        await this.#removeContainer(container.id);
        throw err;
      }
    }
    return container.id;
  }

  #start(id: string): Promise<void> {
    return startContainer(this.#docker.getContainer(id), (attempt) => this.#log.warn({ container: id, attempt }, 'host port taken while starting; starting again'));
  }

  /** States at start how the flavors are sized to this host and whether writable layers are capped. */
  describeHost(flavors: readonly Flavor[]): Promise<{ flavors: string[]; layerQuota: boolean }> {
    return this.#host.describe(flavors);
  }

  /**
   * From the container cache while it is live (no engine call; a probe only for an instance that
   * has not answered since it started), else from the engine: a list, an inspect per container and
   * a probe per running one.
   */
  async list(space?: SpaceId): Promise<Instance[]> {
    try {
      let instances: (Instance | undefined)[];
      this.#cache.start();
      const cached = this.#listFromEvents ? this.#cache.entries(space) : undefined;
      if (cached) {
        instances = await Promise.all(cached.map((entry) => this.#cachedInstance(entry)));
      } else {
        const all = await this.#facts(space);
        instances = await Promise.all(all.map((facts) => this.#instance(facts)));
      }
      return instances
        .filter((i): i is Instance => i !== undefined)
        .sort((a, b) => a.space.localeCompare(b.space) || (a.startedAt ?? 0) - (b.startedAt ?? 0) || a.release.localeCompare(b.release));
    } catch (err) {
      throw mapDockerError(err, { action: space ? `list the instances of ${space}` : 'list instances' });
    }
  }

  /** One more resync: a single list of the engine's containers for the cache (changes found are reported to `watch`). */
  async resync(): Promise<void> {
    this.#snapshots?.prune();
    if (!this.#listFromEvents) return;
    try {
      await this.#cache.resync();
    } catch (err) {
      throw mapDockerError(err, { action: 'list instances' });
    }
  }

  async #cachedInstance(entry: CachedContainer): Promise<Instance | undefined> {
    const facts = entry.facts;
    let probeOk = entry.ready;
    if (!probeOk && facts.status === 'running' && facts.hostPort !== undefined) {
      probeOk = await probeHttp({ host: this.#endpointHost, port: facts.hostPort }, { timeoutMs: this.#probeTimeoutMs });
      if (probeOk) this.#cache.markReady(entry);
    }
    if (this.#exitedOnItsOwn(facts)) entry.lastLines ??= await this.#lastLines(facts.id);
    return this.#toInstance(facts, probeOk, entry.lastLines ?? []);
  }

  async #instance(facts: ContainerFacts): Promise<Instance | undefined> {
    const running = facts.status === 'running' && facts.hostPort !== undefined;
    const probeOk = running ? await probeHttp({ host: this.#endpointHost, port: facts.hostPort! }, { timeoutMs: this.#probeTimeoutMs }) : false;
    const lastLines = this.#exitedOnItsOwn(facts) ? await this.#lastLines(facts.id) : [];
    return this.#toInstance(facts, probeOk, lastLines);
  }

  #exitedOnItsOwn(facts: ContainerFacts): boolean {
    return facts.status === 'exited' && !facts.oomKilled && !facts.error && !isStoppedByUs(facts, this.#prefix) && !isInterrupted(facts, this.#prefix);
  }

  #toInstance(facts: ContainerFacts, probeOk: boolean, lastLines: readonly string[]): Instance | undefined {
    const endpoint = isRunning(facts) && facts.hostPort !== undefined ? { host: this.#endpointHost, port: facts.hostPort } : undefined;
    const state = instanceStateOf(facts, { namePrefix: this.#prefix, probeOk, lastLines });
    if (!state) return undefined;
    return {
      space: facts.space,
      release: facts.release,
      image: facts.image,
      state,
      ...(endpoint ? { endpoint } : {}),
      ...(facts.startedAt !== undefined ? { startedAt: facts.startedAt } : {}),
      restartCount: (this.#restarts.get(facts.id) ?? 0) + facts.dockerRestartCount,
    };
  }

  #lastLines(id: string): Promise<string[]> {
    return lastLogLines(this.#docker.getContainer(id), REASON_MAX_LINES);
  }

  stop(space: SpaceId, release: ReleaseId, opts: StopOptions = {}): Promise<void> {
    return this.#lock.run(space, async () => {
      try {
        for (const facts of await this.#facts(space, release)) {
          const container = this.#docker.getContainer(facts.id);
          if (!isStoppedByUs(facts, this.#prefix)) await container.rename({ name: stoppedContainerName(space, release, this.#prefix) });
          // Snapshot wake: dump the app first (its processes end); a failed dump is a plain stop.
          if (opts.sleep && facts.status === 'running') await this.#snapshots?.checkpoint(container, space);
          if (isRunning(facts) || facts.status === 'paused') {
            await ignoreStatus(container.stop({ t: this.#stopTimeout }), [304, 404]);
          }
          this.#log.info({ space, release, container: facts.id }, 'container stopped');
        }
        await this.#cache.refreshSpace(space);
      } catch (err) {
        throw mapDockerError(err, { action: `stop ${space} (release ${release})` });
      }
    });
  }

  /** Variables or secrets changed: the Space's snapshots hold the old ones, so they go now, not at its next wake. */
  dropSnapshots = (space: SpaceId): Promise<void> => this.#lock.run(space, async () => this.#snapshots?.forgetSpace(space));

  remove(space: SpaceId, opts: { keep?: ReleaseId } = {}): Promise<void> {
    return this.#lock.run(space, async () => {
      try {
        for (const facts of await this.#facts(space)) {
          if (opts.keep !== undefined && facts.release === opts.keep) continue;
          await this.#removeContainer(facts.id);
          this.#restarts.delete(facts.id);
          this.#log.info({ space, release: facts.release, container: facts.id }, 'container removed');
        }
        await this.#cache.refreshSpace(space);
      } catch (err) {
        throw mapDockerError(err, { action: `remove the instances of ${space}` });
      }
    });
  }

  async #removeContainer(id: string): Promise<void> {
    this.#snapshots?.forget(id);
    // 404: already gone; 409: a removal is already in progress. Its network sandbox after it.
    const remove = () => ignoreStatus(this.#docker.getContainer(id).remove({ force: true, v: true }), [404, 409]).then(() => undefined);
    await (this.#snapshots ? this.#snapshots.removeWithSandbox(id, remove) : remove());
  }

  async *logs(space: SpaceId, release: ReleaseId, opts: RunLogOptions): AsyncGenerator<LogLine> {
    if (opts.signal?.aborted) return;
    const action = `read the logs of ${space} (release ${release})`;
    let facts: ContainerFacts | undefined;
    try {
      [facts] = await this.#facts(space, release);
    } catch (err) {
      throw mapDockerError(err, { action });
    }
    if (!facts) throw fail('instanceNotFound', { space, release });
    yield* containerLogs(this.#docker.getContainer(facts.id), opts, { action, closing: this.#closing.signal });
  }

  watch(onChange: (space: SpaceId) => void): () => void {
    this.#listeners.add(onChange);
    this.#cache.start();
    return () => {
      this.#listeners.delete(onChange);
    };
  }

  #notify(space: SpaceId): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(space);
      } catch (err) {
        this.#log.error({ err, space }, 'runtime watch listener failed');
      }
    }
  }

  /**
   * Make the Space network and its firewall now (at start: a host that cannot refuses to start), and
   * remove running containers of this install that are not on it (made before it; the reconciler
   * starts them again on it). A stopped one is replaced when it wakes (`apply`).
   */
  async prepare(): Promise<void> {
    if (!this.#network) return;
    const name = await this.#network.ensure();
    try {
      for (const facts of await this.#facts()) {
        if (!isRunning(facts) || facts.networks.includes(name)) continue;
        await this.#lock.run(facts.space, () => this.#removeContainer(facts.id));
        this.#log.info({ space: facts.space, release: facts.release, container: facts.id, network: name }, 'container off the Space network removed');
      }
    } catch (err) {
      throw mapDockerError(err, { action: `move the instances onto ${name}` });
    }
  }

  /** The Space network and its rules go too when no container of this install is left. */
  async close(): Promise<void> {
    this.#closing.abort();
    this.#listeners.clear();
    await this.#cache.close();
    if (this.#network && (await this.#facts().catch(() => [undefined])).length === 0) await this.#network.teardown().catch(() => undefined);
  }

  /** Inspect the containers of this install, of one Space, or of one release. */
  #facts(space?: SpaceId, release?: ReleaseId): Promise<ContainerFacts[]> {
    return listContainerFacts(this.#docker, this.#prefix, space, release);
  }
}
