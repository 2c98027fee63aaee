import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packBuildContext } from './build-context.js';

async function entries(stream: Readable): Promise<Map<string, { type: string; body: string; linkname?: string }>> {
  const out = new Map<string, { type: string; body: string; linkname?: string }>();
  const extract = tarStream.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c: unknown) => {
        if (!Buffer.isBuffer(c)) throw new TypeError('tar-stream gave a non-Buffer chunk');
        chunks.push(c);
      });
      body.on('end', () => {
        out.set(header.name, { type: header.type ?? 'file', body: Buffer.concat(chunks).toString('utf8'), ...(header.linkname ? { linkname: header.linkname } : {}) });
        next();
      });
      body.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  stream.pipe(extract);
  await done;
  return out;
}

describe('packBuildContext', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spaceport-ctx-'));
    await writeFile(path.join(dir, 'app.py'), 'print(1)\n');
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM repo-own\n');
    await mkdir(path.join(dir, '.git'));
    await writeFile(path.join(dir, '.git', 'HEAD'), 'ref\n');
    await mkdir(path.join(dir, 'sub', '.git'), { recursive: true });
    await writeFile(path.join(dir, 'sub', 'x.txt'), 'x');
    await symlink('/etc/passwd', path.join(dir, 'link'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('puts the repo under app/ and our files under .spaceport/ for a templated build, without .git', async () => {
    const got = await entries(
      packBuildContext({ contextDir: dir, dockerfile: 'FROM ours\n', supportFiles: { '.spaceport/serve.py': 'py', '.spaceport/ca-bundle.crt': Buffer.from('PEM') } }),
    );
    expect(got.get('.spaceport/Dockerfile')?.body).toBe('FROM ours\n');
    expect(got.get('.spaceport/serve.py')?.body).toBe('py');
    expect(got.get('.spaceport/ca-bundle.crt')?.body).toBe('PEM');
    expect(got.get('app/app.py')?.body).toBe('print(1)\n');
    expect(got.get('app/Dockerfile')?.body).toBe('FROM repo-own\n');
    expect(got.get('app/sub/x.txt')?.body).toBe('x');
    expect(got.get('app/link')).toEqual({ type: 'symlink', body: '', linkname: '/etc/passwd' });
    expect([...got.keys()].filter((n) => n.includes('.git'))).toEqual([]);
    expect(got.has('app.py')).toBe(false);
  });

  it('keeps the repo at the root for a docker Space', async () => {
    const got = await entries(packBuildContext({ contextDir: dir, dockerfile: undefined, supportFiles: {} }));
    expect(got.get('Dockerfile')?.body).toBe('FROM repo-own\n');
    expect(got.get('app.py')?.body).toBe('print(1)\n');
    expect(got.has('.spaceport/Dockerfile')).toBe(false);
    expect([...got.keys()].filter((n) => n.includes('.git'))).toEqual([]);
  });

  it('refuses support files outside the context', () => {
    expect(() => packBuildContext({ contextDir: dir, dockerfile: 'FROM x', supportFiles: { '../evil': 'x' } })).toThrow(/relative path/);
    expect(() => packBuildContext({ contextDir: dir, dockerfile: 'FROM x', supportFiles: { '/abs': 'x' } })).toThrow(/relative path/);
  });
});
