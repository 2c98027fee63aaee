import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';

export type Encoding = 'br' | 'gzip';

/** Bodies smaller than this go as they are (the headers would cost more than the saving). */
const MIN_BYTES = 1024;

/**
 * The encoding to answer with for an `Accept-Encoding` header: br, else gzip, else none. A coding
 * with `q=0` is refused; `*` allows both.
 */
export function negotiateEncoding(accept: string | undefined): Encoding | undefined {
  if (!accept) return undefined;
  const q = new Map<string, number>();
  for (const part of accept.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qp ? Number(qp.slice(2)) : 1;
    q.set(name.trim(), Number.isFinite(value) ? value : 0);
  }
  const allowed = (name: Encoding): boolean => (q.get(name) ?? q.get('*') ?? 0) > 0;
  if (allowed('br')) return 'br';
  if (allowed('gzip')) return 'gzip';
  return undefined;
}

/**
 * `body` in `encoding`: by default at a cost of about a millisecond for a page; `best` for what is
 * compressed once and served many times (the assets).
 */
export function encodeBody(body: Buffer, encoding: Encoding, o: { best?: boolean } = {}): Buffer {
  return encoding === 'br'
    ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: o.best ? 11 : 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
    : gzipSync(body, { level: o.best ? 9 : 6 });
}

/**
 * Send `body` compressed when the client takes it and it is worth it: Content-Encoding and
 * `Vary: Accept-Encoding` set; `precompressed` are the encoded forms made once (assets).
 */
export function sendCompressed(req: Request, res: Response, body: Buffer, precompressed?: Partial<Record<Encoding, Buffer>>): void {
  res.vary('Accept-Encoding');
  const encoding = body.length >= MIN_BYTES ? negotiateEncoding(req.headers['accept-encoding']) : undefined;
  if (!encoding || req.method === 'HEAD') {
    res.send(body);
    return;
  }
  res.set('Content-Encoding', encoding).send(precompressed?.[encoding] ?? encodeBody(body, encoding));
}
