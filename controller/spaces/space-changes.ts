import { fail, isStorageDowngrade, type Flavor, type StorageTier } from '../../core/index.js';
import type { ReleaseRecord, SettingKind, SpaceRecord } from '../store/records.js';
import { writeStatus } from '../store/write-status.js';
import { sdkTraits } from '../../templates/index.js';
import { reservedEnvName } from './reserved-env.js';
import type { SpaceServiceOptions } from './space-service-types.js';

export type SpaceChangesOptions = Pick<SpaceServiceOptions, 'store' | 'runtime' | 'pipeline' | 'reconciler' | 'logger'> & {
  /** A flavor that is offered here, or a 400 naming it and why. */
  flavorFor(hardware: string): Flavor;
};

/**
 * Changes to a Space the caller may already write (`SpaceService.getForWrite`): pause and restart,
 * sleep time, hardware, storage, secrets and variables. A change that needs new instances is a new
 * release, deployed like a push, so a bad value never takes the serving release down.
 */
export class SpaceChanges {
  readonly #o: SpaceChangesOptions;

  constructor(opts: SpaceChangesOptions) {
    this.#o = opts;
  }

  async pause(space: SpaceRecord): Promise<void> {
    if (!sdkTraits(space.sdk).pausable) throw fail('staticCannotPause');
    this.#o.store.updateSpec(space.uid, { paused: true });
    this.#o.logger.info({ space: space.id }, 'paused');
    await this.#o.reconciler.kick(space.uid);
  }

  /** Hub semantics: from any stage; `factory` rebuilds without the layer cache. */
  async restart(space: SpaceRecord, opts: { factory: boolean }): Promise<void> {
    const { store, pipeline, reconciler, logger } = this.#o;
    store.updateSpec(space.uid, { paused: false });
    // The owner asks it to run now: a sleeping Space wakes (a status fact, written on a fresh read).
    writeStatus(store, space.uid, (s) => (s.asleepSince !== undefined ? { asleepSince: undefined } : undefined));
    logger.info({ space: space.id, factory: opts.factory }, 'restart');
    const latest = store.latestBuild(space.uid);
    // A build still queued or running (perhaps hung) is cancelled and started again, as the Hub's restart does.
    const building = latest?.status === 'queued' || latest?.status === 'running';
    if (opts.factory || building || latest?.status === 'failed' || !space.targetRelease) {
      await pipeline.enqueue(space.uid, { noCache: opts.factory, force: true });
      await reconciler.kick(space.uid);
    } else {
      await this.#restartInstances(space);
    }
  }

  async setSleepTime(space: SpaceRecord, seconds: number): Promise<void> {
    if (!Number.isInteger(seconds) || (seconds < 1 && seconds !== -1)) {
      throw fail('sleepSecondsInvalid');
    }
    this.#o.store.updateSpec(space.uid, { sleepSeconds: seconds });
    await this.#o.reconciler.kick(space.uid);
  }

  /**
   * A hardware change is a new release of the same image on the new flavor, deployed like a push:
   * the old release serves until the new one is ready (`hardware.current` changes then); if no node
   * can take the new flavor, the old one keeps serving and the stage says why.
   */
  async setHardware(space: SpaceRecord, flavor: string, sleepSeconds?: number): Promise<void> {
    const { store, reconciler } = this.#o;
    this.#o.flavorFor(flavor);
    store.updateSpec(space.uid, { hardware: flavor, ...(sleepSeconds !== undefined ? { sleepSeconds } : {}) });
    const fresh = store.getSpaceByUid(space.uid);
    const target = fresh?.targetRelease ? store.getRelease(fresh.targetRelease) : undefined;
    if (!fresh || !target) return;
    if ((target.hardware ?? fresh.hardware) === flavor && !target.failure) {
      await reconciler.kick(fresh.uid);
      return;
    }
    await this.#redeploy(fresh, 'hardware change', flavor);
  }

