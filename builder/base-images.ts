import { hostAptMirrors, type AptMirrors } from './host-apt-sources.js';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { dockerStatus, fail, mapDockerError, type LogSink, type Logger } from '../core/index.js';
import {
  DEFAULT_DEBIAN_MIRROR,
  DEFAULT_DEBIAN_SECURITY_MIRROR,
  DEFAULT_SUITE,
  ROOTFS_CA_PATHS,
  baseImageSpec,
  chrootAptArgs,
  chrootPipArgs,
  debianSourceProblem,
  debootstrapArgs,
  importChanges,
  isDebianPackageName,
  rootfsCacheKey,
  sourcesList,
  type BaseImageKind,
  type BaseImageSpec,
  type DebianSource,
} from './base-image-specs.js';
import { BuildOutputDecoder } from './build-output.js';
import { runCommand } from './run-command.js';

export interface BaseImageOptions {
  /** Debian mirror for debootstrap and the images' sources.list (default http://deb.debian.org/debian). */
  mirror?: string;
  /** Security mirror; default deb.debian.org's when `mirror` is the default, none otherwise; `null` for none. */
  securityMirror?: string | null;
  suite?: string;
  /** Debian suite per image, for images made from another release than `suite` (e.g. `spaceport/python:3.9` from bullseye). */
  suites?: Readonly<Record<string, string>>;
  /** Keep debootstrapped root filesystems here as tarballs, so a missing image is re-imported in seconds. */
  cacheDir?: string;
  /** Host CA bundle copied into the images (default /etc/ssl/certs/ca-certificates.crt); `null` to copy none. */
  caBundle?: string | null;
  /** Proxy for debootstrap's downloads (exported as http_proxy / https_proxy / no_proxy). */
  proxy?: { http?: string; https?: string; noProxy?: string };
  /** More Debian packages per image kind (e.g. git, ffmpeg for python). */
  extraPackages?: Partial<Record<BaseImageKind, string[]>>;
  /** Scratch space for root filesystems (default the OS temp dir). */
  tmpDir?: string;
  /** debootstrap executable (default `debootstrap` on PATH). */
  debootstrap?: string;
  /** Build even when the image exists. */
  force?: boolean;
  /** debootstrap and import output, line by line. */
  log?: LogSink;
  signal?: AbortSignal;
}

export type BaseImageResult = 'present' | 'imported' | 'built';

export interface BaseImageOutcome {
  kind: BaseImageKind;
  image: string;
  result: BaseImageResult;
}

const DEFAULT_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Build the base images that are missing (from the rootfs cache when possible); leave present ones alone. */
export async function ensureBaseImages(
  docker: Docker,
  images: Partial<Record<BaseImageKind, string>>,
  logger: Logger,
  opts: BaseImageOptions = {},
): Promise<BaseImageOutcome[]> {
  const out: BaseImageOutcome[] = [];
  for (const kind of ['python', 'node'] as const) {
    const image = images[kind];
    if (!image) continue;
    if (!opts.force && (await imageExists(docker, image))) {
      out.push({ kind, image, result: 'present' });
      continue;
    }
    const spec = baseImageSpec(kind, image, opts.extraPackages?.[kind]);
    const suite = opts.suites?.[image] ?? opts.suite;
    const result = await buildBaseImage(docker, spec, logger, suite === undefined ? opts : { ...opts, suite });
    out.push({ kind, image, result });
  }
  return out;
}

