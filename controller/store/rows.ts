import type { BuildId, ReleaseId, SpaceId } from '../../core/index.js';
import type { BuildRecord, ReleaseRecord, SpaceRecord } from './records.js';

/** Rows of the SQLite store mapped to records (pure). */
export type Row = Record<string, unknown>;
export const nowIso = (): string => new Date().toISOString();
export const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
export const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

export function toSpace(r: Row): SpaceRecord {
  const url = str(r.upstream_url);
  const paused = Boolean(r.paused);
  const asleepSince = num(r.asleep_since);
  return {
    uid: String(r.uid),
    id: String(r.id) as SpaceId,
    owner: String(r.owner),
    name: String(r.name),
    subdomain: String(r.subdomain),
    sdk: r.sdk as SpaceRecord['sdk'],
    visibility: r.visibility as SpaceRecord['visibility'],
    visibilityGen: Number(r.visibility_gen ?? 0),
    paused,
    asleepSince,
    lifecycle: paused ? 'paused' : asleepSince !== undefined ? 'asleep' : 'active',
    version: Number(r.version ?? 0),
    hardware: String(r.hardware),
    sleepSeconds: num(r.sleep_seconds),
    upstream: url ? { url, branch: String(r.upstream_branch) } : undefined,
    webhookSecret: str(r.webhook_secret),
    storageTier: str(r.storage_tier) as SpaceRecord['storageTier'],
    cardData: r.card_data ? (JSON.parse(String(r.card_data)) as Record<string, unknown>) : undefined,
    headSha: str(r.head_sha),
    targetRelease: str(r.target_release) as ReleaseId | undefined,
    servingRelease: str(r.serving_release) as ReleaseId | undefined,
    lastActiveAt: num(r.last_active_at),
    likes: Number(r.likes ?? 0),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
  };
}

export function toBuild(r: Row): BuildRecord {
  const base = {
    id: String(r.id) as BuildId,
    spaceUid: String(r.space_uid),
    commit: String(r.commit_sha),
    tree: String(r.tree_sha),
    noCache: Boolean(r.no_cache),
    createdAt: String(r.created_at),
    finishedAt: str(r.finished_at),
  };
  switch (r.status) {
    case 'succeeded':
      return { ...base, status: 'succeeded', image: String(r.image) };
    case 'failed':
      return { ...base, status: 'failed', failure: r.failure as 'BUILD_ERROR', message: String(r.message ?? '') };
    case 'running':
      return { ...base, status: 'running' };
    default:
      return { ...base, status: 'queued' };
  }
}

export function toRelease(r: Row): ReleaseRecord {
  return {
    id: String(r.id) as ReleaseId,
    spaceUid: String(r.space_uid),
    buildId: String(r.build_id) as BuildId,
    commit: String(r.commit_sha),
    image: String(r.image),
    port: Number(r.port),
    config: JSON.parse(String(r.config)) as Record<string, unknown>,
    ...(str(r.hardware) !== undefined ? { hardware: str(r.hardware) } : {}),
    failure: str(r.failure),
    createdAt: String(r.created_at),
  };
}
