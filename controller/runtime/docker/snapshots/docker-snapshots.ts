import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type Dockerode from 'dockerode';
import type { Logger } from '../../../../core/index.js';
import type { InstanceSpec } from '../../runtime.js';
import { runCommand, type RunCommand } from './snapshot-support.js';
import { settingsHash, type SnapshotKey, type SnapshotLookup, type SnapshotStore } from './snapshot-store.js';

/** The OCI runtime dockerd knows as this name restores on create (scripts/criu/restore-runtime.sh). */
export const RESTORE_RUNTIME = 'spaceport-restore';
/** Label with the settings hash a container was created with (its env is in `docker inspect` anyway). */
const SETTINGS_LABEL = 'spaceport.settings';

/** How one wake of a stopped container went: restored from its snapshot, or cold and why. */
export type SnapshotWake =
  | { outcome: 'restored'; space: string; takenAt: number }
  | { outcome: 'cold'; space: string; reason: Exclude<SnapshotLookup, { kind: 'ready' }>['reason'] | 'restore-failed' };

export interface DockerSnapshotsOptions {
  store: SnapshotStore;
  criu: string;
  /** runc's state root of the engine's containers: `<exec root>/runtime-runc/moby`. */
  runcRoot: string;
  logger: Logger;
  run?: RunCommand;
  /** Deadline of one `runc checkpoint` (a big app dumps ~1 s per GB on a quiet host). */
  dumpTimeoutMs?: number;
  /** Called once per wake of a stopped container (for the metrics). */
  onWake?: (wake: SnapshotWake) => void;
}

/** What the Docker runtime asks of snapshots: the hooks around create, stop, start and remove. */
export class DockerSnapshots {
  readonly #o: DockerSnapshotsOptions;
  readonly #run: RunCommand;
  readonly #log: Logger;

  constructor(options: DockerSnapshotsOptions) {
    this.#o = options;
    this.#run = options.run ?? runCommand;
    this.#log = options.logger.child({ module: 'snapshots' });
  }

  /** The settings part of a snapshot's key: what the process carries from its start. */
  settingsOf(spec: InstanceSpec): string {
    const secret = new Set(spec.secretKeys ?? []);
    const pick = (want: boolean) => Object.fromEntries(Object.entries(spec.env).filter(([k]) => secret.has(k) === want));
    return settingsHash({ env: pick(false), secrets: pick(true), hardware: spec.flavor.name });
  }

  /** Containers run with the restoring runtime and carry their settings hash. */
  createOptions(spec: InstanceSpec, o: Dockerode.ContainerCreateOptions): Dockerode.ContainerCreateOptions {
    return { ...o, Labels: { ...o.Labels, [SETTINGS_LABEL]: this.settingsOf(spec) }, HostConfig: { ...o.HostConfig, Runtime: RESTORE_RUNTIME } };
  }

  /**
   * Sleep: dump the running container into the store (CRIU ends its processes; Docker sees it exit).
   * False when it could not be dumped (not made with the restoring runtime, CRIU refused): the caller
   * stops it the old way and the next wake is cold.
   */
  async checkpoint(container: Dockerode.Container, space: string): Promise<boolean> {
    try {
      return await this.#checkpoint(container, space);
    } catch (err) {
      this.#log.warn({ space, container: container.id, err }, 'snapshot: dump failed; stopping without one (the next wake is cold)');
      return false;
    }
  }

  async #checkpoint(container: Dockerode.Container, space: string): Promise<boolean> {
    const info = await container.inspect();
    const settings = info.Config.Labels?.[SETTINGS_LABEL];
    if (info.HostConfig.Runtime !== RESTORE_RUNTIME || !settings || !info.State.Running) return false;
    const key: SnapshotKey = { space, container: info.Id, release: info.Config.Image, settings };
    const { images, work } = this.#o.store.begin(key);
    const started = Date.now();
    const r = await this.#run(
      'runc',
      ['--root', this.#o.runcRoot, '--criu', this.#o.criu, 'checkpoint', '--image-path', images, '--work-path', work, '--file-locks', info.Id],
      this.#o.dumpTimeoutMs ?? 120_000,
    );
    if (r.code !== 0) {
      this.#o.store.remove(info.Id);
      const problem = r.output.split('\n').find((l) => /Error|error/.test(l))?.slice(0, 300) ?? r.startError ?? `exit ${r.code}`;
      this.#log.warn({ space, container: info.Id, problem }, 'snapshot: dump failed; stopping without one (the next wake is cold)');
      return false;
    }
    const { meta, evicted } = this.#o.store.commit(key);
    this.#log.info({ space, container: info.Id, bytes: meta.bytes, dumpMs: Date.now() - started, evicted: evicted.length }, 'snapshot taken');
    return true;
  }

  /** Before starting a stopped container: whether a valid snapshot for this release and these settings is there (an invalid one is deleted). */
  beforeStart(id: string, spec: InstanceSpec): SnapshotLookup {
    const found = this.#o.store.lookup({ space: spec.space, container: id, release: spec.image, settings: this.settingsOf(spec) });
    if (found.kind === 'none' && found.reason !== 'missing') this.#log.info({ space: spec.space, container: id, reason: found.reason }, 'snapshot deleted: waking cold');
    return found;
  }

  /** After the start: what the restoring runtime did. The snapshot is spent either way (the next sleep takes a new one). */
  afterStart(id: string, spec: InstanceSpec, before: SnapshotLookup): SnapshotWake {
    let wake: SnapshotWake;
    if (before.kind === 'ready') {
      const outcome = this.#outcome(id);
      wake = outcome === 'restored' ? { outcome, space: spec.space, takenAt: before.meta.takenAt } : { outcome: 'cold', space: spec.space, reason: 'restore-failed' };
      this.#o.store.remove(id);
      if (wake.outcome === 'restored') this.#log.info({ space: spec.space, container: id, takenAt: new Date(before.meta.takenAt).toISOString() }, 'restored from snapshot');
      else this.#log.warn({ space: spec.space, container: id }, 'snapshot: restore failed; started cold');
    } else {
      wake = { outcome: 'cold', space: spec.space, reason: before.reason };
    }
    this.#o.onWake?.(wake);
    return wake;
  }

  #outcome(id: string): string | undefined {
    try {
      return readFileSync(path.join(this.#o.store.root, id, 'outcome'), 'utf8').trim();
    } catch {
      return undefined;
    }
  }

  /** The container is gone (replaced by a new release, or the Space deleted): so is its snapshot. */
  forget(id: string): void {
    this.#o.store.remove(id);
    // The container's CRIU configuration, written by the restoring runtime at each create.
    rmSync(path.join(this.#o.store.root, `${id}.criu.conf`), { force: true });
  }

  /** Every snapshot of a Space (its variables or secrets changed: they hold the old ones). */
  forgetSpace(space: string): void {
    const n = this.#o.store.removeSpace(space);
    if (n > 0) this.#log.info({ space, deleted: n }, 'snapshot deleted: variables or secrets changed');
  }

  /** Expired snapshots, then the oldest past the budget. */
  prune(): void {
    const evicted = this.#o.store.prune();
    if (evicted.length > 0) this.#log.info({ evicted: evicted.length }, 'snapshots evicted (age or disk budget)');
  }
}
