import { randomBytes } from 'node:crypto';
import {
  SpaceportError,
  isSpaceportError,
  isStorageDowngrade,
  toSpaceId,
  type Flavor,
  type SpaceId,
  type StorageTier,
} from '../../core/index.js';
import { GRANT_PATH, GRANT_TTL_SECONDS, signGrant } from '../../proxy/index.js';
import { assertCanCreateIn, assertCanWrite, canRead, canReadCode, canUseApp, type Principal } from '../auth/index.js';
import { branchFromWebhook, validateBranchName, validateUpstreamUrl, verifyWebhookSignature } from '../git/index.js';
import { appAccessOf } from '../lifecycle/index.js';
import type { SettingKind, SpaceRecord, Upstream, Visibility } from '../store/records.js';
import type { CreateSpaceInput, DuplicateSpaceInput, SpaceServiceOptions } from './space-service-types.js';
import { sleepSecondsFor } from './sleep-policy.js';
import { redactUrl, runtimeJson, spaceHost, spaceInfoJson, type HubUrls } from './hub-json.js';
import { reservedEnvName } from './reserved-env.js';
import { trustedHost } from './trusted-host.js';

export type { CreateSpaceInput, DuplicateSpaceInput, SpaceServiceOptions } from './space-service-types.js';

/**
 * What the API can do to Spaces. Handlers stay thin; every permission check and every state
 * change of a Space goes through here.
 */
export class SpaceService {
  readonly #o: SpaceServiceOptions;

  constructor(opts: SpaceServiceOptions) {
    this.#o = opts;
  }

