import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import type { Logger } from 'pino';
import { CompressedCache } from './compressed-cache.js';
import { contentTypeOf, isCompressible } from './static-content-types.js';
import { byteRangeOf, chooseEncoding, etagMatches, staticPathOf, type Encoding } from './static-request.js';
import type { StaticTrees } from './static-trees.js';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Files up to this size are compressed on the fly (and cached); larger ones go as they are unless precompressed. */
const MAX_ON_THE_FLY_BYTES = 1 << 20;
/** Smaller files are not worth compressing. */
const MIN_COMPRESS_BYTES = 256;

export interface StaticFileServerOptions {
  trees: StaticTrees;
  logger: Logger;
  /** Bytes of compressed bodies kept (default 32 MiB). */
  cacheBytes?: number;
  /** The `frame-ancestors` source list the proxy adds to app responses, if any. */
  frameAncestors?: string;
}

/** What `serve` did: answered, or found no tree to answer from (the caller answers 503). */
export type StaticOutcome = 'served' | 'no-tree';

interface Found {
  file: string;
  st: Stats;
  /** The path inside the tree, for the ETag. */
  rel: string;
}

type Resolved = { kind: 'file'; found: Found } | { kind: 'redirect'; location: string } | { kind: 'missing' };

/**
 * Serves a static Space's files from its tree, in the proxy's process: ETag (the tree hash and the
 * path: a new push is a new tree) and 304, one byte range, br/gzip (a `.br`/`.gz` file next to the
 * original, else compressed on the fly into a bounded cache), `index.html` for folders, `index`
 * (`app_file`) at `/`, no SPA fallback (the Hub has none). Anything outside the tree, through `..`
 * or a symlink, and dotfiles are 404, as a missing file is.
 */
export class StaticFileServer {
  readonly #o: StaticFileServerOptions;
  readonly #cache: CompressedCache;
  readonly #inflight = new Map<string, Promise<Buffer>>();

  constructor(opts: StaticFileServerOptions) {
    this.#o = opts;
    this.#cache = new CompressedCache(opts.cacheBytes ?? 32 << 20);
  }

