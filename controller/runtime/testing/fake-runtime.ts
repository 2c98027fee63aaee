import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fail, systemClock, type Clock, type Flavor, type LogLine, type ReleaseId, type SpaceId } from '../../../core/index.js';
import { runtimeEnv } from '../docker/docker-create-options.js';
import { exitReason } from '../docker/docker-state.js';
import { KeyedLock } from '../keyed-lock.js';
import type { Instance, InstanceSpec, InstanceState, RunLogOptions, Runtime, StopOptions } from '../runtime.js';

export interface FakeRuntimeOptions {
  /** Started instances are ready at once (default); with false they stay `starting` until `setReady()`. */
  readyAfterApply?: boolean;
  /**
   * Serve a real HTTP app on 127.0.0.1 (ephemeral port) per running instance, like the test image:
   * `GET /cgi-bin/env` answers the environment as `KEY=VALUE` lines, any other path answers 200, and
   * every request is logged as `request {url}`. Default false: endpoints are `fake-runtime.invalid:{n}`,
   * which never resolve.
   */
  http?: boolean;
  /** Called after every start, to play the app: `emitLog()`, `crash()`, `setReady()`. */
  onStart?: (spec: InstanceSpec, runtime: FakeRuntime) => void;
  clock?: Clock;
  /** GPUs the fake can hand out (default 0: GPU flavors are refused, as on a Docker engine without GPUs). */
  gpus?: number;
}

/** How often each operation ran, for one release or in total. */
export interface FakeCounts {
  applies: number;
  creates: number;
  starts: number;
  stops: number;
  removes: number;
}

export type FakeOperation = 'apply' | 'list' | 'stop' | 'remove' | 'logs';

interface Follower {
  push(line: LogLine): void;
  end(): void;
}

interface FakeInstance {
  seq: number;
  spec: InstanceSpec;
  state: InstanceState;
  endpoint?: { host: string; port: number };
  startedAt?: number;
  starts: number;
  /** Restarts in place (as the kubelet's), of the current start. */
  inPlace?: { count: number; lastAt: number; reason: string };
  lines: LogLine[];
  followers: Set<Follower>;
  server?: http.Server;
}

const zeroCounts = (): FakeCounts => ({ applies: 0, creates: 0, starts: 0, stops: 0, removes: 0 });
const keyOf = (space: SpaceId, release: ReleaseId): string => `${space}\u0000${release}`;
const isRunningState = (s: InstanceState): boolean => s.kind === 'starting' || s.kind === 'ready';

/**
 * An in-memory Runtime for tests: deterministic (no timers), with controls to play the app
 * (`setReady`, `crash`, `fail`, `emitLog`), to inject errors (`failNext`) and to count calls
 * (`counts`). It passes the same contract suite as the Docker runtime.
 */
export class FakeRuntime implements Runtime {
  readonly name = 'fake';
  /** Every spec passed to apply(), in order. */
  readonly applied: InstanceSpec[] = [];
  readonly #opts: Required<Pick<FakeRuntimeOptions, 'readyAfterApply' | 'http'>> & FakeRuntimeOptions;
  readonly #clock: Clock;
  readonly #instances = new Map<string, FakeInstance>();
  readonly #counts = new Map<string, FakeCounts>();
  readonly #total = zeroCounts();
  readonly #listeners = new Set<(space: SpaceId) => void>();
  readonly #failures = new Map<FakeOperation, Error>();
  readonly #lock = new KeyedLock();
  #seq = 0;
  #fakePort = 10_000;

  constructor(opts: FakeRuntimeOptions = {}) {
    this.#opts = { readyAfterApply: true, http: false, ...opts };
    this.#clock = opts.clock ?? systemClock;
  }

