/**
 * The pure half of serving a static Space: what a request asks for (a path inside the tree, an
 * encoding, a byte range), decided from its URL and headers alone. Never touches the disk.
 */

/** A URL path as a path relative to the tree, or why it is refused (always a 404 to the client). */
export type StaticPath = { kind: 'path'; rel: string; slash: boolean } | { kind: 'refused' };

/**
 * `/a/b/` → `a/b` (slash: true). Refused: anything not starting with `/`, a bad percent escape, NUL
 * or a backslash, a `..` segment (also encoded as `%2e%2e`), any dot segment or dotfile (as the
 * container server did: `.git`, `.env` are never served). `/` is the empty path.
 */
export function staticPathOf(url: string | undefined): StaticPath {
  if (url === undefined || url.charCodeAt(0) !== 47 /* / */) return { kind: 'refused' };
  const q = url.indexOf('?');
  const raw = q < 0 ? url : url.slice(0, q);
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { kind: 'refused' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { kind: 'refused' };
  const parts = decoded.split('/').filter((p) => p !== '');
  if (parts.some((p) => p.startsWith('.'))) return { kind: 'refused' };
  return { kind: 'path', rel: parts.join('/'), slash: decoded.endsWith('/') };
}

export type Encoding = 'br' | 'gzip';

/** The best encoding the client accepts (`br` before `gzip`; `q=0` refuses), or undefined for identity. */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  const q = new Map<string, number>();
  for (const item of acceptEncoding.split(',')) {
    const [name, ...params] = item.trim().toLowerCase().split(';');
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q=([0-9.]+)\s*$/.exec(p);
      if (m) weight = Number(m[1]);
    }
    if (name) q.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const star = q.get('*');
  const of = (e: string): number => q.get(e) ?? star ?? 0;
  if (of('br') > 0) return 'br';
  if (of('gzip') > 0) return 'gzip';
  return undefined;
}

export type ByteRange = { kind: 'none' } | { kind: 'range'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * One `bytes=` range of a file of `size` bytes (RFC 9110 §14). Several ranges, another unit or a
 * malformed header: the whole file (a server may ignore Range).
 */
export function byteRangeOf(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return { kind: 'none' };
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'none' };
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size) return { kind: 'unsatisfiable' };
  if (end < start) return { kind: 'none' };
  return { kind: 'range', start, end };
}

/** Does an `If-None-Match` list name `etag` (weak comparison, `*` matches)? */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v.replace(/^W\//, '') === bare;
  });
}