  async serve(tree: string, index: string, req: IncomingMessage, res: ServerResponse): Promise<StaticOutcome> {
    const dir = await this.#o.trees.dirOf(tree);
    if (dir === undefined) return 'no-tree';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      plain(res, 405, 'Method not allowed.', ['allow', 'GET, HEAD']);
      return 'served';
    }
    const resolved = await resolveFile(dir, index, req.url);
    if (resolved.kind === 'missing') plain(res, 404, 'Not found.');
    else if (resolved.kind === 'redirect') plain(res, 301, 'Moved.', ['location', resolved.location]);
    else await this.#send(tree, dir, resolved.found, req, res);
    return 'served';
  }

  async #send(tree: string, dir: string, found: Found, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const type = contentTypeOf(found.file);
    const compressible = isCompressible(type);
    const tag = `${tree.slice(0, 16)}-${createHash('sha1').update(found.rel).digest('hex').slice(0, 16)}`;
    const rangeHeader = req.headers.range;
    const wanted = compressible && rangeHeader === undefined && found.st.size >= MIN_COMPRESS_BYTES ? chooseEncoding(req.headers['accept-encoding']) : undefined;
    const encoded = wanted === undefined ? undefined : await this.#encoded(tree, dir, found, wanted);
    const etag = encoded ? `"${tag}-${wanted}"` : `"${tag}"`;
    const headers = ['content-type', type, 'etag', etag, 'cache-control', 'no-cache', 'x-content-type-options', 'nosniff', 'accept-ranges', 'bytes'];
    if (compressible) headers.push('vary', 'Accept-Encoding');
    if (this.#o.frameAncestors) headers.push('content-security-policy', `frame-ancestors ${this.#o.frameAncestors}`);
    if (etagMatches(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    if (encoded) {
      headers.push('content-encoding', wanted!);
      if (Buffer.isBuffer(encoded)) {
        res.writeHead(200, [...headers, 'content-length', String(encoded.length)]);
        res.end(req.method === 'HEAD' ? undefined : encoded);
      } else {
        this.#stream(encoded.file, encoded.st.size, 200, headers, req, res);
      }
      return;
    }
    const ifRange = req.headers['if-range'];
    const range = ifRange === undefined || ifRange === etag ? byteRangeOf(rangeHeader, found.st.size) : { kind: 'none' as const };
    if (range.kind === 'unsatisfiable') {
      plain(res, 416, 'Range not satisfiable.', ['content-range', `bytes */${found.st.size}`]);
      return;
    }
    if (range.kind === 'range') {
      headers.push('content-range', `bytes ${range.start}-${range.end}/${found.st.size}`);
      this.#stream(found.file, range.end - range.start + 1, 206, headers, req, res, range);
      return;
    }
    this.#stream(found.file, found.st.size, 200, headers, req, res);
  }

  #stream(file: string, length: number, status: number, headers: string[], req: IncomingMessage, res: ServerResponse, range?: { start: number; end: number }): void {
    res.writeHead(status, [...headers, 'content-length', String(length)]);
    if (req.method === 'HEAD' || length === 0) {
      res.end();
      return;
    }
    const body = createReadStream(file, range ? { start: range.start, end: range.end } : {});
    body.on('error', (err) => {
      this.#o.logger.warn({ err: err.message }, 'static file read failed');
      res.destroy();
    });
    res.once('close', () => body.destroy());
    body.pipe(res);
  }

  /** The encoded body: a precompressed file in the tree, or the file compressed here (small files only); undefined: send it as it is. */
  async #encoded(tree: string, dir: string, found: Found, encoding: Encoding): Promise<Buffer | Found | undefined> {
    const pre = await inTree(dir, `${found.file}${encoding === 'br' ? '.br' : '.gz'}`);
    if (pre !== undefined) return pre;
    if (found.st.size > MAX_ON_THE_FLY_BYTES) return undefined;
    const key = `${tree}\0${found.rel}\0${encoding}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    let pending = this.#inflight.get(key);
    if (pending === undefined) {
      pending = readFile(found.file).then((raw) =>
        encoding === 'br' ? brotli(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 6, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } }) : gzipAsync(raw, { level: 6 }),
      );
      this.#inflight.set(key, pending);
      void pending.then((b) => this.#cache.set(key, b), () => undefined).finally(() => this.#inflight.delete(key));
    }
    try {
      return await pending;
    } catch (err) {
      this.#o.logger.warn({ err: (err as Error).message }, 'static file compression failed; sending it uncompressed');
      return undefined;
    }
  }
}

/** A request URL as a file of the tree at `dir` (real path inside it), a redirect to the folder's slash form, or missing. */
async function resolveFile(dir: string, index: string, url: string | undefined): Promise<Resolved> {
  const p = staticPathOf(url);
  if (p.kind === 'refused') return { kind: 'missing' };
  const found = await inTree(dir, path.join(dir, p.rel === '' ? index : p.rel));
  if (found === undefined) return { kind: 'missing' };
  if (found.st.isFile()) return p.slash && p.rel !== '' ? { kind: 'missing' } : { kind: 'file', found };
  if (!found.st.isDirectory()) return { kind: 'missing' };
  if (!p.slash) {
    const q = url!.indexOf('?');
    return { kind: 'redirect', location: `/${p.rel.split('/').map(encodeURIComponent).join('/')}/${q < 0 ? '' : url!.slice(q)}` };
  }
  const inner = await inTree(dir, path.join(found.file, 'index.html'));
  return inner?.st.isFile() ? { kind: 'file', found: inner } : { kind: 'missing' };
}

/** `file` if it exists and its real path (symlinks followed) stays inside `dir`; else undefined. */
async function inTree(dir: string, file: string): Promise<Found | undefined> {
  try {
    const real = await realpath(file);
    if (real !== dir && !real.startsWith(dir + path.sep)) return undefined;
    const st = await stat(real);
    return { file: real, st, rel: path.relative(dir, real) };
  } catch {
    return undefined;
  }
}

function plain(res: ServerResponse, status: number, body: string, extra: string[] = []): void {
  const buf = Buffer.from(`${body}\n`);
  res.writeHead(status, ['content-type', 'text/plain; charset=utf-8', 'content-length', String(buf.length), 'cache-control', 'no-store', 'x-content-type-options', 'nosniff', ...extra]);
  res.end(buf);
}
