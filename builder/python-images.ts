/**
 * Which Python a Space gets. Spaceport makes one base image per Debian release (each ships one
 * Python 3): 3.9 from bullseye, 3.11 from bookworm, 3.13 from trixie. A `python_version` that has no
 * image gets the nearest one (with a notice); an operator can map any version to an image of their
 * own (`SPACEPORT_PYTHON_IMAGES`), which is then used as is (pulled by the build, never made here).
 */

export interface DebianPython {
  version: string;
  suite: string;
  image: string;
}

export const DEBIAN_PYTHONS: readonly DebianPython[] = Object.freeze([
  { version: '3.9', suite: 'bullseye', image: 'spaceport/python:3.9' },
  { version: '3.11', suite: 'bookworm', image: 'spaceport/python:3.11' },
  { version: '3.13', suite: 'trixie', image: 'spaceport/python:3.13' },
]);

/** The Hub's default `python_version` (a Space that names none asks for this one). */
export const HUB_DEFAULT_PYTHON = '3.10';

/**
 * Ties go to the version nearest this one: 3.11 (bookworm) is new enough for Gradio 5 (3.10+) and
 * old enough to keep `audioop`, `cgi` and `imghdr` (removed in 3.13, used by Gradio 4's pydub).
 */
export const TIE_BREAK_PYTHON = '3.11';

/** Spaceport's own images by version, with the operator's mapping on top. */
export function pythonImagesWith(operator: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...Object.fromEntries(DEBIAN_PYTHONS.map((p) => [p.version, p.image])), ...operator };
}

/** The Debian suite a base image is made from, when it is one of Spaceport's own Python images. */
export function debianSuiteOf(image: string): string | undefined {
  return DEBIAN_PYTHONS.find((p) => p.image === image)?.suite;
}

export type PythonPick =
  | { kind: 'ok'; version: string; image: string; notice?: string }
  | { kind: 'error'; message: string };

/** `3.10.4` → [3, 10]; undefined for anything else. */
function minorOf(version: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * The image for a Space's `python_version` (or `defaultVersion` when it names none): an exact
 * `major.minor` match, else the nearest available minor version; on a tie, the one nearest
 * {@link TIE_BREAK_PYTHON} (3.10 and 3.12 both go to 3.11 with the built-in images: code written for
 * 3.10 may use `match` and `X | Y`, which 3.9 lacks; code for 3.12 may import `audioop`, `cgi` or
 * `imghdr`, which 3.13 removed).
 */
export function pickPython(
  wanted: string | undefined,
  images: Readonly<Record<string, string>>,
  defaultVersion: string,
): PythonPick {
  const asked = wanted ?? defaultVersion;
  const versions = Object.keys(images)
    .map((v) => ({ v, m: minorOf(v) }))
    .filter((x): x is { v: string; m: [number, number] } => x.m !== undefined);
  const exact = images[asked] ?? images[asked.split('.').slice(0, 2).join('.')];
  if (exact) return { kind: 'ok', version: asked.split('.').slice(0, 2).join('.'), image: exact };
  const target = minorOf(asked);
  if (!target || versions.length === 0) {
    return { kind: 'error', message: `No Python base image for Python ${asked}: the operator must map it in SPACEPORT_PYTHON_IMAGES.` };
  }
  const anchor = minorOf(TIE_BREAK_PYTHON)!;
  const distance = (m: [number, number]) => Math.abs((m[0] - target[0]) * 100 + (m[1] - target[1]));
  const fromAnchor = (m: [number, number]) => Math.abs((m[0] - anchor[0]) * 100 + (m[1] - anchor[1]));
  const best = [...versions].sort((a, b) => distance(a.m) - distance(b.m) || fromAnchor(a.m) - fromAnchor(b.m))[0]!;
  const minor = `${best.m[0]}.${best.m[1]}`;
  const image = images[best.v]!;
  const available = [...versions].sort((a, b) => a.m[0] - b.m[0] || a.m[1] - b.m[1]).map((x) => x.v).join(', ');
  const why = wanted === undefined ? `README.md names no python_version (the Hub's default is ${defaultVersion})` : `python_version ${wanted} is not available here`;
  return {
    kind: 'ok',
    version: minor,
    image,
    notice: `Notice: ${why}; building with the nearest, Python ${minor} (${image}). Available: ${available}. Set python_version in README.md to choose.`,
  };
}
