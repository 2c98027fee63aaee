import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type Docker from 'dockerode';
import semver from 'semver';
import tarStream from 'tar-stream';
import { SpaceportError, fail, mapDockerError, type LogSink, type Logger } from '../core/index.js';
import { imageExists, splitImage } from './base-images.js';
import { BuildOutputDecoder } from './build-output.js';
import { nodeDistImage, parseNodeDistImage, pickNodeVersion, pickNpmVersion, type NodeVersionSource } from './node-version.js';

export interface NodeDistOptions {
  /** npm registry base URL (default https://registry.npmjs.org/). */
  registry?: string;
  /** Where downloaded tarballs are kept, by content (`{data}/cache/node`). */
  cacheDir: string;
  /** CPU architecture of the build engine, as Node names it (default this process's). */
  arch?: string;
  logger: Logger;
  /** How long registry metadata is reused (default 10 minutes). */
  metadataTtlMs?: number;
  fetch?: typeof globalThis.fetch;
}

export interface NodeChoice {
  node: string;
  npm: string;
  /** The image holding them under /usr/local (see `nodeDistImage`). */
  image: string;
}

interface Packument {
  'dist-tags'?: Record<string, string>;
  versions: Record<string, { version: string; engines?: { node?: string }; dist: { tarball: string; integrity?: string; shasum?: string } }>;
}

/**
 * Node.js for static builds from the npm registry: every release is published as the package
 * `node-linux-<arch>` (the `node` binary and headers), npm as `npm` (its dependencies bundled). A
 * version range is resolved from the registry's metadata; the pair is made into a small image
 * (`spaceport/node:<node>-npm<npm>`, files under /usr/local only) that a build stage copies from.
 * Tarballs are checked against the registry's sha512 and kept outside any image, by content.
 */
export class NodeDist {
  readonly #o: NodeDistOptions;
  readonly #registry: string;
  readonly #metadata = new Map<string, { at: number; value: Promise<Packument> }>();

  constructor(opts: NodeDistOptions) {
    this.#o = opts;
    this.#registry = (opts.registry ?? 'https://registry.npmjs.org/').replace(/\/?$/, '/');
  }

  get nodePackage(): string {
    return `node-linux-${this.#o.arch ?? process.arch}`;
  }

  /** The newest published Node in `range` (see `pickNodeVersion`) and the newest npm for it. */
  async choose(range: string, source: NodeVersionSource): Promise<NodeChoice> {
    const nodeMeta = await this.#packument(this.nodePackage);
    const node = pickNodeVersion(range, Object.keys(nodeMeta.versions));
    if (!node) {
      const where = source === 'default' ? '' : ` (${source})`;
      throw fail('nodeRangeUnmatched', { range, where });
    }
    const npmMeta = await this.#packument('npm');
    const latest = npmMeta['dist-tags']?.latest;
    const candidates = Object.values(npmMeta.versions).filter((v) => !latest || !semver.valid(v.version) || semver.lte(v.version, latest));
    const npm = pickNpmVersion(node, candidates);
    if (!npm) throw fail('npmForNodeMissing', { node });
    return { node, npm, image: nodeDistImage(node, npm) };
  }

