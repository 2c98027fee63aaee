import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * This install's secret for BuildKit cache ids (`pipCacheIdFor`): 32 random bytes in
 * `build-cache.key` in the data directory (mode 0600), made on first use. Losing it only costs a
 * cold pip cache for every Space's next build.
 */
export function loadBuildCacheKey(dataDir: string): Buffer {
  const file = path.join(dataDir, 'build-cache.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process of this install made it first: read theirs.
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    }
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}
