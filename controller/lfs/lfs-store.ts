import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fail } from '../../core/index.js';
import { OID_RE } from './lfs-pointer.js';

export interface LfsObject {
  oid: string;
  size: number;
}

/**
 * Git LFS objects, content-addressed under `{root}/objects/ab/cd/<oid>` and shared by every repo.
 * Which repo may use which object is kept apart (`{root}/repos/{spaceUid}/<oid>`, an empty marker):
 * knowing an object's sha256 is not a proof of having it, so a repo reaches only the objects
 * uploaded to it, or already in it.
 */
export class LfsStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  static checkOid(oid: unknown): string {
    if (typeof oid !== 'string' || !OID_RE.test(oid)) {
      throw fail('lfsOidInvalid', { oid: String(oid) });
    }
    return oid;
  }

  static checkSize(size: unknown): number {
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw fail('lfsSizeInvalid', { size: String(size) });
    }
    return size;
  }

  pathOf(oid: string): string {
    LfsStore.checkOid(oid);
    return path.join(this.root, 'objects', oid.slice(0, 2), oid.slice(2, 4), oid);
  }

  #marker(spaceUid: string, oid: string): string {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(spaceUid)) throw fail('lfsSpaceUidInvalid');
    return path.join(this.root, 'repos', spaceUid, LfsStore.checkOid(oid));
  }

  /** The object's size when it is in the store, else undefined. */
  async sizeOf(oid: string): Promise<number | undefined> {
    const st = await fs.stat(this.pathOf(oid)).catch(() => undefined);
    return st?.isFile() ? st.size : undefined;
  }

  /** Whether the object is in the store with this size (and, with `spaceUid`, linked to that repo). */
  async has(obj: LfsObject, spaceUid?: string): Promise<boolean> {
    if ((await this.sizeOf(obj.oid)) !== obj.size) return false;
    if (spaceUid === undefined) return true;
    return (await fs.stat(this.#marker(spaceUid, obj.oid)).catch(() => undefined)) !== undefined;
  }

  /** Let a repo use an object that is in the store. */
  async link(spaceUid: string, oid: string): Promise<void> {
    const marker = this.#marker(spaceUid, oid);
    await fs.mkdir(path.dirname(marker), { recursive: true });
    await fs.writeFile(marker, '', { flag: 'a' });
  }

  /**
   * Store `body` as object `oid` of `size` bytes and link it to the repo: written to a temp file,
   * checked (sha256 and size), then renamed into place. A mismatch is a 400 and stores nothing.
   */
  async put(spaceUid: string, obj: LfsObject, body: Readable | Buffer): Promise<void> {
    LfsStore.checkOid(obj.oid);
    LfsStore.checkSize(obj.size);
    const target = this.pathOf(obj.oid);
    const tmpDir = path.join(this.root, 'tmp');
    await fs.mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${obj.oid}.${randomBytes(6).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    let out: ReturnType<typeof createWriteStream> | undefined;
    try {
      if (Buffer.isBuffer(body)) {
        hash.update(body);
        size = body.length;
        await fs.writeFile(tmp, body);
      } else {
        body.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          size += chunk.length;
          if (size > obj.size) body.destroy(fail('lfsUploadTooLarge', { size: obj.size }));
        });
        out = createWriteStream(tmp);
        await pipeline(body, out);
      }
      if (size !== obj.size) throw fail('lfsUploadSizeMismatch', { got: size, size: obj.size });
      const got = hash.digest('hex');
      if (got !== obj.oid) throw fail('lfsUploadHashMismatch', { got, oid: obj.oid });
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(tmp, target);
    } finally {
      // A refused stream may still be opening its file: let it close, so removing it is the last word.
      if (out && !out.closed) await new Promise<void>((resolve) => out!.once('close', () => resolve()));
      await fs.rm(tmp, { force: true });
    }
    await this.link(spaceUid, obj.oid);
  }

  /** A stream of the object (or of bytes `start`..`end`, inclusive). */
  read(oid: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(oid), range);
  }

  /** Copy an object to a file (builds see LFS files as real files). */
  async copyTo(oid: string, dest: string): Promise<void> {
    await fs.copyFile(this.pathOf(oid), dest);
  }

  /** Bytes of the objects linked to a repo (its share of `usedStorage`). */
  async usedBytes(spaceUid: string): Promise<number> {
    const dir = path.join(this.root, 'repos', spaceUid);
    const oids = await fs.readdir(dir).catch(() => [] as string[]);
    let total = 0;
    for (const oid of oids) if (OID_RE.test(oid)) total += (await this.sizeOf(oid)) ?? 0;
    return total;
  }

  /** Give repo `to` every object repo `from` may use (a duplicate's LFS files). */
  async copyLinks(fromUid: string, toUid: string): Promise<void> {
    const oids = await fs.readdir(path.join(this.root, 'repos', fromUid)).catch(() => [] as string[]);
    for (const oid of oids) if (OID_RE.test(oid)) await this.link(toUid, oid);
  }

  /** Forget a repo's links (its objects stay: other repos may use them). */
  async unlinkAll(spaceUid: string): Promise<void> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(spaceUid)) return;
    await fs.rm(path.join(this.root, 'repos', spaceUid), { recursive: true, force: true });
  }
}
