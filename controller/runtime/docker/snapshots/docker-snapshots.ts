import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type Dockerode from 'dockerode';
import type { Logger } from '../../../../core/index.js';
import type { InstanceSpec } from '../../runtime.js';
import { joinSandbox, type NetnsSandboxes, type Sandbox } from './netns-sandbox.js';
import { runCommand, type RunCommand } from './snapshot-support.js';
import { settingsHash, type SnapshotKey, type SnapshotLookup, type SnapshotStore } from './snapshot-store.js';

/** The OCI runtime dockerd knows as this name restores on create (scripts/criu/restore-runtime.sh). */
export const RESTORE_RUNTIME = 'spaceport-restore';
/** Label with the settings hash a container was created with (its env is in `docker inspect` anyway). */
const SETTINGS_LABEL = 'spaceport.settings';

/** How one wake of a stopped container went: restored from its snapshot, or cold and why. */
export type SnapshotWake =
  | { outcome: 'restored'; space: string; takenAt: number; restore?: RestoreFacts }
  | { outcome: 'cold'; space: string; reason: Exclude<SnapshotLookup, { kind: 'ready' }>['reason'] | 'restore-failed' };

/** What the restoring runtime reports of one restore (scripts/criu/restore-runtime.sh). */
export interface RestoreFacts {
  /** `lazy`: memory served on demand by `criu lazy-pages`; `eager`: all of it read before the app ran. */
  pages: 'lazy' | 'eager';
  /** Why a lazy restore was asked for and not done (the daemon, the kernel), when so. */
  lazyFallback?: string;
  /** When dockerd's shim called the runtime's `create` (epoch ms). */
  runtimeCalledAt?: number;
  /** How long `runc restore` (CRIU) took, in ms. */
  restoreMs?: number;
}

/**
 * Lazy pages: a snapshot of at least `minBytes` is restored with its pages served on demand
 * (SPACEPORT_SNAPSHOT_LAZY_MB); `unavailable` says why this host cannot (no userfaultfd), and
 * every restore is then eager. The lazy-pages daemon of each restore is killed past `deadlineS`.
 */
export interface LazyPagesOptions {
  minBytes: number;
  deadlineS?: number;
  unavailable?: string;
}

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
  /** Unset: every restore is eager. */
  lazyPages?: LazyPagesOptions;
  /** Network sandboxes the apps join (netns-sandbox.ts: a restore skips Docker's network hook); unset: apps get a network of their own. */
  sandboxes?: NetnsSandboxes;
}