  /** The flavors this installation offers: configured, and runnable by this runtime. */
  offeredFlavors(): Flavor[] {
    return Object.values(this.#o.config.flavors).filter((f) => this.#o.runtime.refuseFlavor(f) === undefined);
  }

  /** A flavor that is offered here, or a 400 naming it and why (unknown, or the runtime cannot run it). */
  flavorFor(hardware: string): Flavor {
    const f = this.#o.config.flavors[hardware];
    const offered = () => this.offeredFlavors().map((o) => o.name).join(', ');
    if (!f) throw new SpaceportError('BadRequest', `Hardware "${hardware}" is not offered here. Available: ${offered()}.`);
    const refusal = this.#o.runtime.refuseFlavor(f);
    if (refusal) throw new SpaceportError('BadRequest', `${refusal} Available: ${offered()}.`);
    return f;
  }

  sleepSecondsFor(space: SpaceRecord): number {
    return sleepSecondsFor(space, this.#o.config);
  }

  /** The Space, if `p` may see it; RepoNotFound otherwise (private Spaces look absent). */
  get(p: Principal, id: SpaceId): SpaceRecord {
    const space = this.#o.store.getSpace(id);
    if (!space || !canRead(p, space)) throw new SpaceportError('RepoNotFound', `Repository not found: ${id}.`);
    return space;
  }

  /**
   * The Space, if `p` may read its code (git, LFS, files, resolve, tree): protected and private
   * Spaces' code is for members only; others are told it does not exist.
   */
  getForCode(p: Principal, id: SpaceId): SpaceRecord {
    const space = this.get(p, id);
    if (!canReadCode(p, space)) throw new SpaceportError('RepoNotFound', `Repository not found: ${id}.`);
    return space;
  }

  /** The Space, if `p` may change it. Anonymous: 401 whether or not it exists (nothing is revealed). */
  getForWrite(p: Principal, id: SpaceId): SpaceRecord {
    if (p.kind === 'anonymous') throw new SpaceportError('Unauthorized');
    const space = this.get(p, id);
    assertCanWrite(p, space);
    return space;
  }

  /** `copyFrom`: the new repo is a copy of that Space's (duplicate), and its head is built at once. */
  async create(p: Principal, input: CreateSpaceInput, opts: { copyFrom?: SpaceId; paused?: boolean } = {}): Promise<SpaceRecord> {
    const namespace = input.organization ?? (p.kind === 'user' ? p.user.name : undefined);
    if (!namespace) throw new SpaceportError('Unauthorized');
    const id = toSpaceId(namespace, input.name);
    assertCanCreateIn(p, namespace);
    const hardware = input.hardware ?? 'cpu-basic';
    this.flavorFor(hardware);
    if (input.storageTier && input.sdk === 'static') throw new SpaceportError('NotSupportedForStatic', 'Static Spaces cannot have persistent storage.');
    const upstream = input.upstream ? await this.#checkUpstream(input.upstream) : undefined;
    const { store, repos, logger } = this.#o;
    const space = store.createSpace({
      id,
      sdk: input.sdk,
      visibility: input.visibility,
      hardware,
      sleepSeconds: input.sleepTimeSeconds,
      storageTier: input.storageTier,
      upstream,
      webhookSecret: upstream ? randomBytes(24).toString('hex') : undefined,
    });
    try {
      if (opts.copyFrom) {
        await repos.copy(opts.copyFrom, id);
        const source = store.getSpace(opts.copyFrom);
        if (source && this.#o.files) await this.#o.files.copyFrom(source, space);
      } else await repos.create(id);
    } catch (err) {
      store.deleteSpace(space.uid);
      throw err;
    }
    for (const s of input.secrets ?? []) store.upsertSetting(space.uid, 'secret', s);
    for (const v of input.variables ?? []) store.upsertSetting(space.uid, 'variable', v);
    if (opts.paused) store.updateSpace(space.uid, { lifecycle: 'paused' });
    logger.info({ space: id, sdk: input.sdk, upstream: upstream ? redactUrl(upstream.url) : undefined, copyOf: opts.copyFrom }, 'space created');
    if (opts.copyFrom) await this.#o.pipeline.enqueue(space.uid);
    await this.#o.reconciler.kick(space.uid);
    if (upstream) void this.pullUpstream(space.uid).catch((err) => logger.warn({ err, space: id }, 'first upstream fetch failed'));
    return space;
  }

  /**
   * Duplicate a Space as the Hub does: its git history and files (so the copy builds at once), its
   * variables, hardware, sleep time and storage tier unless others are given, its visibility unless
   * given, and paused if it is; secrets only those given. `p` must read the source's code and may
   * create in the target's namespace.
   */
  async duplicate(p: Principal, from: SpaceId, input: DuplicateSpaceInput): Promise<SpaceRecord> {
    if (p.kind === 'anonymous') throw new SpaceportError('Unauthorized');
    const source = this.getForCode(p, from);
    const [namespace, name] = input.to.split('/') as [string, string];
    const variables = new Map<string, { key: string; value: string; description?: string }>(
      this.#o.store.listSettings(source.uid, 'variable').map((v) => [v.key, { key: v.key, value: v.value, description: v.description }]),
    );
    for (const v of input.variables ?? []) variables.set(v.key, v);
    return this.create(
      p,
      {
        name,
        organization: namespace,
        sdk: source.sdk,
        visibility: input.visibility ?? source.visibility,
        hardware: input.hardware ?? source.hardware,
        sleepTimeSeconds: input.sleepTimeSeconds ?? source.sleepSeconds,
        storageTier: input.storageTier ?? source.storageTier,
        secrets: input.secrets,
        variables: [...variables.values()],
      },
      { copyFrom: source.id, paused: source.lifecycle === 'paused' },
    );
  }

  /**
   * `PUT /api/spaces/{id}/settings`: the visibility. The route the proxy follows changes with it
   * (published before this returns), so a Space made private stops serving strangers at once.
   */
  async setVisibility(space: SpaceRecord, visibility: Visibility): Promise<void> {
    if (space.visibility === visibility) return;
    const fresh = this.#o.store.updateSpace(space.uid, { visibility });
    this.#o.logger.info({ space: space.id, visibility, was: space.visibility }, 'visibility changed');
    // The route changes now, not after the next reconciler pass (which may wait on the runtime).
    const route = this.#o.routes.get(fresh.subdomain);
    if (route) this.#o.routes.upsert({ ...route, access: appAccessOf(fresh) });
    await this.#o.reconciler.kick(space.uid);
  }

  /**
   * A short-lived signed grant that opens the Space's app in a browser: the URL on the Space's own
   * host (`/.spaceport/grant?g=…`) that turns it into that host's cookie and goes on to `path`.
   * Only for those who may use the app (members, for a private Space); others get RepoNotFound.
   */
  appGrant(p: Principal, id: SpaceId, opts: { path?: string; urls: HubUrls }): { url: string; expiresAt: string } {
    const space = this.get(p, id);
    if (!canUseApp(p, space)) throw new SpaceportError('RepoNotFound', `Repository not found: ${id}.`);
    const key = this.#o.grantKey;
    if (!key) throw new SpaceportError('Internal', 'No key to sign app grants with.');
    const now = Date.now();
    const g = signGrant(key, { subdomain: space.subdomain, path: opts.path, secure: opts.urls.publicUrl.startsWith('https:'), nowMs: now });
    return {
      url: `${spaceHost(space, opts.urls)}${GRANT_PATH}?g=${encodeURIComponent(g)}`,
      expiresAt: new Date(Math.floor(now / 1000) * 1000 + GRANT_TTL_SECONDS * 1000).toISOString(),
    };
  }

  async delete(p: Principal, id: SpaceId): Promise<void> {
    const space = this.getForWrite(p, id);
    const { store, runtime, repos, routes, logger } = this.#o;
    store.deleteSpace(space.uid);
    routes.removeSpace(space.id);
    await runtime.remove(space.id);
    // Storage goes with the Space (after its instances: nothing may still mount it).
    await runtime.removeStorage(space.uid);
    await repos.remove(space.id);
    await this.#o.files?.forget(space);
    logger.info({ space: id }, 'space deleted');
  }

  async move(p: Principal, from: SpaceId, to: SpaceId): Promise<SpaceRecord> {
    const space = this.getForWrite(p, from);
    assertCanCreateIn(p, to.split('/')[0]!);
    const { store, runtime, repos, routes, logger } = this.#o;
    const moved = store.moveSpace(space.uid, to);
    // The old subdomain answers 404 at once, never a stale app (the new route comes with the next pass).
    routes.removeSpace(from);
    await repos.move(from, to);
    // Instances are labelled with the old id: remove them; the reconciler starts the release under the new id.
    await runtime.remove(from);
    logger.info({ from, to }, 'space moved');
    await this.#o.reconciler.kick(space.uid);
    return moved;
  }

  /**
   * The endpoint and domain to put in URLs: SPACEPORT_PUBLIC_URL when set, else the scheme and
   * host the client used (huggingface_hub checks that returned URLs match its endpoint).
   */
  urlsFor(request: { protocol: string; host: string | undefined }): HubUrls {
    const { config } = this.#o;
    const explicit = config.SPACEPORT_PUBLIC_URL;
    const host = request.host !== undefined && trustedHost(request.host, config) ? request.host : undefined;
    const publicUrl = explicit ? explicit.replace(/\/+$/, '') : host ? `${request.protocol === 'https' ? 'https' : 'http'}://${host}` : config.publicUrl;
    return { publicUrl, domain: config.SPACEPORT_DOMAIN };
  }

  async runtimeOf(space: SpaceRecord): Promise<Record<string, unknown>> {
    const stage = (await this.#o.reconciler.currentStage(space.uid)) ?? { stage: 'NO_APP_FILE' as const, serving: false };
    const fresh = this.#o.store.getSpaceByUid(space.uid) ?? space;
    const seconds = this.sleepSecondsFor(fresh);
    // `current` is the flavor of the release that serves: it changes only once a new one is ready.
    const serving = stage.serving && fresh.servingRelease ? this.#o.store.getRelease(fresh.servingRelease) : undefined;
    const current = stage.serving ? (serving?.hardware ?? fresh.hardware) : null;
    return runtimeJson(fresh, stage, {
      gcTimeout: seconds < 0 ? null : seconds,
      currentHardware: current,
      flavor: this.#o.config.flavors[current ?? fresh.hardware],
      domain: this.#o.config.SPACEPORT_DOMAIN,
    });
  }

  /**
   * `space_info` JSON; `at.commit` answers for that revision (`/revision/{rev}`) instead of the head.
   * `at.brief` (lists) gives file names only and no `usedStorage`, as the Hub's list does. With
   * `at.viewer`, files only when it may read the code (protected Spaces).
   */
  async info(space: SpaceRecord, urls: HubUrls, at: { commit?: string; brief?: boolean; viewer?: Principal } = {}): Promise<Record<string, unknown>> {
    const runtime = await this.runtimeOf(space);
    const fresh = this.#o.store.getSpaceByUid(space.uid) ?? space;
    const code = at.viewer === undefined || canReadCode(at.viewer, fresh);
    const commit = at.commit ?? fresh.headSha;
    const files = at.brief ? undefined : this.#o.files;
    const siblings = !commit || !code ? [] : files ? await files.siblings(fresh, commit) : (await this.#o.repos.listFiles(fresh.id, commit)).map((rfilename) => ({ rfilename }));
    const usedStorage = files && code ? await files.usedStorage(fresh) : undefined;
    return spaceInfoJson(commit ? { ...fresh, headSha: commit } : fresh, runtime, { urls, siblings, ...(usedStorage !== undefined ? { usedStorage } : {}) });
  }

  list(p: Principal, filter: { author?: string; search?: string; limit?: number }): SpaceRecord[] {
    // Read lazily in id order and stop at the limit: a page costs what it returns, however many Spaces exist.
    const out: SpaceRecord[] = [];
    for (const s of this.#o.store.iterateSpaces({ owner: filter.author, search: filter.search })) {
      if (!canRead(p, s)) continue;
      out.push(s);
      if (filter.limit && out.length >= filter.limit) break;
    }
    return out;
  }

  // ---- lifecycle

  /** A push (or fetched upstream) landed: build the new head. */
  async onPush(space: SpaceRecord): Promise<void> {
    await this.#o.pipeline.enqueue(space.uid);
    await this.#o.reconciler.kick(space.uid);
  }

  async pause(space: SpaceRecord): Promise<void> {
    if (space.sdk === 'static') throw new SpaceportError('NotSupportedForStatic', 'Static Spaces cannot be paused.');
    this.#o.store.updateSpace(space.uid, { lifecycle: 'paused' });
    this.#o.logger.info({ space: space.id }, 'paused');
    await this.#o.reconciler.kick(space.uid);
  }

  /** Hub semantics: from any stage; `factory` rebuilds without the layer cache. */
  async restart(space: SpaceRecord, opts: { factory: boolean }): Promise<void> {
    const { store, pipeline, reconciler, logger } = this.#o;
    store.updateSpace(space.uid, { lifecycle: 'active' });
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
      throw new SpaceportError('BadRequest', '"seconds" must be a positive whole number of seconds, or -1 to never sleep.');
    }
    this.#o.store.updateSpace(space.uid, { sleepSeconds: seconds });
    await this.#o.reconciler.kick(space.uid);
  }

  /**
   * A hardware change is a new release of the same image on the new flavor, deployed like a push:
   * the old release serves until the new one is ready (`hardware.current` changes then); if no node
   * can take the new flavor, the old one keeps serving and the stage says why.
   */
  async setHardware(space: SpaceRecord, flavor: string, sleepSeconds?: number): Promise<void> {
    const { store, reconciler, logger } = this.#o;
    this.flavorFor(flavor);
    store.updateSpace(space.uid, { hardware: flavor, ...(sleepSeconds !== undefined ? { sleepSeconds } : {}) });
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
    const fresh = store.getSpaceByUid(space.uid);
    const target = fresh?.targetRelease ? store.getRelease(fresh.targetRelease) : undefined;
    if (!fresh || !target) return;
    const { id: _id, failure: _failure, createdAt: _createdAt, ...same } = target;
    const release = store.addRelease({ ...same, hardware: hardware ?? target.hardware ?? fresh.hardware });
    store.updateSpace(fresh.uid, { targetRelease: release.id });
    logger.info({ space: fresh.id, hardware: release.hardware, release: release.id }, `${why}: new release`);
    await reconciler.kick(fresh.uid);
  }

  // ---- persistent storage (/data)

  /** The Hub's rule: a tier can be upgraded, not downgraded; the same tier changes nothing. Restarts the Space so the volume is mounted. */
  async setStorage(space: SpaceRecord, tier: StorageTier): Promise<void> {
    if (space.sdk === 'static') throw new SpaceportError('NotSupportedForStatic', 'Static Spaces cannot have persistent storage.');
    const current = this.#o.store.getSpaceByUid(space.uid)?.storageTier;
    if (current === tier) return;
    if (current && isStorageDowngrade(current, tier)) {
      throw new SpaceportError(
        'StorageDowngrade',
        `${space.id} has "${current}" storage, and storage cannot be downgraded to "${tier}": delete the storage first (DELETE /api/spaces/${space.id}/storage; its data is lost), then request "${tier}".`,
      );
    }
    this.#o.store.updateSpace(space.uid, { storageTier: tier });
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
    if (!had) throw new SpaceportError('NoStorage', `${space.id} has no persistent storage: nothing to delete.`);
    // The tier goes first, so an instance started meanwhile does not mount the volume; the instances
    // go next (nothing may still mount it), then the volume; the reconciler starts the app again without it.
    store.updateSpace(space.uid, { storageTier: undefined });
    try {
      await this.#restartInstances(space, () => runtime.removeStorage(space.uid));
    } catch (err) {
      store.updateSpace(space.uid, { storageTier: had });
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
    if (reserved) throw new SpaceportError('BadRequest', `"${s.key}" cannot be a ${kind}: ${reserved} Choose another name.`);
    this.#o.store.upsertSetting(space.uid, kind, s);
    await this.#redeploy(space, `${kind} ${s.key} changed`);
  }

  async deleteSetting(space: SpaceRecord, kind: SettingKind, key: string): Promise<void> {
    this.#o.store.deleteSetting(space.uid, kind, key);
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

  // ---- pull mode

  async #checkUpstream(up: Upstream): Promise<Upstream> {
    const checked = {
      url: validateUpstreamUrl(up.url, { allowLoopbackHttp: this.#o.config.SPACEPORT_ALLOW_LOOPBACK_UPSTREAMS }),
      branch: validateBranchName(up.branch),
    };
    await this.#o.checkUpstreamAddress?.(checked.url);
    return checked;
  }

  /** Follow an upstream repo (or stop following with `undefined`). Returns the webhook secret. */
  async setUpstream(space: SpaceRecord, upstream: Upstream | undefined): Promise<{ webhookSecret?: string }> {
    if (!upstream) {
      this.#o.store.updateSpace(space.uid, { upstream: undefined, webhookSecret: undefined });
      return {};
    }
    const checked = await this.#checkUpstream(upstream);
    const webhookSecret = space.webhookSecret ?? randomBytes(24).toString('hex');
    const before = this.#o.store.getSpaceByUid(space.uid) ?? space;
    this.#o.store.updateSpace(space.uid, { upstream: checked, webhookSecret });
    try {
      await this.pullUpstream(space.uid);
    } catch (err) {
      if (!isSpaceportError(err, 'UpstreamFetchFailed')) throw err;
      // A URL or branch that cannot be fetched is a bad request, not a server error: keep what was there.
      this.#o.store.updateSpace(space.uid, { upstream: before.upstream, webhookSecret: before.webhookSecret });
      throw new SpaceportError('InvalidUpstream', `${err.message} The Space keeps its previous upstream setting.`, { cause: err });
    }
    return { webhookSecret };
  }

  async pullUpstream(uid: string): Promise<void> {
    const space = this.#o.store.getSpaceByUid(uid);
    if (!space?.upstream) throw new SpaceportError('BadRequest', 'This Space does not follow an upstream repository.');
    await this.#o.repos.fetchUpstream(space.id, space.upstream);
    this.#o.logger.info({ space: space.id, upstream: redactUrl(space.upstream.url) }, 'upstream fetched');
    await this.onPush(space);
  }

  /** A GitHub/Gitea-style webhook: the signature must match the Space's secret. */
  async webhook(id: SpaceId, body: Buffer, headers: Record<string, string | string[] | undefined>): Promise<{ fetched: boolean }> {
    const space = this.#o.store.getSpace(id);
    if (!space) throw new SpaceportError('RepoNotFound');
    if (!space.upstream || !space.webhookSecret) throw new SpaceportError('BadRequest', 'This Space does not follow an upstream repository.');
    if (!verifyWebhookSignature({ secret: space.webhookSecret, body, headers })) throw new SpaceportError('BadSignature');
    let branch: string | undefined;
    try {
      branch = branchFromWebhook(JSON.parse(body.toString('utf8') || '{}'));
    } catch {
      branch = undefined;
    }
    if (branch !== undefined && branch !== space.upstream.branch) return { fetched: false };
    await this.pullUpstream(space.uid);
    return { fetched: true };
  }
}
