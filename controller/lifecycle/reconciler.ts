import { SecretMask, type ReleaseId } from '../../core/index.js';
import type { Instance } from '../runtime/runtime.js';
import type { ReleaseRecord, SpaceRecord } from '../store/records.js';
import { instanceSpecFor } from './instance-spec.js';
import { CrashHistory } from './crash-history.js';
import { LivenessCheck } from './liveness-check.js';
import { markAwake } from './mark-awake.js';
import { startupTimeoutOf } from './observe.js';
import { PassScheduler } from './pass-scheduler.js';
import { runLogTail } from './run-log-tail.js';
import type { ReconcilerOptions } from './reconciler-options.js';
import { summarizeRuntimeFailure } from './runtime-error-summary.js';
import { spaceRoute } from './space-route.js';
import type { StageResult } from './stage.js';

/** How long a new release may wait to be scheduled after its predecessor was stopped to make room. */
const MAKE_ROOM_GRACE_MS = 60_000;

/**
 * Level-triggered and idempotent: compares what the store wants (lifecycle, target release) with
 * what the runtime has, acts, then publishes the Space's route. One pass per Space at a time.
 */
export class Reconciler {
  readonly #o: ReconcilerOptions;
  readonly #passes: PassScheduler;
  readonly #crashes: CrashHistory;
  readonly #liveness: LivenessCheck;
  /** When we first asked for a release's instance (startup timeout counts from here). */
  readonly #startedAt = new Map<ReleaseId, number>();
  /** When a Space last became ready (a fresh Space is not idle). */
  readonly #readyAt = new Map<string, number>();
  /** Spaces woken by a visit and not ready yet. */
  readonly #waking = new Set<string>();
  readonly #stages = new Map<string, StageResult>();
  /** When traffic moved to a Space's current target (old instances drain until drainMs after). */
  readonly #switchedAt = new Map<string, { release: ReleaseId; at: number }>();
  /**
   * A new release that did not fit next to the one it replaces (a full GPU pool): the serving one
   * was stopped at `since` to free its node resources, as the Hub replaces a Space in place.
   */
  readonly #makingRoom = new Map<string, { release: ReleaseId; since: number }>();
  /** Releases started again after a stop from outside (engine shutdown) and not ready since. */
  readonly #quietRestarts = new Set<ReleaseId>();
  #unwatch?: () => void;

