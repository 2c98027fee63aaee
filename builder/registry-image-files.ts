import { createHash } from 'node:crypto';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { fail } from '../core/index.js';
import type { ImageFiles } from './image-builder.js';
import { ImageDirFromLayers } from './image-layers.js';
import type { RegistryClient } from './registry-client.js';

/** The most bytes of files read back from one image (a static site's build output). */
export const IMAGE_FILES_MAX_BYTES = 2 * 1024 ** 3;

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const IMAGE_TYPES = new Set(['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json']);

interface Descriptor {
  mediaType?: string;
  digest: string;
  platform?: { os?: string; architecture?: string };
}

interface Manifest {
  mediaType?: string;
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Node's architecture as images name it. */
function imageArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;
}

/** A pass-through that fails at its end unless what went through has `digest`. */
function checkDigest(digest: string, what: { image: string; repository: string }): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const got = `sha256:${hash.digest('hex')}`;
      done(got === digest ? null : fail('registryBlobMismatch', { image: what.image, digest, got }));
    },
  });
}

/**
 * The image manifest of `repository@reference` (from an index: the one for this machine's
 * platform, else the first), its bytes checked against the digest when the reference is one.
 */
async function imageManifest(client: RegistryClient, repository: string, reference: string, image: string): Promise<Manifest> {
  for (let ref = reference, hops = 0; hops < 2; hops++) {
    const { mediaType, body } = await client.manifest(repository, ref);
    if (DIGEST.test(ref) && sha256(body) !== ref) throw fail('registryBlobMismatch', { image, digest: ref, got: sha256(body) });
    const manifest = JSON.parse(body.toString('utf8')) as Manifest;
    const type = manifest.mediaType ?? mediaType;
    if (IMAGE_TYPES.has(type) || (!INDEX_TYPES.has(type) && manifest.config && manifest.layers)) return manifest;
    if (!INDEX_TYPES.has(type) || !manifest.manifests?.length) throw fail('registryManifestUnsupported', { image, mediaType: type || 'unknown' });
    const mine = manifest.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === imageArch());
    ref = (mine ?? manifest.manifests[0]!).digest;
  }
  throw fail('registryManifestUnsupported', { image, mediaType: 'nested index' });
}

/**
 * `dir` of an image in a registry, read over the Registry HTTP API (no engine, no container): the
 * manifest, then every layer blob (tar or tar+gzip, each checked against its digest) applied in
 * order. The id is the image's config digest (hex), as the engine names the same image.
 */
export async function readRegistryImageFiles(
  client: RegistryClient,
  o: { repository: string; reference: string; dir: string; image: string; maxBytes?: number },
): Promise<ImageFiles> {
  const manifest = await imageManifest(client, o.repository, o.reference, o.image);
  const config = manifest.config?.digest ?? '';
  if (!DIGEST.test(config)) throw fail('registryManifestUnsupported', { image: o.image, mediaType: 'a manifest without a config digest' });
  const files = new ImageDirFromLayers({ image: o.image, dir: o.dir, maxBytes: o.maxBytes ?? IMAGE_FILES_MAX_BYTES });
  for (const layer of manifest.layers ?? []) {
    const type = layer.mediaType ?? '';
    if (!DIGEST.test(layer.digest)) throw fail('registryManifestUnsupported', { image: o.image, mediaType: `a layer digest ${JSON.stringify(layer.digest)}` });
    const gzip = /gzip$/.test(type);
    if (!gzip && !/(\.tar|\.v1\.tar)$/.test(type)) throw fail('registryLayerUnsupported', { image: o.image, digest: layer.digest, mediaType: type || 'unknown' });
    const blob = await client.blob(o.repository, layer.digest);
    const checked = blob.pipe(checkDigest(layer.digest, o));
    blob.once('error', (err) => checked.destroy(err));
    const tarStream: Readable = gzip ? checked.pipe(createGunzip()) : checked.pipe(new PassThrough());
    checked.once('error', (err) => tarStream.destroy(err));
    try {
      await files.applyLayer(tarStream);
    } finally {
      blob.destroy();
    }
  }
  return { id: config.replace(/^sha256:/, ''), tar: files.pack() };
}
