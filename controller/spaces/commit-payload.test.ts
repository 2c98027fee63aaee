import { describe, expect, it } from 'vitest';
import { isSpaceportError } from '../../core/index.js';
import { readCommitPayload } from './commit-payload.js';

const limits = { maxBytes: 1 << 20, maxOps: 10 };
const lines = (...objs: unknown[]) => objs.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))).join('\n') + '\n';
const header = { key: 'header', value: { summary: 'Add files', description: 'why', parentCommit: 'a'.repeat(40) } };

describe('the commit payload (ndjson)', () => {
  it('reads the header and every kind of operation, split across chunks anywhere', async () => {
    const body = lines(
      header,
      { key: 'file', value: { path: 'app.py', content: Buffer.from('print(1)\n').toString('base64'), encoding: 'base64' } },
      { key: 'lfsFile', value: { path: 'm.bin', algo: 'sha256', oid: 'b'.repeat(64), size: 5 } },
      { key: 'deletedFile', value: { path: 'old.txt' } },
      { key: 'deletedFolder', value: { path: 'olddir/' } },
      { key: 'file', value: { path: 'pad1', content: Buffer.from('ab').toString('base64'), encoding: 'base64' } },
      { key: 'file', value: { path: 'empty', content: '', encoding: 'base64' } },
    );
    const chunks = [...Buffer.from(body)].map((b) => Buffer.from([b])); // one byte at a time
    const p = await readCommitPayload(chunks, limits);
    expect(p).toMatchObject({ summary: 'Add files', description: 'why', parentCommit: 'a'.repeat(40) });
    expect(p.ops).toEqual([
      { key: 'file', path: 'app.py', content: Buffer.from('print(1)\n') },
      { key: 'lfsFile', path: 'm.bin', oid: 'b'.repeat(64), size: 5 },
      { key: 'deletedFile', path: 'old.txt' },
      { key: 'deletedFolder', path: 'olddir/' },
      { key: 'file', path: 'pad1', content: Buffer.from('ab') },
      { key: 'file', path: 'empty', content: Buffer.alloc(0) },
    ]);
  });

  it.each([
    ['an empty body', ''],
    ['no header first', lines({ key: 'deletedFile', value: { path: 'a' } })],
    ['two headers', lines(header, header)],
    ['a line that is not JSON', lines(header, '{"key": "file",')],
    ['an unknown key', lines(header, { key: 'copyFile', value: {} })],
    ['a value that is not an object', lines(header, { key: 'file', value: 'x' })],
    ['content that is not base64', lines(header, { key: 'file', value: { path: 'a', content: 'not base64!', encoding: 'base64' } })],
    ['base64 with a stray character', lines(header, { key: 'file', value: { path: 'a', content: 'aGk*', encoding: 'base64' } })],
    ['base64 with padding inside', lines(header, { key: 'file', value: { path: 'a', content: 'aG==aGk=', encoding: 'base64' } })],
    ['another encoding', lines(header, { key: 'file', value: { path: 'a', content: 'aGk=', encoding: 'utf-8' } })],
    ['an oid that is not a sha256', lines(header, { key: 'lfsFile', value: { path: 'a', algo: 'sha256', oid: 'xyz', size: 1 } })],
    ['a negative size', lines(header, { key: 'lfsFile', value: { path: 'a', algo: 'sha256', oid: 'b'.repeat(64), size: -1 } })],
    ['an empty summary', lines({ key: 'header', value: { summary: ' ' } })],
    ['a path that is not a string', lines(header, { key: 'deletedFile', value: { path: 3 } })],
  ])('refuses %s with a 400 naming the line', async (_what, body) => {
    const err = await readCommitPayload([Buffer.from(body)], limits).catch((e: unknown) => e);
    expect(isSpaceportError(err, 'BadRequest'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/Invalid commit payload/);
  });

  it('refuses too many operations and too large a body', async () => {
    const many = lines(header, ...Array.from({ length: 11 }, (_, i) => ({ key: 'deletedFile', value: { path: `f${i}` } })));
    expect(isSpaceportError(await readCommitPayload([Buffer.from(many)], limits).catch((e: unknown) => e), 'BadRequest')).toBe(true);
    const big = lines(header, { key: 'file', value: { path: 'a', content: Buffer.alloc(1 << 20).toString('base64') } });
    expect(isSpaceportError(await readCommitPayload([Buffer.from(big)], limits).catch((e: unknown) => e), 'PayloadTooLarge')).toBe(true);
    const longLine = lines(header, { key: 'file', value: { path: 'a', content: Buffer.alloc(3000).toString('base64') } });
    for (const chunks of [[Buffer.from(longLine)], [...Buffer.from(longLine)].map((b) => Buffer.from([b]))]) {
      const err = await readCommitPayload(chunks, { ...limits, maxLineBytes: 2000 }).catch((e: unknown) => e);
      expect(isSpaceportError(err, 'PayloadTooLarge') && /Git LFS/.test((err as Error).message), String(err)).toBe(true);
    }
  });
});
