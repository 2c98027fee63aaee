import semver from 'semver';

/**
 * Which Node.js a static Space's build runs on: from `.nvmrc` / `.node-version` (what its authors
 * ran) or `package.json` `engines.node` (what it declares), else the current LTS. Versions come
 * from the npm registry's `node-linux-<arch>` packages, which carry every Node release. Pure.
 */

/** The LTS line used when a Space says nothing (and preferred when its range allows it). */
export const DEFAULT_NODE_MAJOR = 22;

/** Where the choice came from, for the build log. */
export type NodeVersionSource = 'package.json engines.node' | '.nvmrc' | '.node-version' | 'default';

export type NodeVersionRequest =
  | { kind: 'ok'; range: string; source: NodeVersionSource; given?: string }
  | { kind: 'error'; message: string };

/** nvm's LTS code names → their major. */
const LTS_NAMES: Readonly<Record<string, number>> = {
  argon: 4,
  boron: 6,
  carbon: 8,
  dubnium: 10,
  erbium: 12,
  fermium: 14,
  gallium: 16,
  hydrogen: 18,
  iron: 20,
  jod: 22,
  krypton: 24,
};

export interface NodeVersionFiles {
  packageJson?: string;
  nvmrc?: string;
  nodeVersionFile?: string;
}

/** The version range a Space asks for. A version file wins when it fits `engines.node` (or there is none). */
export function nodeVersionRequest(files: NodeVersionFiles): NodeVersionRequest {
  let engines: string | undefined;
  if (files.packageJson !== undefined) {
    let pkg: unknown;
    try {
      pkg = JSON.parse(files.packageJson);
    } catch (err) {
      return { kind: 'error', message: `package.json is not valid JSON: ${(err as Error).message}. Fix it so npm can read it.` };
    }
    const value = (pkg as { engines?: { node?: unknown } } | null)?.engines?.node;
    if (typeof value === 'string' && value.trim() !== '') {
      engines = value.trim();
      if (semver.validRange(engines) === null) {
        return { kind: 'error', message: `package.json "engines.node" is not a version range: ${JSON.stringify(engines)}. Use one like ">=20" or "^22.12.0".` };
      }
    }
  }
  for (const [source, text] of [['.nvmrc', files.nvmrc], ['.node-version', files.nodeVersionFile]] as const) {
    if (text === undefined) continue;
    const given = versionFileValue(text);
    if (given === undefined) continue;
    const range = versionFileRange(given);
    if (range === undefined) {
      return { kind: 'error', message: `${source} says ${JSON.stringify(given)}, which is not a Node.js version. Use one like "22", "v20.11.1" or "lts/iron".` };
    }
    if (engines === undefined || semver.intersects(range, engines)) return { kind: 'ok', range, source, given };
  }
  if (engines !== undefined) return { kind: 'ok', range: engines, source: 'package.json engines.node', given: engines };
  return { kind: 'ok', range: `${DEFAULT_NODE_MAJOR}.x`, source: 'default' };
}

/** The first non-comment word of a version file. */
function versionFileValue(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const word = line.replace(/#.*$/, '').trim().split(/\s+/)[0];
    if (word) return word;
  }
  return undefined;
}

/** `20`, `v20.11.1`, `20.x`, `lts/iron`, `lts/*`, `node` → a semver range. */
function versionFileRange(value: string): string | undefined {
  const v = value.toLowerCase();
  if (v === 'node' || v === 'stable' || v === 'latest' || v === 'current') return '*';
  if (v === 'lts/*' || v === 'lts') return `${DEFAULT_NODE_MAJOR}.x`;
  const lts = /^lts\/(\w+)$/.exec(v);
  if (lts) {
    const major = LTS_NAMES[lts[1]!];
    return major === undefined ? undefined : `${major}.x`;
  }
  const cleaned = v.replace(/^v/, '');
  if (/^\d+(\.\d+){0,2}$/.test(cleaned) && semver.validRange(cleaned) !== null) return cleaned;
  return semver.validRange(v) === null ? undefined : v;
}

/**
 * The version to use from those published: the newest of the default LTS line when the range
 * allows it, else the newest of an LTS (even) line, else the newest that fits. Pre-releases never.
 */
export function pickNodeVersion(range: string, published: readonly string[]): string | undefined {
  const fits = published.map((v) => semver.valid(semver.clean(v) ?? v)).filter((v): v is string => v !== null && semver.prerelease(v) === null && semver.satisfies(v, range));
  if (fits.length === 0) return undefined;
  const newest = (vs: string[]) => vs.reduce((a, b) => (semver.gt(a, b) ? a : b));
  const preferred = fits.filter((v) => semver.major(v) === DEFAULT_NODE_MAJOR);
  if (preferred.length > 0) return newest(preferred);
  const lts = fits.filter((v) => semver.major(v) % 2 === 0);
  return newest(lts.length > 0 ? lts : fits);
}

/** The newest npm whose `engines.node` accepts this Node (npm ships separately from the Node binaries). */
export function pickNpmVersion(nodeVersion: string, published: readonly { version: string; engines?: { node?: string } }[]): string | undefined {
  const fits = published.filter((p) => {
    if (semver.valid(p.version) === null || semver.prerelease(p.version) !== null) return false;
    const wants = p.engines?.node;
    return wants !== undefined && semver.validRange(wants) !== null && semver.satisfies(nodeVersion, wants);
  });
  if (fits.length === 0) return undefined;
  return fits.map((p) => p.version).reduce((a, b) => (semver.gt(a, b) ? a : b));
}

const NODE_DIST_REPO = 'spaceport/node';
const NODE_DIST_RE = /^spaceport\/node:(\d+\.\d+\.\d+)-npm(\d+\.\d+\.\d+)$/;

/**
 * The image holding one Node and npm under `/usr/local` (nothing else: build stages copy it in).
 * Its tag names both versions, so it is made once per pair.
 */
export function nodeDistImage(node: string, npm: string): string {
  return `${NODE_DIST_REPO}:${node}-npm${npm}`;
}

export function parseNodeDistImage(image: string): { node: string; npm: string } | undefined {
  const m = NODE_DIST_RE.exec(image);
  return m ? { node: m[1]!, npm: m[2]! } : undefined;
}
