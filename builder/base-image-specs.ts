import { createHash } from 'node:crypto';
import { UV_VERSION } from '../templates/index.js';

/** The base images Spaceport builds itself from Debian packages (no registry needed). */
export type BaseImageKind = 'python' | 'node';

export const DEFAULT_BASE_IMAGES: Readonly<Record<BaseImageKind, string>> = Object.freeze({
  python: 'spaceport/python:3.11',
  node: 'spaceport/node:bookworm',
});

export const DEFAULT_DEBIAN_MIRROR = 'http://deb.debian.org/debian';
export const DEFAULT_DEBIAN_SECURITY_MIRROR = 'http://deb.debian.org/debian-security';
export const DEFAULT_SUITE = 'bookworm';
/** Bump when the way base images are made changes, so cached root filesystems are not reused. */
export const BASE_IMAGE_RECIPE_VERSION = 1;

/** Where the host's CA bundle goes in the image: the system bundle, and a source file that update-ca-certificates keeps. */
export const ROOTFS_CA_PATHS = ['etc/ssl/certs/ca-certificates.crt', 'usr/local/share/ca-certificates/spaceport-host.crt'] as const;

export interface BaseImageSpec {
  kind: BaseImageKind;
  /** Image reference to create, e.g. `spaceport/python:3.11`. */
  image: string;
  /** Debian packages debootstrap installs besides the minbase set. */
  packages: string[];
  /**
   * Packages installed afterwards with apt-get in a chroot: debootstrap's own resolver cannot
   * install some (npm's dependency tree leaves it with unconfigured packages).
   */
  aptPackages: string[];
  /**
   * PyPI packages pip installs into `/usr/local` in a chroot after the root filesystem is finished
   * (`uv`, so Docker Spaces built `FROM spaceport/python:*` and our templates find it there).
   */
  pipPackages: string[];
  env: Record<string, string>;
  cmd: string[];
  /** Files written into the root filesystem (path relative to `/`). */
  files: Record<string, string>;
}

const SYSTEM_CA = '/etc/ssl/certs/ca-certificates.crt';
const BASE_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
  SSL_CERT_FILE: SYSTEM_CA,
};

/** What goes into a base image of a kind. `extraPackages` lets an operator add common libraries. */
export function baseImageSpec(kind: BaseImageKind, image: string, extraPackages: string[] = []): BaseImageSpec {
  if (kind === 'python') {
    return {
      kind,
      image,
      packages: ['python3', 'python3-venv', 'python3-pip', 'python-is-python3', 'ca-certificates'],
      aptPackages: extraPackages,
      pipPackages: [`uv==${UV_VERSION}`],
      env: { ...BASE_ENV, REQUESTS_CA_BUNDLE: SYSTEM_CA, PIP_CERT: SYSTEM_CA },
      cmd: ['python3'],
      files: { 'etc/pip.conf': `[global]\ncert = ${SYSTEM_CA}\n` },
    };
  }
  return {
    kind,
    image,
    packages: ['ca-certificates'],
    aptPackages: ['nodejs', 'npm', ...extraPackages],
    pipPackages: [],
    env: { ...BASE_ENV, NODE_EXTRA_CA_CERTS: SYSTEM_CA },
    cmd: ['node'],
    files: {},
  };
}

export interface DebianSource {
  suite: string;
  mirror: string;
  /** `null`: no security source (e.g. a private mirror without one). */
  securityMirror: string | null;
}

/**
 * argv for `debootstrap` (no shell): a minimal Debian with the spec's packages. debootstrap does not
 * accept `--`, so every value is validated first (see `debianSourceProblem`, `isDebianPackageName`).
 */
export function debootstrapArgs(spec: BaseImageSpec, source: DebianSource, rootfs: string): string[] {
  return ['--variant=minbase', `--include=${spec.packages.join(',')}`, source.suite, rootfs, source.mirror];
}

/** Why a Debian source is unusable, or undefined. */
export function debianSourceProblem(source: DebianSource): string | undefined {
  if (!/^[a-z][a-z0-9-]*$/.test(source.suite)) return `suite "${source.suite}" is not a Debian suite name like bookworm`;
  for (const [label, url] of [['mirror', source.mirror], ['security mirror', source.securityMirror]] as const) {
    if (url === null) continue;
    if (!/^(https?|file):\/\/[^\s]+$/.test(url)) return `${label} "${url}" must be an http://, https:// or file:// URL`;
  }
  return undefined;
}

/** The image's `/etc/apt/sources.list`, so `packages.txt` installs use the same mirror. */
export function sourcesList(source: DebianSource): string {
  const lines = [`deb ${source.mirror} ${source.suite} main`, `deb ${source.mirror} ${source.suite}-updates main`];
  if (source.securityMirror) lines.push(`deb ${source.securityMirror} ${source.suite}-security main`);
  return `${lines.join('\n')}\n`;
}

/** argv for `chroot ROOTFS apt-get …` (update, then install without recommends). */
export function chrootAptArgs(spec: BaseImageSpec, rootfs: string): string[][] {
  if (spec.aptPackages.length === 0) return [];
  return [
    [rootfs, 'apt-get', 'update'],
    [rootfs, 'apt-get', 'install', '-y', '--no-install-recommends', '--', ...spec.aptPackages],
  ];
}

/**
 * argv for `chroot ROOTFS python3 -m pip install …` of the spec's PyPI packages (pinned; run with
 * PIP_BREAK_SYSTEM_PACKAGES=1, which Debian's pip needs for `/usr/local` and older pips ignore).
 */
export function chrootPipArgs(spec: BaseImageSpec, rootfs: string): string[] | undefined {
  if (spec.pipPackages.length === 0) return undefined;
  return [rootfs, 'python3', '-m', 'pip', 'install', '--no-cache-dir', '--disable-pip-version-check', '--', ...spec.pipPackages];
}

/** `docker import --change` instructions. */
export function importChanges(spec: BaseImageSpec): string[] {
  const env = Object.entries(spec.env).map(([k, v]) => `ENV ${k}=${v}`);
  return [...env, `CMD ${JSON.stringify(spec.cmd)}`];
}

/** The cache key of a root filesystem: everything that goes into it. */
export function rootfsCacheKey(spec: BaseImageSpec, source: DebianSource, caBundle: string | undefined): string {
  const h = createHash('sha256');
  const recipe = { v: BASE_IMAGE_RECIPE_VERSION, kind: spec.kind, packages: spec.packages, apt: spec.aptPackages, pip: spec.pipPackages, files: spec.files, source };
  h.update(JSON.stringify(recipe));
  h.update('\0');
  h.update(caBundle ?? '');
  return h.digest('hex').slice(0, 16);
}

/** Validate a package name before it reaches debootstrap's argv. */
export function isDebianPackageName(name: string): boolean {
  return /^[a-z0-9][a-z0-9+.-]+$/.test(name);
}
