import { randomBytes } from 'node:crypto';
import { readOrCreateKeyFile } from '../../core/index.js';
import path from 'node:path';

/**
 * This install's secret for BuildKit cache ids (`pipCacheIdFor`): 32 random bytes in
 * `build-cache.key` in the data directory (mode 0600), made on first use. Losing it only costs a
 * cold pip cache for every Space's next build.
 */
export function loadBuildCacheKey(dataDir: string): Buffer {
  const key = readOrCreateKeyFile(path.join(dataDir, 'build-cache.key'), () => randomBytes(32).toString('base64'));
  return Buffer.from(key.toString('utf8').trim(), 'base64');
}
