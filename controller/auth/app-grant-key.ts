import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deriveGrantKey } from '../../proxy/index.js';

/**
 * The key private-app grants and cookies are signed with. With proxy replicas
 * (`SPACEPORT_INTERNAL_TOKEN` set) it is derived from the internal token, which every replica has;
 * otherwise from a random key kept in the data dir (mode 0600), so cookies survive a restart.
 */
export function appGrantKey(opts: { internalToken: string | undefined; dataDir: string }): Buffer {
  if (opts.internalToken !== undefined) return deriveGrantKey(opts.internalToken);
  const file = path.join(opts.dataDir, 'app-grant.key');
  if (!existsSync(file)) {
    mkdirSync(opts.dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return deriveGrantKey(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
}