  constructor(opts: ReconcilerOptions) {
    this.#o = opts;
    this.#crashes = new CrashHistory(opts.crashPolicy);
    this.#liveness = new LivenessCheck({ policy: opts.livenessPolicy, probe: opts.livenessProbe, onHang: (uid) => void this.kick(uid), logger: opts.logger });
    const { runtime } = opts;
    this.#passes = new PassScheduler({
      pass: (uid) => this.#reconcile(uid),
      uids: () => opts.store.listSpaces().map((s) => s.uid),
      resync: runtime.resync ? () => runtime.resync!() : undefined,
      clock: opts.clock,
      logger: opts.logger,
      resyncMs: opts.resyncMs,
      fullResyncMs: opts.fullResyncMs,
    });
  }

  /** Reconcile every Space now, then keep watching the runtime and resyncing. */
  async start(): Promise<void> {
    this.#liveness.open();
    this.#unwatch = this.#o.runtime.watch((spaceId) => {
      const space = this.#o.store.getSpace(spaceId);
      if (space) void this.kick(space.uid);
    });
    await this.#passes.start();
  }

  /**
   * A pass over every Space (after one runtime resync). Never two at once, and in batches, so a
   * sweep over 10,000 Spaces leaves room for requests between them.
   */
  resyncAll(): Promise<void> {
    return this.#passes.sweep();
  }

  /** Ask for a pass over one Space (coalesced). */
  kick(uid: string): Promise<void> {
    return this.#passes.kick(uid);
  }

  /** A visit to a sleeping Space: start it once, however many visitors (true for the call that woke it). */
  async wake(uid: string): Promise<boolean> {
    if (!markAwake(this.#o.store, uid, this.#o.logger)) return false;
    this.#waking.add(uid);
    return this.kick(uid).then(() => true);
  }

  /** Forget a release's runtime failure and crash history (restart). */
  clearFailure(release: ReleaseId): void {
    this.#o.store.setReleaseFailure(release, undefined);
    this.#crashes.forget(release);
    this.#startedAt.delete(release);
  }

  stageOf = (uid: string): StageResult | undefined => this.#stages.get(uid);

  /**
   * The stage as of the last pass. Every change kicks a pass (API actions, builds, runtime events,
   * timers while something starts or sleeps), so reads need no Docker call of their own; a Space
   * never looked at yet gets a pass first.
   */
  async currentStage(uid: string): Promise<StageResult | undefined> {
    const cached = this.#stages.get(uid);
    if (cached) return cached;
    await this.kick(uid);
    return this.#stages.get(uid);
  }

  async close(): Promise<void> {
    this.#unwatch?.();
    this.#liveness.close();
    await this.#passes.close();
  }

  /** Look at a Space again in `ms` (an earlier request replaces a later one). */
  #later = (uid: string, ms: number): void => this.#passes.later(uid, ms);

  async #reconcile(uid: string): Promise<void> {
    this.#o.onPass?.();
    const { store, runtime, logger, clock } = this.#o;
    // Status writes below name this read's version: one the Space moved on from is refused, and the pass starts over.
    let space = store.getSpaceByUid(uid);
    if (!space) {
      this.#stages.delete(uid);
      return this.#o.routes.removeSpaceUid(uid);
    }
    const log = logger.child({ space: space.id });
    const instances = await runtime.list(space.id);
    const byRelease = new Map(instances.map((i) => [i.release, i]));
    for (const i of instances) if (i.state.kind === 'ready') this.#quietRestarts.delete(i.release);
    const target = space.targetRelease ? store.getRelease(space.targetRelease) : undefined;
    const previous = space.servingRelease && space.servingRelease !== space.targetRelease ? store.getRelease(space.servingRelease) : undefined;
    const seen = target && byRelease.get(target.id);
    const hang = this.#liveness.look(space.uid, space.lifecycle === 'active' ? target?.id : undefined, seen);
    if (hang) await this.#hung(space, target!, byRelease, hang);
    // Restarts the runtime made by itself (the kubelet's, in place) are crashes too: same history, same crash loop.
    const inPlace = seen?.restartedInPlace && this.#crashes.restartedInPlace(target!.id, seen.restartedInPlace, clock.now(), () => this.#masked(space!, summarizeRuntimeFailure(seen.restartedInPlace!.reason, '')));
    if (inPlace) log.warn({ release: target!.id, crashes: inPlace }, 'app crashed; the runtime restarted it in place');

    if (space.lifecycle !== 'active') {
      // Asleep or paused: no container runs (kept stopped, so waking is a start, not a create).
      for (const inst of instances) {
        if (inst.state.kind === 'ready' || inst.state.kind === 'starting') {
          await runtime.stop(space.id, inst.release, { sleep: space.lifecycle === 'asleep' && inst.state.kind === 'ready' });
          log.info({ release: inst.release, lifecycle: space.lifecycle }, 'stopped');
        }
      }
      this.#waking.delete(uid);
      this.#publish(space, undefined, undefined, instances);
      return;
    }

    const applying = target !== undefined && ['absent', 'stopped'].includes(byRelease.get(target.id)?.state.kind ?? 'absent');
    let pending = target ? await this.#driveTarget(space, target, byRelease.get(target.id)) : false;
    // Ready as soon as applied (a static tree: nothing starts): it serves in this pass, not at the next poll.
    const targetInst = target && applying && pending ? ((await runtime.list(space.id)).find((i) => i.release === target.id) ?? byRelease.get(target.id)) : target && byRelease.get(target.id);
    if (targetInst?.state.kind === 'ready') pending = false;
    if (targetInst?.state.kind === 'ready') {
      if (target!.failure) {
        // Refused earlier (no node could run it, a start that timed out), running now: what is
        // true now decides the stage.
        store.setReleaseFailure(target!.id, undefined);
        log.info({ release: target!.id }, 'release runs now: its earlier failure is cleared');
      }
      if (space.servingRelease !== target!.id) {
        const wrote = store.updateStatus(uid, space.version, { servingRelease: target!.id });
        if (wrote === 'conflict') return this.#reconcile(uid);
        space = wrote;
        log.info({ release: target!.id }, 'release serving');
      }
      if (instances.some((i) => i.release !== target!.id)) await this.#retireOthers(space, target!.id);
      this.#makingRoom.delete(uid);
      if (!this.#readyAt.has(uid) || this.#waking.has(uid)) this.#readyAt.set(uid, clock.now());
      this.#waking.delete(uid);
      this.#crashes.ready(target!.id, clock.now());
      const sleepInMs = this.#msUntilSleep(space);
      if (sleepInMs !== undefined && sleepInMs <= 0) {
        const slept = store.updateStatus(uid, space.version, { asleepSince: clock.now() }) !== 'conflict';
        if (slept) log.info({ idleSeconds: this.#o.sleepSecondsFor(space) }, 'going to sleep');
        return this.#reconcile(uid);
      }
      if (sleepInMs !== undefined) this.#later(uid, sleepInMs);
    } else if (previous && this.#makingRoom.get(uid)?.release === target?.id) {
      // The old release was stopped so the new one can be scheduled: do not start it again.
      pending = true;
    } else if (previous) {
      // The old release keeps serving until the new one answers.
      const prevInst = byRelease.get(previous.id);
      const prevInterrupted = prevInst?.state.kind === 'exited' && prevInst.state.interrupted && this.#quietRestartAllowed(previous.id);
      if (prevInterrupted) {
        await this.#quietRestart(space, previous);
        pending = true;
      } else if (!prevInst || prevInst.state.kind === 'stopped') {
        await runtime.apply(this.#spec(space, previous));
        pending = true;
      } else if (prevInst.state.kind === 'starting') {
        pending = true;
      }
    } else if (this.#readyAt.has(uid)) {
      this.#readyAt.delete(uid);
    }

    // Publish what is true now: this pass may have recorded a failure or started an instance.
    const fresh = await runtime.list(space.id);
    const freshTarget = target ? store.getRelease(target.id) : undefined;
    this.#publish(store.getSpaceByUid(uid) ?? space, freshTarget, previous, fresh);
    if (pending || this.#waking.has(uid)) this.#later(uid, this.#o.pollMs ?? 200);
  }

  /** Make the target release's instance exist and run; returns whether to look again soon. */
  async #driveTarget(space: SpaceRecord, target: ReleaseRecord, inst: Instance | undefined): Promise<boolean> {
    const { store, runtime, clock, logger } = this.#o;
    const log = logger.child({ space: space.id, release: target.id });
    if (target.failure) return false;
    const now = clock.now();
    const state = inst?.state.kind ?? 'absent';

    if (state === 'absent' || state === 'stopped') {
      const restartAt = this.#crashes.restartAt(target.id);
      if (restartAt !== undefined && restartAt > now) {
        this.#later(space.uid, restartAt - now);
        return false;
      }
      await runtime.apply(this.#spec(space, target));
      this.#startedAt.set(target.id, now);
      log.info({ image: target.image }, 'instance starting');
      return true;
    }
    if (state === 'starting') {
      const since = this.#startedAt.get(target.id) ?? inst?.startedAt ?? now;
      if (!this.#startedAt.has(target.id)) this.#startedAt.set(target.id, since);
      const timeout = startupTimeoutOf(target.config);
      if (now - since > timeout) {
        const tail = await runLogTail(this.#o.runtime, space.id, target.id);
        const message = `The app did not answer on port ${target.port} within ${Math.round(timeout / 1000)} s (startup_duration_timeout).${tail ? `\n${tail}` : ''}`;
        store.setReleaseFailure(target.id, this.#masked(space, message));
        await runtime.stop(space.id, target.id);
        log.warn({ timeoutMs: timeout }, 'startup timed out');
        return false;
      }
      return true;
    }
    if (inst?.state.kind === 'exited' && inst.state.interrupted && this.#quietRestartAllowed(target.id)) {
      // Stopped by the engine (it shut down) or by an operator: not a crash. Start it again, no backoff.
      await this.#quietRestart(space, target);
      this.#startedAt.set(target.id, now);
      log.info('instance was stopped from outside (engine shutdown or docker stop), not a crash: starting it again');
      return true;
    }
    if (state === 'exited' || state === 'failed') {
      const reason = inst!.state.kind === 'exited' || inst!.state.kind === 'failed' ? inst!.state.reason : '';
      const everReady = space.servingRelease === target.id;
      if (!everReady && inst!.state.kind === 'failed' && inst!.state.capacity) {
        const room = this.#makingRoom.get(space.uid);
        if (room?.release === target.id && now - room.since < MAKE_ROOM_GRACE_MS) {
          this.#later(space.uid, 1_000);
          return true;
        }
        if (room?.release !== target.id && (await this.#makeRoom(space, target))) return true;
        this.#makingRoom.delete(space.uid);
      }
      if (!everReady) {
        const tail = await runLogTail(this.#o.runtime, space.id, target.id);
        store.setReleaseFailure(target.id, this.#masked(space, summarizeRuntimeFailure(reason, tail)));
        log.warn({ reason: this.#masked(space, reason) }, 'app failed to start');
        return false;
      }
      // It ran, then crashed: restart with growing delays; repeated crashes are a crash loop.
      const restartAt = this.#crashes.restartAt(target.id);
      if (restartAt !== undefined && restartAt > now) {
        this.#later(space.uid, restartAt - now);
        return false;
      }
      const tail = await runLogTail(this.#o.runtime, space.id, target.id);
      const { attempt } = this.#crashes.crashed(target.id, now, this.#masked(space, summarizeRuntimeFailure(reason, tail)));
      log.warn({ reason: this.#masked(space, reason), attempt }, 'app crashed; restarting');
      await runtime.apply(this.#spec(space, target));
      this.#startedAt.set(target.id, now);
      return true;
    }
    return false;
  }

  /** A hung app (liveness-check.ts) is a crash: history, backoff, RUNTIME_ERROR when it repeats; stopped, restarted by `#driveTarget`. */
  async #hung(space: SpaceRecord, target: ReleaseRecord, byRelease: Map<ReleaseId, Instance>, hang: string): Promise<void> {
    const tail = await runLogTail(this.#o.runtime, space.id, target.id);
    const { attempt } = this.#crashes.crashed(target.id, this.#o.clock.now(), this.#masked(space, tail ? `${hang}\n${tail}` : hang));
    this.#o.logger.warn({ space: space.id, release: target.id, attempt }, 'app hung (liveness); restarting');
    await this.#o.runtime.stop(space.id, target.id);
    byRelease.set(target.id, { ...byRelease.get(target.id)!, state: { kind: 'stopped' } });
  }

  /**
   * An instance stopped from outside is started again quietly, but not over and over: one stopped
   * from outside again before it was ever ready since such a start goes through the crash path.
   */
  #quietRestartAllowed(release: ReleaseId): boolean {
    if (this.#quietRestarts.has(release)) return false;
    this.#quietRestarts.add(release);
    return true;
  }

  /** Start an instance stopped from outside; a start the engine refuses (it is still shutting down or starting) may be tried again. */
  async #quietRestart(space: SpaceRecord, release: ReleaseRecord): Promise<void> {
    try {
      await this.#o.runtime.apply(this.#spec(space, release));
    } catch (err) {
      this.#quietRestarts.delete(release.id);
      throw err;
    }
  }

  /**
   * The target does not fit while its predecessor holds node resources of the same kind (the same
   * GPU product, or both CPU): stop the predecessor so the scheduler can place the target. A target
   * of another kind (a flavor no node offers) never takes the old release down.
   */
  async #makeRoom(space: SpaceRecord, target: ReleaseRecord): Promise<boolean> {
    const previous = space.servingRelease && space.servingRelease !== target.id ? this.#o.store.getRelease(space.servingRelease) : undefined;
    if (!previous) return false;
    const kind = (r: ReleaseRecord) => this.#o.flavorFor(r.hardware ?? space.hardware).gpu?.product ?? 'cpu';
    if (kind(previous) !== kind(target)) return false;
    await this.#o.runtime.stop(space.id, previous.id);
    this.#makingRoom.set(space.uid, { release: target.id, since: this.#o.clock.now() });
    this.#o.logger.info({ space: space.id, stopped: previous.id, release: target.id }, 'no room for the new release next to the old one: old release stopped');
    return true;
  }

  /**
   * Zero-downtime switch: the route to the new release is published first (this pass ends with
   * it); the old instances are removed only after a drain period, so requests already on their way
   * to them finish.
   */
  async #retireOthers(space: SpaceRecord, keep: ReleaseId): Promise<void> {
    const now = this.#o.clock.now();
    const drainMs = this.#o.drainMs ?? 5_000;
    const switched = this.#switchedAt.get(space.uid);
    if (!switched || switched.release !== keep) {
      this.#switchedAt.set(space.uid, { release: keep, at: now });
      this.#later(space.uid, drainMs);
      return;
    }
    if (now - switched.at < drainMs) {
      this.#later(space.uid, drainMs - (now - switched.at));
      return;
    }
    await this.#o.runtime.remove(space.id, { keep });
    this.#o.logger.info({ space: space.id, keep }, 'old releases removed');
  }

  /** Milliseconds until the Space has been idle for its sleep time (≤ 0: now), or undefined if it never sleeps. */
  #msUntilSleep(space: SpaceRecord): number | undefined {
    const seconds = this.#o.sleepSecondsFor(space);
    if (seconds < 0) return undefined;
    const last = Math.max(this.#o.lastActivity(space.uid) ?? 0, this.#readyAt.get(space.uid) ?? 0, space.lastActiveAt ?? 0);
    return last + seconds * 1000 - this.#o.clock.now();
  }

  /** A release's failure message is shown to every reader of the Space: the app's output in it must not carry secret values. */
  #masked(space: SpaceRecord, message: string): string {
    return new SecretMask(this.#o.store.listSettings(space.uid, 'secret').map((s) => s.value)).apply(message);
  }

  #spec(space: SpaceRecord, release: ReleaseRecord) {
    const { store } = this.#o;
    return instanceSpecFor({
      space,
      release,
      flavor: this.#o.flavorFor(release.hardware ?? space.hardware),
      domain: this.#o.domain,
      publicPort: this.#o.publicPort?.(),
      variables: store.listSettings(space.uid, 'variable'),
      secrets: store.listSettings(space.uid, 'secret'),
    });
  }

  #publish(space: SpaceRecord, target: ReleaseRecord | undefined, previous: ReleaseRecord | undefined, instances: Instance[]): void {
    const byRelease = new Map(instances.map((i) => [i.release, i]));
    const { result, route } = spaceRoute({
      space,
      build: this.#o.store.latestBuild(space.uid),
      target,
      targetInst: target ? byRelease.get(target.id) : undefined,
      prevInst: previous ? byRelease.get(previous.id) : undefined,
      waitingForRoom: target !== undefined && this.#makingRoom.get(space.uid)?.release === target.id,
      crashLoop: target ? this.#crashes.loop(target.id) : undefined,
      waking: this.#waking.has(space.uid),
    });
    const before = this.#stages.get(space.uid);
    if (before?.stage !== result.stage) this.#o.logger.info({ space: space.id, stage: result.stage }, 'stage');
    this.#stages.set(space.uid, result);
    this.#o.routes.publish(route);
  }
}