/** debootstrap (or reuse a cached root filesystem) and `docker import` one base image. */
export async function buildBaseImage(
  docker: Docker,
  spec: BaseImageSpec,
  logger: Logger,
  opts: BaseImageOptions = {},
): Promise<Exclude<BaseImageResult, 'present'>> {
  const source = debianSource(opts);
  const problem = debianSourceProblem(source) ?? packageProblem(spec);
  if (problem) throw fail('baseImageRefused', { image: spec.image, problem });
  const caPath = opts.caBundle === undefined ? DEFAULT_CA_BUNDLE : opts.caBundle;
  const ca = caPath === null ? undefined : await readCaBundle(caPath);
  const key = rootfsCacheKey(spec, source, ca);
  const log = logger.child({ image: spec.image });

  const cached = opts.cacheDir ? path.join(opts.cacheDir, `${spec.kind}-${source.suite}-${key}.tar`) : undefined;
  if (cached && (await fileExists(cached))) {
    log.info({ tarball: cached }, 'base image: importing cached root filesystem');
    await importTarball(docker, spec, cached, opts);
    return 'imported';
  }

  const scratch = await mkdtemp(path.join(opts.tmpDir ?? tmpdir(), `spaceport-rootfs-${spec.kind}-`));
  const rootfs = path.join(scratch, 'rootfs');
  try {
    log.info({ packages: spec.packages, mirror: source.mirror }, 'base image: debootstrap');
    const args = debootstrapArgs(spec, source, rootfs);
    const res = await runCommand(opts.debootstrap ?? 'debootstrap', args, {
      extraEnv: proxyEnv(opts.proxy),
      signal: opts.signal,
      onLine: (line) => opts.log?.write(`${line}\n`),
    });
    if (res.code !== 0) {
      const detail = await debootstrapLogTail(rootfs);
      const lines = [...res.tail.slice(-10), ...detail].join('\n');
      throw fail('debootstrapFailed', { image: spec.image, exit: res.code ?? res.signal, mirror: source.mirror, lines });
    }
    await writeFile(path.join(rootfs, 'etc/apt/sources.list'), sourcesList(source));
    for (const args of chrootAptArgs(spec, rootfs)) {
      const apt = await runCommand('chroot', args, {
        extraEnv: { ...proxyEnv(opts.proxy), DEBIAN_FRONTEND: 'noninteractive' },
        signal: opts.signal,
        onLine: (line) => opts.log?.write(`${line}\n`),
      });
      if (apt.code !== 0) {
        throw fail('aptFailed', { command: args[2], image: spec.image, exit: apt.code ?? apt.signal, lines: apt.tail.join('\n') });
      }
    }
    await finishRootfs(rootfs, spec, source, ca);
    const pipArgs = chrootPipArgs(spec, rootfs);
    if (pipArgs) {
      // Not fatal: the templates install uv themselves when the base image lacks it.
      const pip = await runCommand('chroot', pipArgs, {
        extraEnv: { ...proxyEnv(opts.proxy), PIP_BREAK_SYSTEM_PACKAGES: '1' },
        signal: opts.signal,
        onLine: (line) => opts.log?.write(`${line}\n`),
      });
      if (pip.code !== 0) log.warn({ packages: spec.pipPackages, exit: pip.code ?? pip.signal, lines: pip.tail.slice(-5) }, 'base image: pip install in the root filesystem failed; continuing without');
    }
    const tarball = cached ?? path.join(scratch, 'rootfs.tar');
    const partial = `${tarball}.${process.pid}.partial`;
    if (cached) await mkdir(path.dirname(cached), { recursive: true });
    const tar = await runCommand('tar', ['--numeric-owner', '-C', rootfs, '-cf', partial, '.'], { signal: opts.signal });
    if (tar.code !== 0) {
      await rm(partial, { force: true });
      throw fail('rootfsPackFailed', { image: spec.image, lines: tar.tail.join('\n') });
    }
    await rename(partial, tarball);
    await unmountUnder(rootfs);
    await rm(rootfs, { recursive: true, force: true });
    await importTarball(docker, spec, tarball, opts);
    log.info('base image: built');
    return 'built';
  } finally {
    await unmountUnder(scratch);
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Where Debian packages come from: the mirror given (SPACEPORT_DEBIAN_MIRROR), else the one this
 * host's apt uses (a corporate or air-gapped mirror needs no setting), else deb.debian.org. The
 * security archive follows: the host's, deb.debian.org's for deb.debian.org, none otherwise.
 */
export function debianSource(opts: Pick<BaseImageOptions, 'mirror' | 'securityMirror' | 'suite'> = {}, host: AptMirrors = hostAptMirrors()): DebianSource {
  const fromHost = opts.mirror === undefined && host.mirror !== undefined;
  const mirror = (opts.mirror ?? host.mirror ?? DEFAULT_DEBIAN_MIRROR).replace(/\/+$/, '');
  const securityMirror =
    opts.securityMirror !== undefined
      ? opts.securityMirror
      : fromHost && host.securityMirror !== undefined
        ? host.securityMirror
        : mirror === DEFAULT_DEBIAN_MIRROR
          ? DEFAULT_DEBIAN_SECURITY_MIRROR
          : null;
  return { suite: opts.suite ?? DEFAULT_SUITE, mirror, securityMirror };
}

function packageProblem(spec: BaseImageSpec): string | undefined {
  const bad = [...spec.packages, ...spec.aptPackages].find((p) => !isDebianPackageName(p));
  return bad === undefined ? undefined : `"${bad}" is not a Debian package name`;
}

function proxyEnv(proxy: BaseImageOptions['proxy']): Record<string, string> | undefined {
  if (!proxy) return undefined;
  const env: Record<string, string> = {};
  if (proxy.http) env.http_proxy = proxy.http;
  if (proxy.https) env.https_proxy = proxy.https;
  if (proxy.noProxy) env.no_proxy = proxy.noProxy;
  return env;
}

/** The dpkg errors debootstrap logged inside the target (its own output only says "see the log"). */
async function debootstrapLogTail(rootfs: string): Promise<string[]> {
  const text = await readFile(path.join(rootfs, 'debootstrap', 'debootstrap.log'), 'utf8').catch(() => '');
  const lines = text.split('\n').filter((l) => /error|E: |not installed|depends on/i.test(l) && !/^\S+ \S+ URL:/.test(l));
  return lines.slice(-15);
}

async function readCaBundle(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw fail('caBundleUnreadable', { file }, { cause: err });
  }
}

/** Our files, the CA bundle, apt sources for the image's own mirror, and no package caches. */
async function finishRootfs(rootfs: string, spec: BaseImageSpec, source: DebianSource, ca: string | undefined): Promise<void> {
  const write = async (rel: string, text: string) => {
    const file = path.join(rootfs, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  };
  for (const [rel, text] of Object.entries(spec.files)) await write(rel, text);
  await write('etc/apt/sources.list', sourcesList(source));
  if (ca !== undefined) for (const rel of ROOTFS_CA_PATHS) await write(rel, ca);
  for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
    const full = path.join(rootfs, dir);
    for (const name of await readdir(full).catch(() => [] as string[])) {
      if (name === 'partial' || name === 'lock') continue;
      await rm(path.join(full, name), { recursive: true, force: true });
    }
  }
  await copyFile('/dev/null', path.join(rootfs, 'etc/machine-id')).catch(() => undefined);
}

async function importTarball(docker: Docker, spec: BaseImageSpec, tarball: string, opts: BaseImageOptions): Promise<void> {
  const { repo, tag } = splitImage(spec.image);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.importImage(createReadStream(tarball), {
      repo,
      tag,
      changes: importChanges(spec),
      message: `Spaceport base image (${spec.kind}, Debian ${spec.packages.join(' ')})`,
      abortSignal: opts.signal,
    } as Parameters<Docker['importImage']>[1]);
  } catch (err) {
    throw mapDockerError(err, { action: `import ${spec.image}`, otherwise: 'Internal' });
  }
  const decoder = new BuildOutputDecoder();
  let error: string | undefined;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    for (const ev of decoder.push(chunk)) {
      if (ev.kind === 'error') error ??= ev.message;
      else if (ev.kind === 'status' || ev.kind === 'stream') opts.log?.write(ev.text);
    }
  }
  if (error) throw fail('dockerImportFailed', { image: spec.image, error });
}

/** `name[:tag]` (the registry part may hold a port: `host:5000/a/b:tag`). */
export function splitImage(image: string): { repo: string; tag: string } {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon > slash) return { repo: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { repo: image, tag: 'latest' };
}

export async function imageExists(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (err) {
    if (dockerStatus(err) === 404) return false;
    throw mapDockerError(err, { action: `inspect ${image}`, otherwise: 'Internal' });
  }
}

async function fileExists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** A failed debootstrap can leave /proc, /sys or /dev/pts mounted in the target: unmount before deleting. */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
  const targets = mounts
    .split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((m): m is string => m !== undefined && m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const target of targets) await runCommand('umount', ['-l', target]);
}