  /** Make the image named by `nodeDistImage` when it is missing. Returns whether it was made. */
  async ensureImage(docker: Docker, image: string, log: LogSink, signal?: AbortSignal): Promise<'exists' | 'imported'> {
    const wanted = parseNodeDistImage(image);
    if (!wanted) throw fail('nodeImageNameInvalid', { image });
    if (await imageExists(docker, image)) return 'exists';
    const nodeMeta = await this.#packument(this.nodePackage);
    const npmMeta = await this.#packument('npm');
    const nodeDist = nodeMeta.versions[wanted.node]?.dist;
    const npmDist = npmMeta.versions[wanted.npm]?.dist;
    if (!nodeDist || !npmDist) throw fail('npmPackagesMissing', { nodePackage: this.nodePackage, node: wanted.node, npm: wanted.npm });
    log.write(`Fetching Node.js ${wanted.node} (${this.nodePackage}) and npm ${wanted.npm} from the npm registry ...\n`);
    const nodeTgz = await this.#download(nodeDist);
    const npmTgz = await this.#download(npmDist);
    const { repo, tag } = splitImage(image);
    const tar = distTar(nodeTgz, npmTgz);
    let stream: NodeJS.ReadableStream;
    try {
      stream = await docker.importImage(tar, {
        repo,
        tag,
        message: `Spaceport Node.js ${wanted.node} with npm ${wanted.npm} (from the npm registry)`,
        abortSignal: signal,
      } as Parameters<Docker['importImage']>[1]);
    } catch (err) {
      tar.destroy();
      throw mapDockerError(err, { action: `import ${image}`, otherwise: 'Internal' });
    }
    const decoder = new BuildOutputDecoder();
    let error: string | undefined;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (const ev of decoder.push(chunk)) if (ev.kind === 'error') error ??= ev.message;
    }
    if (error) throw fail('dockerImportFailed', { image, error });
    this.#o.logger.info({ image }, 'node image imported');
    return 'imported';
  }

  #packument(name: string): Promise<Packument> {
    const ttl = this.#o.metadataTtlMs ?? 10 * 60_000;
    const hit = this.#metadata.get(name);
    if (hit && Date.now() - hit.at < ttl) return hit.value;
    const value = this.#fetchPackument(name);
    this.#metadata.set(name, { at: Date.now(), value });
    value.catch(() => this.#metadata.delete(name));
    return value;
  }

  async #fetchPackument(name: string): Promise<Packument> {
    const url = `${this.#registry}${name.replace('/', '%2f')}`;
    let res: Response;
    try {
      res = await (this.#o.fetch ?? fetch)(url, { headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' }, signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      throw fail('npmRegistryUnreachable', { registry: this.#registry, reason: (err as Error).message }, { cause: err });
    }
    if (!res.ok) throw fail('npmRegistryAnswered', { status: res.status, name });
    const body = (await res.json()) as Packument;
    if (!body || typeof body.versions !== 'object') throw fail('npmNoVersions', { name });
    return body;
  }

  /** A tarball in the cache (named by its sha512), downloaded and checked when missing. */
  async #download(dist: { tarball: string; integrity?: string; shasum?: string }): Promise<string> {
    const expected = expectedDigest(dist);
    const file = path.join(this.#o.cacheDir, `${expected.algorithm}-${expected.hex}.tgz`);
    if (await stat(file).then((s) => s.isFile(), () => false)) return file;
    await mkdir(this.#o.cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    try {
      const res = await (this.#o.fetch ?? fetch)(dist.tarball, { signal: AbortSignal.timeout(15 * 60_000) });
      if (!res.ok || !res.body) throw fail('tarballAnswered', { tarball: dist.tarball, status: res.status });
      const hash = createHash(expected.algorithm);
      const counter = new PassThrough();
      counter.on('data', (c: Buffer) => hash.update(c));
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), counter, createWriteStream(tmp));
      const got = hash.digest('hex');
      if (got !== expected.hex) throw fail('tarballChecksumMismatch', { tarball: dist.tarball, algorithm: expected.algorithm, got });
      await rename(tmp, file);
      return file;
    } catch (err) {
      await rm(tmp, { force: true });
      if (err instanceof SpaceportError) throw err;
      throw fail('tarballDownloadFailed', { tarball: dist.tarball, reason: (err as Error).message }, { cause: err });
    }
  }
}

function expectedDigest(dist: { integrity?: string; shasum?: string; tarball: string }): { algorithm: 'sha512' | 'sha1'; hex: string } {
  const sri = /(?:^|\s)sha512-([A-Za-z0-9+/=]+)/.exec(dist.integrity ?? '');
  if (sri) return { algorithm: 'sha512', hex: Buffer.from(sri[1]!, 'base64').toString('hex') };
  if (dist.shasum && /^[0-9a-f]{40}$/.test(dist.shasum)) return { algorithm: 'sha1', hex: dist.shasum };
  throw fail('tarballNoChecksum', { tarball: dist.tarball });
}

/**
 * One tar for `docker import`: Node's `bin/`, `include/` and `share/` under `usr/local/`, npm under
 * `usr/local/lib/node_modules/npm/`, and `npm`/`npx` links in `usr/local/bin/` (as Node's own
 * release tarballs lay them out).
 */
export function distTar(nodeTgz: string, npmTgz: string): Readable {
  const pack = tarStream.pack();
  const copy = async (tgz: string, rename: (name: string) => string | undefined) => {
    const extract = tarStream.extract();
    const done = new Promise<void>((resolve, reject) => {
      extract.on('entry', (header, stream, next) => {
        const name = rename(header.name.replace(/^\.?\//, ''));
        if (!name || (header.type !== 'file' && header.type !== 'directory' && header.type !== 'symlink')) {
          stream.resume();
          stream.on('end', next);
          return;
        }
        const out = pack.entry({ ...header, name, uid: 0, gid: 0, uname: 'root', gname: 'root' }, (err) => (err ? reject(err) : next()));
        stream.pipe(out);
      });
      extract.on('finish', resolve);
      extract.on('error', reject);
    });
    createReadStream(tgz).pipe(createGunzip()).on('error', (err) => extract.destroy(err)).pipe(extract);
    await done;
  };
  void (async () => {
    try {
      await copy(nodeTgz, (n) => {
        const m = /^package\/((bin|include|share)\/.*)$/.exec(n);
        return m ? `usr/local/${m[1]}` : undefined;
      });
      await copy(npmTgz, (n) => (n.startsWith('package/') ? `usr/local/lib/node_modules/npm/${n.slice('package/'.length)}` : undefined));
      for (const [bin, target] of [['npm', 'npm-cli.js'], ['npx', 'npx-cli.js']] as const) {
        pack.entry({ name: `usr/local/bin/${bin}`, type: 'symlink', linkname: `../lib/node_modules/npm/bin/${target}`, mode: 0o777 });
      }
      pack.finalize();
    } catch (err) {
      pack.destroy(err as Error);
    }
  })();
  return pack as unknown as Readable;
}
