import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import type { RequestHandler } from 'express';
import { encodeBody, sendCompressed, type Encoding } from './compression.js';
import { PAGE_SCRIPTS, scriptsOfBundle, type PageScript } from './page-scripts.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');

export interface Assets {
  /** Changes when any asset changes: pages link `?v={version}` so assets can be cached for long. */
  version: string;
  handler: RequestHandler;
  /** The stylesheet and the icon as served. */
  files: Record<string, Buffer>;
  /** A page's script bundle (`app.js` and its features', minified, joined), as served. */
  bundle(scripts: readonly PageScript[]): Buffer;
}

const TYPES: Record<string, string> = {
  'app.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};
const JS = 'text/javascript; charset=utf-8';

type Served = { body: Buffer; encoded: Record<Encoding, Buffer> };

/** Compressed once, at the best settings (made once per process, served many times). */
function served(body: Buffer): Served {
  return { body, encoded: { br: encodeBody(body, 'br', { best: true }), gzip: encodeBody(body, 'gzip', { best: true }) } };
}

/**
 * The stylesheet, the icon and the pages' scripts, read once at start and served from memory (no
 * CDN, no build step). Each page loads one script: the bundle of the scripts it needs
 * (`page-scripts.ts`), minified with esbuild (tsx's own, already a dependency) the first time it is
 * asked for. Only bundles of known scripts in their order exist, so there are at most 2^8 of them.
 */
export function loadAssets(): Assets {
  const files: Record<string, Buffer> = {};
  for (const name of Object.keys(TYPES)) files[name] = readFileSync(path.join(DIR, name));
  const scripts = Object.fromEntries(PAGE_SCRIPTS.map((name) => [name, readFileSync(path.join(DIR, `${name}.js`), 'utf8')])) as Record<PageScript, string>;
  const version = createHash('sha256')
    .update(Buffer.concat([...Object.values(files), ...PAGE_SCRIPTS.map((n) => Buffer.from(scripts[n]))]))
    .digest('hex')
    .slice(0, 12);
  const fixed = Object.fromEntries(Object.entries(files).map(([name, body]) => [name, served(body)]));
  const bundles = new Map<string, Served>();
  const bundleServed = (names: readonly PageScript[]): Served => {
    const key = names.join('+');
    let b = bundles.get(key);
    if (!b) {
      const code = transformSync(names.map((n) => scripts[n]).join('\n'), { loader: 'js', minify: true, target: 'es2017', legalComments: 'none' }).code;
      b = served(Buffer.from(code));
      bundles.set(key, b);
    }
    return b;
  };
  const handler: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = req.path.replace(/^\//, '');
    const bundle = scriptsOfBundle(name);
    const asset = bundle ? bundleServed(bundle) : Object.hasOwn(fixed, name) ? fixed[name] : undefined;
    if (!asset) return next();
    res
      .status(200)
      .set({ 'Content-Type': bundle ? JS : TYPES[name]!, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': req.query.v === version ? 'public, max-age=31536000, immutable' : 'no-cache' });
    sendCompressed(req, res, asset.body, asset.encoded);
  };
  return { version, handler, files, bundle: (names) => bundleServed(names).body };
}
