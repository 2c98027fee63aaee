import { createHmac } from 'node:crypto';

/**
 * BuildKit cache ids of our templates (`RUN --mount=type=cache,id=…`).
 *
 * A cache mount is shared by every build on the engine that names the same id, and a docker Space's
 * own Dockerfile may name any id it likes (`RUN --mount=type=cache,id=spaceport-pip-…,target=/c
 * cat /c/...`): it then reads, and can poison, the cache of whoever uses that id. A build also runs
 * the Space's own code with the cache mounted (an sdist's setup.py). So the caches are per owner
 * (the Spaces of one user or organization share one; another owner's build never mounts it), and an
 * id must be impossible to guess: an HMAC of the owner under a secret key of this install
 * (`build-cache.key` in the data directory), never the owner's name itself. The builder also masks
 * these ids in build logs (see `cacheMountIds`), where BuildKit prints each step with its mount options.
 */
export const PIP_CACHE_PREFIX = 'spaceport-pip-';
export const UV_CACHE_PREFIX = 'spaceport-uv-';

export interface PackageCacheIds {
  pip: string;
  uv: string;
}

/** The cache ids of one owner: `spaceport-pip-` / `spaceport-uv-` and 32 hex digits of HMAC-SHA256(key, owner). */
export function packageCacheIdsFor(key: Buffer, owner: string): PackageCacheIds {
  if (key.length < 16) throw new RangeError('the build cache key must hold at least 16 bytes');
  const mac = (kind: string) => createHmac('sha256', key).update(`${kind}-cache\0owner\0${owner}`).digest('hex').slice(0, 32);
  return { pip: `${PIP_CACHE_PREFIX}${mac('pip')}`, uv: `${UV_CACHE_PREFIX}${mac('uv')}` };
}

/**
 * The uv cache id of this install's SDK layers (`spaceport-uv-` and 32 hex digits of an HMAC under the
 * same key): one for every owner, secret like theirs. Only a step that sees nothing of any Space
 * mounts it (the SDK from the index at the SDK's date: `sharesSdkLayer`), so no owner's code ever
 * runs with it mounted and no owner can write what another owner's build reads from it.
 */
export function sdkLayerCacheIdFor(key: Buffer): string {
  if (key.length < 16) throw new RangeError('the build cache key must hold at least 16 bytes');
  return `${UV_CACHE_PREFIX}${createHmac('sha256', key).update('uv-cache\0sdk-layers').digest('hex').slice(0, 32)}`;
}

/** The pip cache id of one owner (see {@link packageCacheIdsFor}). */
export function pipCacheIdFor(key: Buffer, owner: string): string {
  return packageCacheIdsFor(key, owner).pip;
}

/** The ids of the cache mounts a Dockerfile names (`--mount=type=cache,…,id=X,…`). */
export function cacheMountIds(dockerfile: string): string[] {
  const ids = new Set<string>();
  for (const m of dockerfile.matchAll(/--mount=type=cache,(\S+)/g)) {
    for (const opt of m[1]!.split(',')) if (opt.startsWith('id=') && opt.length > 3) ids.add(opt.slice(3));
  }
  return [...ids];
}
