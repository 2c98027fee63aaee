// The real proxy serving static Spaces from trees on disk (no container, no upstream): content
// types, folders, ETag/304, byte ranges, br/gzip, and the threats: traversal (`..`, encoded, through
// a symlink in the tree), dotfiles, a private static Space seen by someone without access.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GRANT_PATH, LocalStaticTrees, signGrant, type AccessChecker, type Route } from '../../proxy/index.js';
import { request as textRequest, startProxy, type ProxyHarness } from './harness.js';

const TREE_A = 'a'.repeat(40);
const TREE_B = 'b'.repeat(40);
const TREE_MISSING = 'c'.repeat(40);
const key = randomBytes(32);
const BIG_JS = `// app\n${'console.log("static spaces are files");\n'.repeat(200)}`;

let root: string;
let outside: string;
let h: ProxyHarness;

function staticRoute(subdomain: string, tree: string, extra: Partial<Route> = {}): Route {
  return { subdomain, space: `alice/${subdomain}`, stage: 'RUNNING', target: { kind: 'static', tree, index: 'index.html' }, ...extra };
}

interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request whose path goes out exactly as given (no normalising), answered as bytes. */
function raw(opts: { host: string; path: string; method?: string; headers?: Record<string, string> }): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: h.port, path: opts.path, method: opts.method ?? 'GET', headers: { ...opts.headers, host: opts.host }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const get = (p: string, headers: Record<string, string> = {}, host = 'alice-site.localhost') => raw({ host, path: p, headers });

class NoTokens implements AccessChecker {
  async canUseApp(): Promise<boolean> {
    return false;
  }
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'static-trees-'));
  outside = mkdtempSync(path.join(tmpdir(), 'static-outside-'));
  writeFileSync(path.join(outside, 'secret.txt'), 'TOP SECRET');
  const a = path.join(root, TREE_A);
  mkdirSync(path.join(a, 'about'), { recursive: true });
  mkdirSync(path.join(a, 'empty'), { recursive: true });
  mkdirSync(path.join(a, '.git'), { recursive: true });
  writeFileSync(path.join(a, 'index.html'), '<h1>tree A</h1>');
  writeFileSync(path.join(a, 'about', 'index.html'), '<p>about A</p>');
  writeFileSync(path.join(a, 'style.css'), 'body{}');
  writeFileSync(path.join(a, 'app.js'), BIG_JS);
  writeFileSync(path.join(a, 'pre.js'), BIG_JS);
  writeFileSync(path.join(a, 'pre.js.gz'), gzipSync('// the precompressed copy'));
  writeFileSync(path.join(a, 'logo.svg'), '<svg/>');
  writeFileSync(path.join(a, 'data.bin'), Buffer.from('0123456789'));
  writeFileSync(path.join(a, 'notes.unknownext'), 'x');
  writeFileSync(path.join(a, '.git', 'config'), '[core]');
  writeFileSync(path.join(a, '.env'), 'TOKEN=1');
  symlinkSync(path.join(outside, 'secret.txt'), path.join(a, 'leak.txt'));
  symlinkSync(outside, path.join(a, 'leakdir'));
  symlinkSync('style.css', path.join(a, 'alias.css'));
  mkdirSync(path.join(root, TREE_B));
  writeFileSync(path.join(root, TREE_B, 'index.html'), '<h1>tree B</h1>');
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

afterEach(async () => {
  await h?.close();
});

async function start(routes: Route[] = [staticRoute('alice-site', TREE_A)]): Promise<void> {
  h = await startProxy(routes, { staticTrees: new LocalStaticTrees(root), appAccess: { key, checker: new NoTokens() }, frameAncestors: ['https://hub.example'] });
}

