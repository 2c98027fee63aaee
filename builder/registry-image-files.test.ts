import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, parseRegistry } from './registry-client.js';
import { readRegistryImageFiles } from './registry-image-files.js';

/**
 * Reading an image's folder back over the Registry HTTP API, against an in-process registry that
 * serves what each test puts in it (the real registry: test/builder/image-files-contract.test.ts).
 */
const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, body] of Object.entries(files)) pack.entry({ name, size: Buffer.byteLength(body) }, body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

async function read(stream: Readable): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const extract = tar.extract();
  stream.pipe(extract);
  for await (const e of extract) {
    const chunks: Buffer[] = [];
    for await (const c of e as AsyncIterable<Buffer>) chunks.push(c);
    if (e.header.type === 'file') out[e.header.name] = Buffer.concat(chunks).toString();
  }
  return out;
}

describe('readRegistryImageFiles', () => {
  const manifests = new Map<string, { type: string; body: Buffer }>();
  const blobs = new Map<string, Buffer>();
  const seen: string[] = [];
  let server: http.Server;
  let client: RegistryClient;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(req.url ?? '');
      const ref = decodeURIComponent(m?.[3] ?? '');
      if (m?.[2] === 'manifests' && manifests.has(`${m[1]}:${ref}`)) {
        const { type, body } = manifests.get(`${m[1]}:${ref}`)!;
        res.writeHead(200, { 'content-type': type, 'docker-content-digest': digestOf(body) }).end(body);
      } else if (m?.[2] === 'blobs' && blobs.has(ref)) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(blobs.get(ref));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    client = new RegistryClient(parseRegistry(`127.0.0.1:${(server.address() as AddressInfo).port}/pre`));
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** Put an image (its layers, gzip unless said) in the registry under `repo:tag`; answers its config digest and manifest digest. */
  async function put(repo: string, tag: string, layers: { files: Record<string, string>; type?: string; bytes?: Buffer }[]): Promise<{ config: string; manifest: string }> {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' } }) + repo + tag);
    blobs.set(digestOf(config), config);
    const descriptors = [];
    for (const l of layers) {
      const raw = await tarOf(l.files);
      const type = l.type ?? 'application/vnd.docker.image.rootfs.diff.tar.gzip';
      const bytes = type.endsWith('gzip') ? gzipSync(raw) : raw;
      blobs.set(digestOf(bytes), l.bytes ?? bytes);
      descriptors.push({ mediaType: type, size: bytes.length, digest: digestOf(bytes) });
    }
    const type = 'application/vnd.docker.distribution.manifest.v2+json';
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: type, config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: digestOf(config) }, layers: descriptors }));
    manifests.set(`${repo}:${tag}`, { type, body });
    manifests.set(`${repo}:${digestOf(body)}`, { type, body });
    return { config: digestOf(config), manifest: digestOf(body) };
  }

  it('puts the folder together from the layers, by tag or by digest, and names it by the config digest', async () => {
    const { config, manifest } = await put('pre/site', 't1', [{ files: { 'site/a.txt': 'a1', 'site/b.txt': 'b', 'bin/sh': 'x' } }, { files: { 'site/a.txt': 'a2', 'site/.wh.b.txt': '' }, type: 'application/vnd.oci.image.layer.v1.tar' }]);
    for (const reference of ['t1', manifest]) {
      const files = await readRegistryImageFiles(client, { repository: 'pre/site', reference, dir: '/site', image: 'img' });
      expect(files.id).toBe(config.slice('sha256:'.length));
      expect(await read(files.tar)).toEqual({ 'site/a.txt': 'a2' });
    }
  });

  it('from an index, reads the manifest of this platform', async () => {
    const { manifest: mine } = await put('pre/multi', 'mine', [{ files: { 'site/p.txt': 'this platform' } }]);
    const { manifest: other } = await put('pre/multi', 'other', [{ files: { 'site/p.txt': 'another platform' } }]);
    const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: other, platform: { os: 'linux', architecture: 'not-this-one' } },
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: mine, platform: { os: 'linux', architecture: arch } },
        ],
      }),
    );
    manifests.set('pre/multi:index', { type: 'application/vnd.oci.image.index.v1+json', body });
    const files = await readRegistryImageFiles(client, { repository: 'pre/multi', reference: 'index', dir: '/site', image: 'img' });
    expect(await read(files.tar)).toEqual({ 'site/p.txt': 'this platform' });
  });

  it('refuses a layer whose bytes do not match its digest (nothing of it is served)', async () => {
    const evil = gzipSync(await tarOf({ 'site/a.txt': 'swapped by the registry' }));
    await put('pre/evil', 't', [{ files: { 'site/a.txt': 'what was pushed' }, bytes: evil }]);
    await expect(readRegistryImageFiles(client, { repository: 'pre/evil', reference: 't', dir: '/site', image: 'img' })).rejects.toThrow(/other bytes for sha256:[0-9a-f]{64} of img/);
  });

  it('refuses a manifest whose bytes do not match the digest asked for', async () => {
    const { manifest } = await put('pre/m', 't', [{ files: { 'site/a.txt': 'a' } }]);
    const { type, body } = manifests.get('pre/m:t')!;
    // Other bytes (the same JSON, spaced) under the digest of the pushed ones.
    manifests.set(`pre/m:${manifest}`, { type, body: Buffer.from(body.toString().replace('"schemaVersion":2', '"schemaVersion": 2')) });
    await expect(readRegistryImageFiles(client, { repository: 'pre/m', reference: manifest, dir: '/site', image: 'img' })).rejects.toThrow(/other bytes/);
  });

  it('names a layer it cannot read (zstd) and a missing image as errors', async () => {
    await put('pre/z', 't', [{ files: { 'site/a.txt': 'a' }, type: 'application/vnd.oci.image.layer.v1.tar+zstd' }]);
    await expect(readRegistryImageFiles(client, { repository: 'pre/z', reference: 't', dir: '/site', image: 'img' })).rejects.toThrow(/tar\+zstd \(only tar and tar\+gzip/);
    await expect(readRegistryImageFiles(client, { repository: 'pre/none', reference: 't', dir: '/site', image: 'img' })).rejects.toThrow(/answered 404/);
  });
});