  refuseFlavor(flavor: Flavor): string | undefined {
    const wants = flavor.gpu?.count ?? 0;
    if (wants <= (this.#opts.gpus ?? 0)) return undefined;
    return `Hardware "${flavor.name}" needs ${wants} GPU(s); this runtime has ${this.#opts.gpus ?? 0}.`;
  }

  /** Storage keys passed to removeStorage(), in order. */
  readonly removedStorage: string[] = [];
  /** Storage that exists: made by the first apply() that asks for it, gone with removeStorage(). */
  readonly #storage = new Set<string>();

  /** The keys of the storage that exists now. */
  storageKeys(): string[] {
    return [...this.#storage].sort();
  }

  /** As on Docker: instances that still mount the storage are removed first, then the storage. */
  async removeStorage(key: string): Promise<void> {
    this.removedStorage.push(key);
    for (const [k, inst] of [...this.#instances]) {
      if (inst.spec.storage?.key !== key) continue;
      this.#instances.delete(k);
      this.#count(inst.spec.space, inst.spec.release, 'removes');
      await this.#drop(inst);
      this.#notify(inst.spec.space);
    }
    this.#storage.delete(key);
  }

  // ---- Runtime ----

  apply(spec: InstanceSpec): Promise<void> {
    return this.#lock.run(spec.space, async () => {
      this.applied.push(spec);
      this.#count(spec.space, spec.release, 'applies');
      this.#maybeFail('apply');
      if (spec.storage) this.#storage.add(spec.storage.key);
      const key = keyOf(spec.space, spec.release);
      let inst = this.#instances.get(key);
      if (inst && inst.spec.image !== spec.image) {
        await this.#drop(inst);
        this.#instances.delete(key);
        inst = undefined;
      }
      if (!inst) {
        // Created, not started yet: the start below happens.
        inst = { seq: this.#seq++, spec, state: { kind: 'stopped' }, starts: 0, lines: [], followers: new Set() };
        this.#instances.set(key, inst);
        this.#count(spec.space, spec.release, 'creates');
      }
      if (isRunningState(inst.state)) return;
      inst.starts += 1;
      this.#count(spec.space, spec.release, 'starts');
      inst.endpoint = await this.#listen(inst);
      inst.startedAt = this.#clock.now();
      inst.state = this.#opts.readyAfterApply ? { kind: 'ready' } : { kind: 'starting' };
      this.#notify(spec.space);
      this.#opts.onStart?.(inst.spec, this);
    });
  }

  async list(space?: SpaceId): Promise<Instance[]> {
    this.#maybeFail('list');
    return [...this.#instances.values()]
      .filter((i) => space === undefined || i.spec.space === space)
      .sort((a, b) => a.spec.space.localeCompare(b.spec.space) || a.seq - b.seq)
      .map((i) => this.#snapshot(i));
  }

  stop(space: SpaceId, release: ReleaseId, _opts?: StopOptions): Promise<void> {
    return this.#lock.run(space, async () => {
      this.#count(space, release, 'stops');
      this.#maybeFail('stop');
      const inst = this.#instances.get(keyOf(space, release));
      if (!inst || inst.state.kind === 'stopped') return;
      await this.#halt(inst, { kind: 'stopped' });
    });
  }

  remove(space: SpaceId, opts: { keep?: ReleaseId } = {}): Promise<void> {
    return this.#lock.run(space, async () => {
      this.#maybeFail('remove');
      let removed = false;
      for (const [key, inst] of [...this.#instances]) {
        if (inst.spec.space !== space || inst.spec.release === opts.keep) continue;
        this.#instances.delete(key);
        this.#count(space, inst.spec.release, 'removes');
        await this.#drop(inst);
        removed = true;
      }
      if (removed) this.#notify(space);
    });
  }

  async *logs(space: SpaceId, release: ReleaseId, opts: RunLogOptions): AsyncGenerator<LogLine> {
    this.#maybeFail('logs');
    if (opts.signal?.aborted) return;
    const inst = this.#instances.get(keyOf(space, release));
    if (!inst) throw fail('instanceNotFound', { space, release });
    const history = opts.tail === undefined ? [...inst.lines] : inst.lines.slice(Math.max(0, inst.lines.length - Math.max(0, Math.floor(opts.tail))));
    if (!opts.follow || !isRunningState(inst.state)) {
      yield* history;
      return;
    }
    const queue: LogLine[] = [...history];
    let ended = false;
    let wake: (() => void) | undefined;
    const follower: Follower = {
      push: (line) => {
        queue.push(line);
        wake?.();
      },
      end: () => {
        ended = true;
        wake?.();
      },
    };
    const onAbort = (): void => follower.end();
    inst.followers.add(follower);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const line = queue.shift();
        if (line !== undefined) {
          yield line;
          continue;
        }
        if (ended || opts.signal?.aborted) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      inst.followers.delete(follower);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  watch(onChange: (space: SpaceId) => void): () => void {
    this.#listeners.add(onChange);
    return () => {
      this.#listeners.delete(onChange);
    };
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await Promise.all([...this.#instances.values()].map((i) => this.#drop(i, { keepState: true })));
  }

  // ---- test controls ----

  /** A starting instance becomes ready. */
  setReady(space: SpaceId, release: ReleaseId): void {
    const inst = this.#require(space, release);
    if (!isRunningState(inst.state)) throw new Error(`fake: ${space} ${release} is ${inst.state.kind}, not running`);
    inst.state = { kind: 'ready' };
    this.#notify(space);
  }

  /** The app exits on its own; `reason` defaults to its last lines of output, as in Docker. */
  crash(space: SpaceId, release: ReleaseId, exitCode = 1, reason?: string): void {
    const inst = this.#require(space, release);
    const why = reason ?? exitReason(exitCode, inst.lines.map((l) => l.data));
    void this.#halt(inst, { kind: 'exited', exitCode, reason: why });
  }

  /**
   * The runtime restarted the app by itself, in place (as the kubelet does after an exit or a failed
   * liveness probe) and it runs again: reported as `restartedInPlace`, the state unchanged.
   */
  restartInPlace(space: SpaceId, release: ReleaseId, reason: string, at = Date.now()): void {
    const inst = this.#require(space, release);
    inst.inPlace = { count: (inst.inPlace?.count ?? 0) + 1, lastAt: at, reason };
    this.#notify(space);
  }

  /** Stopped from outside (the engine shutting down, a `docker stop`): exited by SIGTERM, not a crash. */
  interrupt(space: SpaceId, release: ReleaseId): void {
    void this.#halt(this.#require(space, release), { kind: 'exited', exitCode: 143, reason: 'Stopped from outside the app.', interrupted: true });
  }

  /** The instance fails for good (out of memory, could not start); `capacity`: no room on nodes of its kind. */
  fail(space: SpaceId, release: ReleaseId, reason: string, opts: { capacity?: boolean } = {}): void {
    void this.#halt(this.#require(space, release), { kind: 'failed', reason, ...(opts.capacity ? { capacity: true } : {}) });
  }

  /** The app prints `data` (split into lines; a trailing newline is optional). */
  emitLog(space: SpaceId, release: ReleaseId, data: string): void {
    const inst = this.#require(space, release);
    const text = data.endsWith('\n') ? data.slice(0, -1) : data;
    const timestamp = new Date(this.#clock.now()).toISOString();
    for (const part of text.split('\n')) {
      const line = { timestamp, data: part };
      inst.lines.push(line);
      for (const f of inst.followers) f.push(line);
    }
  }

  /** The next call of `op` rejects with `error` (once). */
  failNext(op: FakeOperation, error: Error = fail('fakeOperationFailed', { op })): void {
    this.#failures.set(op, error);
  }

  /** Counts for one release, for one Space (all its releases), or in total. */
  counts(space?: SpaceId, release?: ReleaseId): FakeCounts {
    if (space === undefined) return { ...this.#total };
    if (release !== undefined) return { ...(this.#counts.get(keyOf(space, release)) ?? zeroCounts()) };
    const sum = zeroCounts();
    for (const [key, c] of this.#counts) {
      if (!key.startsWith(`${space}\u0000`)) continue;
      for (const k of Object.keys(sum) as (keyof FakeCounts)[]) sum[k] += c[k];
    }
    return sum;
  }

  /** The instance as list() would report it, or undefined. */
  instance(space: SpaceId, release: ReleaseId): Instance | undefined {
    const inst = this.#instances.get(keyOf(space, release));
    return inst ? this.#snapshot(inst) : undefined;
  }

  /** The spec the instance was created from. */
  specOf(space: SpaceId, release: ReleaseId): InstanceSpec | undefined {
    return this.#instances.get(keyOf(space, release))?.spec;
  }

  // ---- internals ----

  #snapshot(inst: FakeInstance): Instance {
    return {
      space: inst.spec.space,
      release: inst.spec.release,
      image: inst.spec.image,
      state: { ...inst.state },
      ...(inst.endpoint && isRunningState(inst.state) ? { endpoint: { ...inst.endpoint } } : {}),
      ...(inst.startedAt !== undefined ? { startedAt: inst.startedAt } : {}),
      restartCount: Math.max(0, inst.starts - 1),
      ...(inst.inPlace ? { restartedInPlace: { run: `start-${inst.starts}`, ...inst.inPlace } } : {}),
    };
  }

  #require(space: SpaceId, release: ReleaseId): FakeInstance {
    const inst = this.#instances.get(keyOf(space, release));
    if (!inst) throw new Error(`fake: no instance of ${space} release ${release}`);
    return inst;
  }

  async #halt(inst: FakeInstance, state: InstanceState): Promise<void> {
    inst.state = state;
    this.#notify(inst.spec.space);
    await this.#drop(inst, { keepState: true });
  }

  /** Close the app's server and end log followers. */
  async #drop(inst: FakeInstance, opts: { keepState?: boolean } = {}): Promise<void> {
    for (const f of [...inst.followers]) f.end();
    inst.endpoint = undefined;
    const server = inst.server;
    inst.server = undefined;
    if (!opts.keepState) inst.state = { kind: 'stopped' };
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  async #listen(inst: FakeInstance): Promise<{ host: string; port: number }> {
    if (!this.#opts.http) return { host: 'fake-runtime.invalid', port: this.#fakePort++ };
    const { spec } = inst;
    const env = { ...runtimeEnv(spec, spec.flavor.cpus), ...spec.env };
    const server = http.createServer((req, res) => {
      if (this.#instances.get(keyOf(spec.space, spec.release)) === inst) this.emitLog(spec.space, spec.release, `request ${req.url ?? '/'}`);
      const path = (req.url ?? '/').split('?')[0];
      const body = path === '/cgi-bin/env' ? Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join('') : `fake app ${spec.space} ${spec.release}\n`;
      res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    inst.server = server;
    return { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
  }

  #count(space: SpaceId, release: ReleaseId, what: keyof FakeCounts): void {
    const key = keyOf(space, release);
    const c = this.#counts.get(key) ?? zeroCounts();
    c[what] += 1;
    this.#counts.set(key, c);
    this.#total[what] += 1;
  }

  #maybeFail(op: FakeOperation): void {
    const err = this.#failures.get(op);
    if (!err) return;
    this.#failures.delete(op);
    throw err;
  }

  #notify(space: SpaceId): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(space);
      } catch {
        // a failing listener must not break the runtime
      }
    }
  }

}
