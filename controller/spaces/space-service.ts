import { randomBytes } from 'node:crypto';
import { SpaceportError, fail, toSpaceId, type Flavor, type SpaceId } from '../../core/index.js';
import { GRANT_PATH, GRANT_TTL_SECONDS, appScopeOf, signGrant } from '../../proxy/index.js';
import { sdkTraits } from '../../templates/index.js';
import { assertCanCreateIn, assertCanWrite, canRead, canReadCode, canUseApp, readScopeOf, type Principal } from '../auth/index.js';
import { appAccessOf, grantScopeOf } from '../lifecycle/index.js';
import type { SpaceRecord, Visibility } from '../store/records.js';
import type { SpacePage, SpaceQuery } from '../store/web-store.js';
import { writeStatus } from '../store/write-status.js';
import { SpaceLikes } from './space-likes.js';
import type { CreateSpaceInput, DuplicateSpaceInput, SpaceServiceOptions } from './space-service-types.js';
import { sleepSecondsFor } from './sleep-policy.js';
import { redactUrl, runtimeJson, spaceHost, spaceInfoJson, type HubUrls } from './hub-json.js';
import { SpaceChanges } from './space-changes.js';
import { initialFiles } from './initial-files.js';
import { readmeCardAtHead } from './readme-card.js';
import { searchSpaces, type SpaceSearchInput } from './space-search.js';
import { trustedHost } from './trusted-host.js';
import { UpstreamFollow } from './upstream-follow.js';

export type { CreateSpaceInput, DuplicateSpaceInput, SpaceServiceOptions } from './space-service-types.js';

/** The author of a commit Spaceport makes for `p` (the Hub's initial commit is the creator's). */
function authorOf(p: Principal, domain: string): { name: string; email: string } {
  const name = p.kind === 'user' ? p.user.name : 'spaceport';
  return { name, email: `${name}@users.noreply.${domain}` };
}

/**
 * What the API and the web pages can do to Spaces. Handlers stay thin; every permission check and
 * every state change of a Space goes through here (changes to a writable Space in `SpaceChanges`,
 * pull mode in `UpstreamFollow`; the rules themselves in controller/auth/principal.ts).
 */
export class SpaceService {
  readonly #o: SpaceServiceOptions;
  readonly #changes: SpaceChanges;
  readonly #upstream: UpstreamFollow;
  /** Likes (`space-likes.ts`): a Space resolved through `get` first, so private stays missing. */
  readonly likes: SpaceLikes;

  constructor(opts: SpaceServiceOptions) {
    this.#o = opts;
    this.likes = new SpaceLikes(opts.store);
    this.#changes = new SpaceChanges({ ...opts, flavorFor: (hardware) => this.flavorFor(hardware) });
    this.#upstream = new UpstreamFollow({ ...opts, onPush: (space) => this.onPush(space) });
  }

