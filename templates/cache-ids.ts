import { createHmac } from 'node:crypto';

/**
 * BuildKit cache ids of our templates (`RUN --mount=type=cache,id=…`).
 *
 * A cache mount is shared by every build on the engine that names the same id, and a docker Space's
 * own Dockerfile may name any id it likes (`RUN --mount=type=cache,id=spaceport-pip-…,target=/c
 * cat /c/...`): it then reads, and can poison, the pip cache of whichever Space uses that id. So an
 * id must be impossible to guess: it is an HMAC of the Space's unique id under a secret key of this
 * install (`build-cache.key` in the data directory), never the Space's public id, name or subdomain.
 * The builder also masks these ids in build logs (see `cacheMountIds`), where BuildKit prints each
 * step with its mount options.
 */
export const PIP_CACHE_PREFIX = 'spaceport-pip-';

/** The pip cache id of one Space: `spaceport-pip-` and 32 hex digits of HMAC-SHA256(key, uid). */
export function pipCacheIdFor(key: Buffer, spaceUid: string): string {
  if (key.length < 16) throw new RangeError('the build cache key must hold at least 16 bytes');
  const mac = createHmac('sha256', key).update(`pip-cache\0${spaceUid}`).digest('hex');
  return `${PIP_CACHE_PREFIX}${mac.slice(0, 32)}`;
}

/** The ids of the cache mounts a Dockerfile names (`--mount=type=cache,…,id=X,…`). */
export function cacheMountIds(dockerfile: string): string[] {
  const ids = new Set<string>();
  for (const m of dockerfile.matchAll(/--mount=type=cache,(\S+)/g)) {
    for (const opt of m[1]!.split(',')) if (opt.startsWith('id=') && opt.length > 3) ids.add(opt.slice(3));
  }
  return [...ids];
}