  /**
   * A new release of the same image (on `hardware`, else the target's), deployed like a push: the
   * serving release keeps the traffic until the new one answers; if the new one fails, the old one
   * keeps serving and the stage says why. Used for hardware, variables and secrets.
   */
  async #redeploy(space: SpaceRecord, why: string, hardware?: string): Promise<void> {
    const { store, reconciler, logger } = this.#o;
    let release = undefined as ReleaseRecord | undefined;
    // The new release is of the target read here: a build that lands meanwhile makes this write a conflict, decided again.
    const fresh = writeStatus(store, space.uid, (s) => {
      const target = s.targetRelease ? store.getRelease(s.targetRelease) : undefined;
      if (!target) return undefined;
      const { id: _id, failure: _failure, createdAt: _createdAt, ...same } = target;
      release = store.addRelease({ ...same, hardware: hardware ?? target.hardware ?? s.hardware });
      return { targetRelease: release.id };
    });
    if (!fresh || !release) return;
    logger.info({ space: fresh.id, hardware: release.hardware, release: release.id }, `${why}: new release`);
    await reconciler.kick(fresh.uid);
  }

  // ---- persistent storage (/data)

  /** The Hub's rule: a tier can be upgraded, not downgraded; the same tier changes nothing. Restarts the Space so the volume is mounted. */
  async setStorage(space: SpaceRecord, tier: StorageTier): Promise<void> {
    if (!sdkTraits(space.sdk).persistentStorage) throw fail('staticNoStorage');
    const current = this.#o.store.getSpaceByUid(space.uid)?.storageTier;
    if (current === tier) return;
    if (current && isStorageDowngrade(current, tier)) {
      throw fail('storageDowngrade', { space: space.id, current, tier });
    }
    this.#o.store.updateSpec(space.uid, { storageTier: tier });
    this.#o.logger.info({ space: space.id, tier, was: current ?? null }, 'storage set');
    await this.#restartInstances(space);
  }

  /**
   * Delete the Space's storage and its data; the Space restarts without `/data`. As on the Hub, a
   * Space without storage is a 400. If the runtime fails, the tier stays so the request can be retried.
   */
  async deleteStorage(space: SpaceRecord): Promise<void> {
    const { store, runtime, logger } = this.#o;
    const had = store.getSpaceByUid(space.uid)?.storageTier;
    if (!had) throw fail('noStorageToDelete', { space: space.id });
    // The tier goes first, so an instance started meanwhile does not mount the volume; the instances
    // go next (nothing may still mount it), then the volume; the reconciler starts the app again without it.
    store.updateSpec(space.uid, { storageTier: undefined });
    try {
      await this.#restartInstances(space, () => runtime.removeStorage(space.uid));
    } catch (err) {
      store.updateSpec(space.uid, { storageTier: had });
      throw err;
    }
    logger.info({ space: space.id, was: had }, 'storage deleted');
  }

  // ---- secrets and variables

  settings(space: SpaceRecord, kind: SettingKind) {
    return this.#o.store.listSettings(space.uid, kind);
  }

  /** A changed variable or secret is a new release (see #redeploy): a bad value never takes the Space down. */
  async upsertSetting(space: SpaceRecord, kind: SettingKind, s: { key: string; value: string; description?: string }): Promise<void> {
    const reserved = reservedEnvName(s.key);
    if (reserved) throw fail('settingNameReserved', { key: s.key, kind, reason: reserved });
    this.#o.store.upsertSetting(space.uid, kind, s);
    // A sleeping Space's snapshot holds the old values: deleted now, not at its next wake.
    await this.#o.runtime.dropSnapshots?.(space.id);
    await this.#redeploy(space, `${kind} ${s.key} changed`);
  }

  async deleteSetting(space: SpaceRecord, kind: SettingKind, key: string): Promise<void> {
    this.#o.store.deleteSetting(space.uid, kind, key);
    await this.#o.runtime.dropSnapshots?.(space.id);
    await this.#redeploy(space, `${kind} ${key} deleted`);
  }

  /**
   * Env or mounts changed: start the release again with them (the reconciler re-creates the
   * instance). `whileDown` runs once the instances are gone, before they are started again.
   */
  async #restartInstances(space: SpaceRecord, whileDown?: () => Promise<void>): Promise<void> {
    const fresh = this.#o.store.getSpaceByUid(space.uid);
    if (!fresh?.targetRelease) {
      await whileDown?.();
      return;
    }
    this.#o.reconciler.clearFailure(fresh.targetRelease);
    await this.#o.runtime.remove(fresh.id);
    await whileDown?.();
    await this.#o.reconciler.kick(fresh.uid);
  }
}
