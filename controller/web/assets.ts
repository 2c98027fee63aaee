import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestHandler } from 'express';
import { encodeBody, sendCompressed, type Encoding } from './compression.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');

export interface Assets {
  /** Changes when any asset changes: pages link `?v={version}` so assets can be cached for long. */
  version: string;
  handler: RequestHandler;
  /** Sizes in bytes, for the benchmark. */
  files: Record<string, Buffer>;
}

const TYPES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'files.js': 'text/javascript; charset=utf-8',
  'live.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** The page script (and the Files tab editor's), the stylesheet and the icon, read once at start and served from memory (no CDN, no build). */
export function loadAssets(): Assets {
  const files: Record<string, Buffer> = {};
  for (const name of Object.keys(TYPES)) files[name] = readFileSync(path.join(DIR, name));
  // Compressed once at start: each asset in br and gzip.
  const encoded: Record<string, Record<Encoding, Buffer>> = {};
  for (const [name, body] of Object.entries(files)) encoded[name] = { br: encodeBody(body, 'br'), gzip: encodeBody(body, 'gzip') };
  const version = createHash('sha256').update(Buffer.concat(Object.values(files))).digest('hex').slice(0, 12);
  const handler: RequestHandler = (req, res, next) => {
    const name = req.path.replace(/^\//, '');
    const body = files[name];
    if (!body || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    res
      .status(200)
      .set({ 'Content-Type': TYPES[name]!, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': req.query.v === version ? 'public, max-age=31536000, immutable' : 'no-cache' });
    sendCompressed(req, res, body, encoded[name]);
  };
  return { version, handler, files };
}