/** CRIU's `Error (...)` lines of a dump log (the first three, each cut to 300 characters), if any. */
export function criuErrors(logFile: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return undefined;
  }
  const errors = text.split('\n').filter((l) => /\bError \(/.test(l)).slice(0, 3).map((l) => l.trim().slice(0, 300));
  return errors.length > 0 ? errors.join(' | ') : undefined;
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

  /** Containers run with the restoring runtime and carry their settings hash; in their network sandbox's namespace when they have one. */
  createOptions(spec: InstanceSpec, o: Dockerode.ContainerCreateOptions, sandbox?: Sandbox): Dockerode.ContainerCreateOptions {
    const joined = sandbox ? joinSandbox(o, sandbox) : o;
    return { ...joined, Labels: { ...joined.Labels, [SETTINGS_LABEL]: this.settingsOf(spec) }, HostConfig: { ...joined.HostConfig, Runtime: RESTORE_RUNTIME } };
  }

  /** The network sandbox of an app about to be created with these options (started), when sandboxes are on and it could be made. */
  async sandboxFor(app: Dockerode.ContainerCreateOptions): Promise<Sandbox | undefined> {
    return this.#o.sandboxes?.create(app);
  }

  /** Whether a kept app's sandbox (`ContainerFacts.sandbox`) is gone or stopped (it cannot start: the caller replaces it, cold). */
  async sandboxLost(sandbox: string | undefined): Promise<boolean> {
    return sandbox !== undefined && ((await this.#o.sandboxes?.lost(sandbox)) ?? false);
  }

  /** Remove an app's container with `remove`, then its sandbox, if it has one. */
  async removeWithSandbox(id: string, remove: () => Promise<void>): Promise<void> {
    const sandbox = await this.#o.sandboxes?.of(id);
    await remove();
    if (sandbox) await this.#o.sandboxes!.remove(sandbox);
  }

  /** Remove a sandbox made for a container that was then not created. */
  async dropSandbox(sandbox: Sandbox | undefined): Promise<void> {
    if (sandbox) await this.#o.sandboxes?.remove(sandbox.id);
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
      // runc 1.1 reports a failed dump as "container still running" (its clean-up after the failure);
      // CRIU's own reason is in the work directory's dump.log, which goes with the failed snapshot.
      const criu = criuErrors(path.join(work, 'dump.log'));
      this.#o.store.remove(info.Id);
      const problem = r.output.split('\n').find((l) => /Error|error/.test(l))?.slice(0, 300) ?? r.startError ?? `exit ${r.code}`;
      this.#log.warn({ space, container: info.Id, problem, ...(criu ? { criu } : {}) }, 'snapshot: dump failed; stopping without one (the next wake is cold)');
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
    const lazy = this.#o.lazyPages;
    if (found.kind === 'ready' && lazy && found.meta.bytes >= lazy.minBytes) {
      if (lazy.unavailable) this.#log.info({ space: spec.space, container: id, bytes: found.meta.bytes, reason: lazy.unavailable }, 'snapshot: restoring eagerly (no lazy pages here)');
      else this.#o.store.requestLazy(id, lazy.deadlineS ?? 300);
    }
    return found;
  }

  /** After the start: what the restoring runtime did. The snapshot is spent either way (the next sleep takes a new one). */
  afterStart(id: string, spec: InstanceSpec, before: SnapshotLookup): SnapshotWake {
    let wake: SnapshotWake;
    if (before.kind === 'ready') {
      const outcome = this.#read(id, 'outcome');
      const restore = outcome === 'restored' ? this.#restoreFacts(id) : undefined;
      wake = restore ? { outcome: 'restored', space: spec.space, takenAt: before.meta.takenAt, restore } : { outcome: 'cold', space: spec.space, reason: 'restore-failed' };
      // (A lazy-pages daemon still streaming holds the image files open: their removal waits for it.)
      this.#o.store.remove(id);
      if (restore) {
        const facts = { space: spec.space, container: id, takenAt: new Date(before.meta.takenAt).toISOString(), pages: restore.pages, restoreMs: restore.restoreMs };
        this.#log.info(facts, 'restored from snapshot');
        if (restore.lazyFallback) this.#log.warn({ space: spec.space, container: id, reason: restore.lazyFallback }, 'snapshot: lazy pages failed; restored eagerly');
      } else {
        this.#log.warn({ space: spec.space, container: id }, 'snapshot: restore failed; started cold');
      }
    } else {
      wake = { outcome: 'cold', space: spec.space, reason: before.reason };
    }
    this.#o.onWake?.(wake);
    return wake;
  }

  #read(id: string, file: string): string | undefined {
    try {
      return readFileSync(path.join(this.#o.store.root, id, file), 'utf8').trim();
    } catch {
      return undefined;
    }
  }

  /** The runtime's `pages`, `lazy-fallback` and `timings` ("<called> <restore began> <restore ended>", epoch seconds). */
  #restoreFacts(id: string): RestoreFacts {
    const facts: RestoreFacts = { pages: this.#read(id, 'pages') === 'lazy' ? 'lazy' : 'eager' };
    const fallback = this.#read(id, 'lazy-fallback');
    if (fallback) facts.lazyFallback = fallback.slice(0, 300);
    const [called, began, ended] = (this.#read(id, 'timings') ?? '').split(' ').map(Number);
    if (called && began && ended) {
      facts.runtimeCalledAt = Math.round(called * 1000);
      facts.restoreMs = Math.round((ended - began) * 1000);
    }
    return facts;
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
