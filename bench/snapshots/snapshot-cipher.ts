/**
 * What encrypting a snapshot at rest would cost (issue 21, item 3, "if it costs little: measure"):
 * AES-256-GCM through node:crypto streams, one file at a time (per-file encryption keeps random
 * access for lazy pages possible only after a decryption into an owner-only directory, so the wake
 * pays the whole decryption either way). Encrypts a snapshot's image files into a sibling
 * directory (the cost on sleep), then decrypts them into another (the cost on wake), and removes both.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

export interface CipherCost {
  bytes: number;
  encryptMs: number;
  decryptMs: number;
}

export async function measureSnapshotCipher(images: string, scratch: string): Promise<CipherCost> {
  const key = randomBytes(32);
  const enc = path.join(scratch, 'encrypted');
  const dec = path.join(scratch, 'decrypted');
  mkdirSync(enc, { recursive: true, mode: 0o700 });
  mkdirSync(dec, { recursive: true, mode: 0o700 });
  const files = readdirSync(images);
  const tags = new Map<string, { iv: Buffer; tag: Buffer }>();
  let bytes = 0;
  try {
    const t0 = performance.now();
    for (const f of files) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const out = createWriteStream(path.join(enc, f), { mode: 0o600 });
      const input = createReadStream(path.join(images, f));
      input.on('data', (c) => (bytes += (c as Buffer).length));
      await pipeline(input, cipher, out);
      tags.set(f, { iv, tag: cipher.getAuthTag() });
    }
    const encryptMs = performance.now() - t0;
    const t1 = performance.now();
    for (const f of files) {
      const { iv, tag } = tags.get(f)!;
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      await pipeline(createReadStream(path.join(enc, f)), decipher, createWriteStream(path.join(dec, f), { mode: 0o600 }));
    }
    return { bytes, encryptMs, decryptMs: performance.now() - t1 };
  } finally {
    rmSync(enc, { recursive: true, force: true });
    rmSync(dec, { recursive: true, force: true });
  }
}
