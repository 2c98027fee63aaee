import type { Logger } from '../core/index.js';

export interface SdkReleaseDatesOptions {
  /** A PEP 691 simple index (default PyPI's `https://pypi.org/simple`): each file has its `upload-time`. */
  indexUrl: string;
  fetch?: typeof globalThis.fetch;
  logger?: Logger;
  /** Each lookup's deadline (default 15 s). */
  timeoutMs?: number;
}

interface SimpleFile {
  filename?: unknown;
  'upload-time'?: unknown;
}

/** PEP 503 name normalization: runs of `-`, `_`, `.` are one `-`, lower case. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Whether `filename` is a wheel or sdist of `name` at `version` (either spelling of the name). */
export function isFileOf(filename: string, name: string, version: string): boolean {
  const m = /^(.+?)-(\d[^-]*?)(?:-.*\.whl|\.tar\.gz|\.zip|\.tar\.bz2)$/i.exec(filename);
  return m !== null && normalize(m[1]!) === normalize(name) && m[2] === version;
}

/**
 * When a release of a package was uploaded to the package index: its earliest file's
 * `upload-time` (the time pip's `--uploaded-prior-to` compares with). Answers are kept in memory
 * (an upload time never changes); a failed lookup is not.
 */
export class SdkReleaseDates {
  readonly #o: SdkReleaseDatesOptions;
  readonly #known = new Map<string, Date>();

  constructor(opts: SdkReleaseDatesOptions) {
    this.#o = opts;
  }

  /** The release's upload time; rejects with the reason when the index cannot say (unreachable, no such release). */
  async uploadedAt(name: string, version: string): Promise<Date> {
    const key = `${normalize(name)}==${version}`;
    const known = this.#known.get(key);
    if (known) return known;
    const url = `${this.#o.indexUrl.replace(/\/+$/, '')}/${encodeURIComponent(normalize(name))}/`;
    const res = await (this.#o.fetch ?? fetch)(url, {
      headers: { accept: 'application/vnd.pypi.simple.v1+json' },
      signal: AbortSignal.timeout(this.#o.timeoutMs ?? 15_000),
    });
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    const body = (await res.json()) as { files?: SimpleFile[] };
    let earliest: number | undefined;
    for (const f of body.files ?? []) {
      if (typeof f.filename !== 'string' || typeof f['upload-time'] !== 'string' || !isFileOf(f.filename, name, version)) continue;
      const t = Date.parse(f['upload-time']);
      if (!Number.isNaN(t) && (earliest === undefined || t < earliest)) earliest = t;
    }
    if (earliest === undefined) throw new Error(`${url} lists no file of ${name} ${version} with an upload time`);
    const date = new Date(earliest);
    this.#known.set(key, date);
    this.#o.logger?.debug({ package: name, version, uploadedAt: date.toISOString() }, 'SDK release date');
    return date;
  }
}
