import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readOrCreateKeyFile } from '../../core/index.js';
import path from 'node:path';

export type LfsAction = 'upload' | 'download' | 'verify';

export interface LfsGrant {
  action: LfsAction;
  spaceUid: string;
  oid: string;
  size: number;
  /** Unix seconds. */
  expires: number;
}

/**
 * Short-lived signatures for LFS transfer URLs: huggingface_hub PUTs the object to the `href` with
 * no Authorization header (the Hub hands out presigned storage URLs), so the URL itself carries
 * the grant. The key lives in the data dir (`lfs/signing.key`, made on first start).
 */
export class LfsSigner {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  static fromDataDir(dataDir: string): LfsSigner {
    return new LfsSigner(readOrCreateKeyFile(path.join(dataDir, 'lfs', 'signing.key'), () => randomBytes(32)));
  }

  sign(g: LfsGrant): string {
    return createHmac('sha256', this.#key).update(`${g.action}\n${g.spaceUid}\n${g.oid}\n${g.size}\n${g.expires}`).digest('base64url');
  }

  verify(g: LfsGrant, signature: string, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
    if (!Number.isSafeInteger(g.expires) || g.expires < nowSeconds) return false;
    const want = Buffer.from(this.sign(g));
    const got = Buffer.from(signature);
    return want.length === got.length && timingSafeEqual(want, got);
  }
}