describe('static Spaces served by the proxy', () => {
  it('serves the index at /, index.html for a folder, a redirect to the slash form, content types and the app security headers', async () => {
    await start();
    const home = await get('/');
    expect(home.status).toBe(200);
    expect(home.body.toString()).toBe('<h1>tree A</h1>');
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(home.headers['x-content-type-options']).toBe('nosniff');
    expect(home.headers['content-security-policy']).toBe('frame-ancestors https://hub.example');
    expect((await get('/about/')).body.toString()).toBe('<p>about A</p>');
    const redirect = await get('/about?x=1');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/about/?x=1');
    // An absolute-looking path never redirects off the host.
    expect((await get('//about')).headers.location).toBe('/about/');
    expect((await get('/empty/')).status).toBe(404);
    expect((await get('/style.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get('/logo.svg')).headers['content-type']).toBe('image/svg+xml');
    expect((await get('/notes.unknownext')).headers['content-type']).toBe('application/octet-stream');
    expect((await get('/index.html/')).status).toBe(404);
    // No SPA fallback (the Hub has none): an unknown path is 404.
    expect((await get('/some/client/route')).status).toBe(404);
    const head = await raw({ host: 'alice-site.localhost', path: '/style.css', method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('6');
    expect(head.body.length).toBe(0);
    const post = await raw({ host: 'alice-site.localhost', path: '/', method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('answers 304 to a matching If-None-Match; the ETag names the tree, so a new tree is a new ETag', async () => {
    await start();
    const first = await get('/');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(first.headers['cache-control']).toBe('no-cache');
    const again = await get('/', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect((await get('/', { 'if-none-match': '"other"' })).status).toBe(200);
    h.routes.set(staticRoute('alice-site', TREE_B));
    const switched = await get('/', { 'if-none-match': etag });
    expect(switched.status).toBe(200);
    expect(switched.body.toString()).toBe('<h1>tree B</h1>');
    expect(switched.headers.etag).not.toBe(etag);
  });

  it('answers one byte range with 206, a suffix range, and 416 past the end; If-Range with another ETag gets the whole file', async () => {
    await start();
    const part = await get('/data.bin', { range: 'bytes=2-5' });
    expect(part.status).toBe(206);
    expect(part.body.toString()).toBe('2345');
    expect(part.headers['content-range']).toBe('bytes 2-5/10');
    expect(part.headers['accept-ranges']).toBe('bytes');
    expect((await get('/data.bin', { range: 'bytes=-3' })).body.toString()).toBe('789');
    expect((await get('/data.bin', { range: 'bytes=7-' })).body.toString()).toBe('789');
    const past = await get('/data.bin', { range: 'bytes=50-60' });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe('bytes */10');
    expect((await get('/data.bin', { range: 'bytes=1-2', 'if-range': '"stale"' })).status).toBe(200);
    // Several ranges: the whole file (allowed by RFC 9110).
    expect((await get('/data.bin', { range: 'bytes=0-1,4-5' })).status).toBe(200);
  });

  it('compresses text with br or gzip as the client accepts, serves a precompressed .gz, and never compresses an image', async () => {
    await start();
    const br = await get('/app.js', { 'accept-encoding': 'gzip, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.body.length).toBeLessThan(BIG_JS.length / 4);
    expect(brotliDecompressSync(br.body).toString()).toBe(BIG_JS);
    const gz = await get('/app.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(BIG_JS);
    expect(gz.headers.etag).not.toBe(br.headers.etag);
    expect((await get('/app.js', { 'accept-encoding': 'gzip' })).body.equals(gz.body)).toBe(true);
    const identity = await get('/app.js', { 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body.toString()).toBe(BIG_JS);
    const pre = await get('/pre.js', { 'accept-encoding': 'gzip' });
    expect(pre.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(pre.body).toString()).toBe('// the precompressed copy');
    // A range asks for bytes of the file itself: no encoding.
    const ranged = await get('/app.js', { 'accept-encoding': 'br', range: 'bytes=0-2' });
    expect(ranged.status).toBe(206);
    expect(ranged.body.toString()).toBe('// ');
  });

  it('refuses traversal (`..`, encoded `%2e%2e`, backslash), dotfiles and symlinks out of the tree with 404; a symlink inside the tree is served', async () => {
    await start();
    const attempts = [
      '/../secret.txt',
      `/../../${path.basename(outside)}/secret.txt`,
      '/%2e%2e/secret.txt',
      '/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
      '/about/..%2f..%2fsecret.txt',
      '/..%5c..%5csecret.txt',
      '/%00index.html',
      '/%zz',
      '/.git/config',
      '/.env',
      '/leak.txt',
      '/leakdir/secret.txt',
      '/leakdir/',
    ];
    for (const p of attempts) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.body.toString(), p).not.toContain('TOP SECRET');
      expect(r.body.toString(), p).not.toContain(root);
    }
    expect((await get('/alias.css')).body.toString()).toBe('body{}');
  });

  it('a private static Space is an unknown host to anyone without access, and served to the holder of its grant', async () => {
    await start([staticRoute('alice-site', TREE_A, { access: 'private' })]);
    const anonymous = await textRequest(h.port, { host: 'alice-site.localhost', path: '/' });
    const unknown = await textRequest(h.port, { host: 'nobody-here.localhost', path: '/' });
    expect(anonymous.status).toBe(404);
    expect(anonymous.body.replaceAll('alice-site', 'nobody-here')).toBe(unknown.body);
    expect((await textRequest(h.port, { host: 'alice-site.localhost', path: '/style.css', headers: { authorization: 'Bearer nope' } })).status).toBe(404);
    const grant = `${GRANT_PATH}?g=${encodeURIComponent(signGrant(key, { scope: 'alice-site', nowMs: Date.now() }))}`;
    const redeemed = await textRequest(h.port, { host: 'alice-site.localhost', path: grant });
    expect(redeemed.status).toBe(302);
    const cookie = String(redeemed.headers['set-cookie']).split(';')[0]!;
    const owner = await get('/', { cookie });
    expect(owner.status).toBe(200);
    expect(owner.body.toString()).toBe('<h1>tree A</h1>');
  });

  it('a route to a tree that is not here answers 503, never a path', async () => {
    await start([staticRoute('alice-site', TREE_MISSING)]);
    const r = await get('/');
    expect(r.status).toBe(503);
    expect(r.body.toString()).not.toContain(root);
  });
});
