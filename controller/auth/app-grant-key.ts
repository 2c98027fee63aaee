import { randomBytes } from 'node:crypto';
import { readOrCreateKeyFile } from '../../core/index.js';
import path from 'node:path';
import { deriveGrantKey } from '../../proxy/index.js';

/**
 * The key private-app grants and cookies are signed with. With proxy replicas
 * (`SPACEPORT_INTERNAL_TOKEN` set) it is derived from the internal token, which every replica has;
 * otherwise from a random key kept in the data dir (mode 0600), so cookies survive a restart.
 */
export function appGrantKey(opts: { internalToken: string | undefined; dataDir: string }): Buffer {
  if (opts.internalToken !== undefined) return deriveGrantKey(opts.internalToken);
  const key = readOrCreateKeyFile(path.join(opts.dataDir, 'app-grant.key'), () => randomBytes(32).toString('base64'));
  return deriveGrantKey(Buffer.from(key.toString('utf8').trim(), 'base64'));
}
