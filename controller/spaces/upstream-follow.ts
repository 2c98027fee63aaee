import { randomBytes } from 'node:crypto';
import { SpaceportError, fail, isSpaceportError, type SpaceId } from '../../core/index.js';
import { branchFromWebhook, validateBranchName, validateUpstreamUrl, verifyWebhookSignature } from '../git/index.js';
import type { SpaceRecord, Upstream } from '../store/records.js';
import { redactUrl } from './hub-json.js';
import type { SpaceServiceOptions } from './space-service-types.js';

export type UpstreamFollowOptions = Pick<SpaceServiceOptions, 'store' | 'repos' | 'config' | 'logger' | 'checkUpstreamAddress'> & {
  /** New commits landed: build them (`SpaceService.onPush`). */
  onPush(space: SpaceRecord): Promise<void>;
};

/**
 * Pull mode: a Space that follows a branch of an upstream repository (checked URL and address,
 * fetched on request and on a signed webhook), built like a push.
 */
export class UpstreamFollow {
  readonly #o: UpstreamFollowOptions;

  constructor(opts: UpstreamFollowOptions) {
    this.#o = opts;
  }

  /** The upstream as stored: URL and branch validated, the address allowed. */
  async check(up: Upstream): Promise<Upstream> {
    const checked = {
      url: validateUpstreamUrl(up.url, { allowLoopbackHttp: this.#o.config.SPACEPORT_ALLOW_LOOPBACK_UPSTREAMS }),
      branch: validateBranchName(up.branch),
    };
    await this.#o.checkUpstreamAddress?.(checked.url);
    return checked;
  }

  /** Follow an upstream repo (or stop following with `undefined`). Returns the webhook secret. */
  async set(space: SpaceRecord, upstream: Upstream | undefined): Promise<{ webhookSecret?: string }> {
    if (!upstream) {
      this.#o.store.updateSpec(space.uid, { upstream: undefined, webhookSecret: undefined });
      return {};
    }
    const checked = await this.check(upstream);
    const webhookSecret = space.webhookSecret ?? randomBytes(24).toString('hex');
    const before = this.#o.store.getSpaceByUid(space.uid) ?? space;
    this.#o.store.updateSpec(space.uid, { upstream: checked, webhookSecret });
    try {
      await this.pull(space.uid);
    } catch (err) {
      if (!isSpaceportError(err, 'UpstreamFetchFailed')) throw err;
      // A URL or branch that cannot be fetched is a bad request, not a server error: keep what was there.
      this.#o.store.updateSpec(space.uid, { upstream: before.upstream, webhookSecret: before.webhookSecret });
      throw fail('upstreamRejected', { reason: err.message }, { cause: err });
    }
    return { webhookSecret };
  }

  async pull(uid: string): Promise<void> {
    const space = this.#o.store.getSpaceByUid(uid);
    if (!space?.upstream) throw fail('upstreamNotFollowed');
    await this.#o.repos.fetchUpstream(space.id, space.upstream);
    this.#o.logger.info({ space: space.id, upstream: redactUrl(space.upstream.url) }, 'upstream fetched');
    await this.#o.onPush(space);
  }

  /** A GitHub/Gitea-style webhook: the signature must match the Space's secret. */
  async webhook(id: SpaceId, body: Buffer, headers: Record<string, string | string[] | undefined>): Promise<{ fetched: boolean }> {
    const space = this.#o.store.getSpace(id);
    if (!space) throw new SpaceportError('RepoNotFound');
    if (!space.upstream || !space.webhookSecret) throw fail('upstreamNotFollowed');
    if (!verifyWebhookSignature({ secret: space.webhookSecret, body, headers })) throw new SpaceportError('BadSignature');
    let branch: string | undefined;
    try {
      branch = branchFromWebhook(JSON.parse(body.toString('utf8') || '{}'));
    } catch {
      branch = undefined;
    }
    if (branch !== undefined && branch !== space.upstream.branch) return { fetched: false };
    await this.pull(space.uid);
    return { fetched: true };
  }
}
