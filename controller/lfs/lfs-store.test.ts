import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { isSpaceportError } from '../../core/index.js';
import { formatPointer, parsePointer } from './lfs-pointer.js';
import { LfsSigner } from './lfs-signer.js';
import { LfsStore } from './lfs-store.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('LfsStore', () => {
  const dirs: string[] = [];
  const store = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'spaceport-lfs-'));
    dirs.push(d);
    return new LfsStore(d);
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('stores an object content-addressed, checked, and linked to the repo that uploaded it', async () => {
    const s = store();
    const data = Buffer.from('hello large file');
    const obj = { oid: sha(data), size: data.length };
    await s.put('space1', obj, Readable.from([data.subarray(0, 5), data.subarray(5)]));
    expect(s.pathOf(obj.oid)).toBe(path.join(s.root, 'objects', obj.oid.slice(0, 2), obj.oid.slice(2, 4), obj.oid));
    expect(await readFile(s.pathOf(obj.oid))).toEqual(data);
    expect(await s.has(obj, 'space1')).toBe(true);
    expect(await s.has(obj, 'space2')).toBe(false); // knowing the sha256 is not having the object
    expect(await s.has({ ...obj, size: 3 })).toBe(false);
    expect(await s.usedBytes('space1')).toBe(data.length);
    expect(await s.usedBytes('space2')).toBe(0);
    await s.unlinkAll('space1'); // the Space was deleted
    expect(await s.has(obj, 'space1')).toBe(false);
    expect(await s.has(obj)).toBe(true);
  });

  it('refuses a wrong sha256 or size and keeps nothing', async () => {
    const s = store();
    const data = Buffer.from('abc');
    for (const [obj, body] of [
      [{ oid: sha(Buffer.from('abd')), size: 3 }, data],
      [{ oid: sha(data), size: 4 }, data],
      [{ oid: sha(data), size: 2 }, Readable.from([data])],
    ] as const) {
      const err = await s.put('sp', obj, body).catch((e: unknown) => e);
      expect(isSpaceportError(err, 'BadRequest'), String(err)).toBe(true);
    }
    expect(await s.sizeOf(sha(data))).toBeUndefined();
    expect(readdirSync(path.join(s.root, 'tmp'))).toEqual([]);
  });

  it('refuses object ids that are not sha256 (no path tricks)', () => {
    const s = store();
    for (const oid of ['../../etc/passwd', 'ABC', '0'.repeat(63), `${'0'.repeat(64)}/x`]) {
      expect(() => s.pathOf(oid)).toThrow(/Invalid LFS object id/);
    }
  });
});

describe('LFS pointers and signed URLs', () => {
  it('round-trips a pointer and ignores content that only looks like one', () => {
    const p = { oid: 'a'.repeat(64), size: 52428800 };
    const text = formatPointer(p);
    expect(text).toBe(`version https://git-lfs.github.com/spec/v1\noid sha256:${'a'.repeat(64)}\nsize 52428800\n`);
    expect(parsePointer(text)).toEqual(p);
    expect(parsePointer(text.replace('size', 'sizes'))).toBeUndefined();
    expect(parsePointer(`${text}extra`)).toBeUndefined();
    expect(parsePointer(Buffer.alloc(2000, 'a'))).toBeUndefined();
  });

  it('signs one action on one object until it expires', () => {
    const signer = new LfsSigner(Buffer.alloc(32, 7));
    const g = { action: 'upload' as const, spaceUid: 's1', oid: 'b'.repeat(64), size: 10, expires: 2_000 };
    const sig = signer.sign(g);
    expect(signer.verify(g, sig, 1_000)).toBe(true);
    expect(signer.verify(g, sig, 3_000)).toBe(false);
    expect(signer.verify({ ...g, action: 'download' }, sig, 1_000)).toBe(false);
    expect(signer.verify({ ...g, spaceUid: 's2' }, sig, 1_000)).toBe(false);
    expect(signer.verify({ ...g, size: 11 }, sig, 1_000)).toBe(false);
    expect(signer.verify(g, `${sig}x`, 1_000)).toBe(false);
  });
});