  /** The flavors this installation offers: configured, and runnable by this runtime. */
  offeredFlavors(): Flavor[] {
    return Object.values(this.#o.config.flavors).filter((f) => this.#o.runtime.refuseFlavor(f) === undefined);
  }

  /** A flavor that is offered here, or a 400 naming it and why (unknown, or the runtime cannot run it). */
  flavorFor(hardware: string): Flavor {
    const f = this.#o.config.flavors[hardware];
    const offered = () => this.offeredFlavors().map((o) => o.name);
    if (!f) throw fail('hardwareNotOffered', { hardware, offered: offered() });
    const refusal = this.#o.runtime.refuseFlavor(f);
    if (refusal) throw fail('hardwareRefused', { refusal, offered: offered() });
    return f;
  }

  sleepSecondsFor(space: SpaceRecord): number {
    return sleepSecondsFor(space, this.#o.config);
  }

  /** The Space, if `p` may see it; RepoNotFound otherwise (private Spaces look absent). */
  get(p: Principal, id: SpaceId): SpaceRecord {
    const space = this.find(p, id);
    if (!space) throw fail('spaceNotFound', { space: id });
    return space;
  }

  /** The Space, if it exists and `p` may see it. */
  find(p: Principal, id: SpaceId): SpaceRecord | undefined {
    const space = this.#o.store.getSpace(id);
    return space && canRead(p, space) ? space : undefined;
  }

  /** The Space on a subdomain, if `p` may see it; RepoNotFound otherwise. */
  getBySubdomain(p: Principal, subdomain: string): SpaceRecord {
    const space = this.#o.store.getSpaceBySubdomain(subdomain);
    // A private Space the caller may not read answers exactly as a subdomain nobody has (no name).
    if (!space || !canRead(p, space)) throw new SpaceportError('RepoNotFound');
    return space;
  }

  /**
   * The Space a signed LFS transfer URL names, with no permission check: the signature is the
   * grant (`LfsSigner.verify`, by the caller), handed out by the batch API after its own check.
   */
  forSignedTransfer(id: SpaceId): SpaceRecord | undefined {
    return this.#o.store.getSpace(id);
  }

  /** The Space as stored now (a handler's record may predate a change it made). */
  reload(space: SpaceRecord): SpaceRecord {
    return this.#o.store.getSpaceByUid(space.uid) ?? space;
  }

  /**
   * The Space, if `p` may read its code (git, LFS, files, resolve, tree): protected and private
   * Spaces' code is for members only; others are told it does not exist.
   */
  getForCode(p: Principal, id: SpaceId): SpaceRecord {
    const space = this.get(p, id);
    if (!canReadCode(p, space)) throw fail('spaceNotFound', { space: id });
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
    this.#assertNamespaceExists(namespace);
    const hardware = input.hardware ?? 'cpu-basic';
    this.flavorFor(hardware);
    if (input.storageTier && !sdkTraits(input.sdk).persistentStorage) throw fail('staticNoStorage');
    const upstream = input.upstream ? await this.#upstream.check(input.upstream) : undefined;
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
    let buildNow = opts.copyFrom !== undefined;
    try {
      if (opts.copyFrom) {
        await repos.copy(opts.copyFrom, id);
        const source = store.getSpace(opts.copyFrom);
        if (source && this.#o.files) await this.#o.files.copyFrom(source, space);
      } else if (upstream) await repos.create(id);
      else {
        const files = initialFiles(input.sdk, input.name);
        await repos.create(id, { files, message: 'initial commit', author: authorOf(p, this.#o.config.SPACEPORT_DOMAIN) });
        // Built at once only when it has an app (static's starter page); otherwise it is NO_APP_FILE as is.
        buildNow = sdkTraits(input.sdk).defaultAppFile in files;
      }
    } catch (err) {
      store.deleteSpace(space.uid);
      throw err;
    }
    for (const s of input.secrets ?? []) store.upsertSetting(space.uid, 'secret', s);
    for (const v of input.variables ?? []) store.upsertSetting(space.uid, 'variable', v);
    if (opts.paused) store.updateSpec(space.uid, { paused: true });
    logger.info({ space: id, sdk: input.sdk, upstream: upstream ? redactUrl(upstream.url) : undefined, copyOf: opts.copyFrom }, 'space created');
    await this.#readCard(space);
    if (buildNow) await this.#o.pipeline.enqueue(space.uid);
    await this.#o.reconciler.kick(space.uid);
    if (upstream) void this.#upstream.pull(space.uid).catch((err) => logger.warn({ err, space: id }, 'first upstream fetch failed'));
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
      { copyFrom: source.id, paused: source.paused },
    );
  }

  /**
   * `PUT /api/spaces/{id}/settings`: the visibility. The route the proxy follows changes with it
   * (published before this returns), so a Space made private stops serving strangers at once.
   */
  async setVisibility(space: SpaceRecord, visibility: Visibility): Promise<void> {
    if (space.visibility === visibility) return;
    const fresh = this.#o.store.updateSpec(space.uid, { visibility });
    this.#o.logger.info({ space: space.id, visibility, was: space.visibility }, 'visibility changed');
    // The route changes now, not after the next reconciler pass (which may wait on the runtime).
    const route = this.#o.routes.get(fresh.subdomain);
    if (route) this.#o.routes.upsert({ ...route, access: appAccessOf(fresh), grantScope: grantScopeOf(fresh) });
    await this.#o.reconciler.kick(space.uid);
  }

  /**
   * A short-lived signed grant that opens the Space's app in a browser: the URL on the Space's own
   * host (`/.spaceport/grant?g=…`) that turns it into that host's cookie and goes on to `path`.
   * Only for those who may use the app (members, for a private Space); others get RepoNotFound.
   */
  appGrant(p: Principal, id: SpaceId, opts: { path?: string; urls: HubUrls }): { url: string; expiresAt: string } {
    const space = this.get(p, id);
    if (!canUseApp(p, space)) throw fail('spaceNotFound', { space: id });
    const key = this.#o.grantKey;
    if (!key) throw fail('grantKeyMissing');
    const now = Date.now();
    const scope = appScopeOf({ subdomain: space.subdomain, grantScope: grantScopeOf(space) });
    const g = signGrant(key, { scope, path: opts.path, secure: opts.urls.publicUrl.startsWith('https:'), nowMs: now });
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
    // The leader forgets it (its routes, when deleted through another replica: controller/leadership/).
    await this.#o.reconciler.kick(space.uid);
  }

  async move(p: Principal, from: SpaceId, to: SpaceId): Promise<SpaceRecord> {
    const space = this.getForWrite(p, from);
    assertCanCreateIn(p, to.split('/')[0]!);
    this.#assertNamespaceExists(to.split('/')[0]!);
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
    const trendingScore = this.#o.store.trendingScoreOf(fresh.uid);
    return spaceInfoJson(commit ? { ...fresh, headSha: commit } : fresh, runtime, { urls, siblings, trendingScore, ...(usedStorage !== undefined ? { usedStorage } : {}) });
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

  /** One page of the Spaces `p` may see (the gallery, search, a user's or organization's page), in SQL. */
  gallery(p: Principal, q: Omit<SpaceQuery, 'scope'>): SpacePage {
    return this.#o.store.querySpaces({ ...q, scope: readScopeOf(p) });
  }

  /** `GET /api/spaces/semantic-search` (`hf spaces search`): the gallery's search per word, ranked. */
  search(p: Principal, input: SpaceSearchInput): Promise<Record<string, unknown>[]> {
    return searchSpaces({ gallery: (pp, q) => this.gallery(pp, q), runtimeOf: (s) => this.runtimeOf(s), trendingScoreOf: (s) => this.#o.store.trendingScoreOf(s.uid) }, p, input);
  }

  /**
   * `GET /api/settings/repositories` (`hf repos ls`, `list_user_repos`): the Spaces of `namespace`
   * (default: the caller) that the caller can read, with the storage their repo uses when it may read their code.
   */
  async repositories(p: Principal, namespace?: string): Promise<Record<string, unknown>[]> {
    if (p.kind !== 'user') throw new SpaceportError('Unauthorized');
    const out: Record<string, unknown>[] = [];
    for (const s of this.list(p, { author: namespace ?? p.user.name, limit: 10_000 })) {
      const storage = this.#o.files && canReadCode(p, s) ? await this.#o.files.usedStorage(s) : 0;
      out.push({ id: s.id, type: 'space', updatedAt: s.updatedAt, visibility: s.visibility === 'private' ? 'private' : 'public', storage, storagePercent: 0 });
    }
    return out;
  }

  /** Whether `owner` is a user or an organization (Spaces live only in those: see `create`). */
  namespaceExists(owner: string): boolean {
    const { store } = this.#o;
    return store.getUser(owner) !== undefined || store.getOrg(owner) !== undefined;
  }

  /**
   * Spaces are created and moved only into an existing user's or organization's namespace (site
   * admins too): a Space in a namespace nobody holds would go to whoever later takes the name.
   */
  #assertNamespaceExists(namespace: string): void {
    if (!this.namespaceExists(namespace)) throw fail('namespaceMissing', { namespace });
  }

  // ---- lifecycle

  /** The card (cardData, tags) is the head README's as soon as it lands, while any build runs. */
  async #readCard(space: SpaceRecord): Promise<void> {
    const card = await readmeCardAtHead(this.#o.repos, space);
    if (card !== undefined) writeStatus(this.#o.store, space.uid, () => ({ cardData: card }));
  }

  /** A push (or fetched upstream) landed: build the new head. */
  async onPush(space: SpaceRecord): Promise<void> {
    await this.#readCard(space);
    await this.#o.pipeline.enqueue(space.uid);
    await this.#o.reconciler.kick(space.uid);
  }

  // ---- changes to a Space the caller may write (space-changes.ts)
  pause = (space: SpaceRecord) => this.#changes.pause(space);
  restart = (space: SpaceRecord, opts: { factory: boolean }) => this.#changes.restart(space, opts);
  setSleepTime = (space: SpaceRecord, seconds: number) => this.#changes.setSleepTime(space, seconds);
  setHardware = (space: SpaceRecord, flavor: string, sleepSeconds?: number) => this.#changes.setHardware(space, flavor, sleepSeconds);
  setStorage: SpaceChanges['setStorage'] = (space, tier) => this.#changes.setStorage(space, tier);
  deleteStorage = (space: SpaceRecord) => this.#changes.deleteStorage(space);
  settings: SpaceChanges['settings'] = (space, kind) => this.#changes.settings(space, kind);
  upsertSetting: SpaceChanges['upsertSetting'] = (space, kind, s) => this.#changes.upsertSetting(space, kind, s);
  deleteSetting: SpaceChanges['deleteSetting'] = (space, kind, key) => this.#changes.deleteSetting(space, kind, key);

  // ---- pull mode (upstream-follow.ts)
  setUpstream: UpstreamFollow['set'] = (space, upstream) => this.#upstream.set(space, upstream);
  pullUpstream = (uid: string) => this.#upstream.pull(uid);
  webhook: UpstreamFollow['webhook'] = (id, body, headers) => this.#upstream.webhook(id, body, headers);
}
