import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { request } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/** What the fuzz suites found (issue 10): each was a 500, a crash, or a 4xx without X-Error-Code. */

/** A raw exchange: the status and headers of the answer. */
function raw(port: number, text: string): Promise<{ status: number; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => (got += d));
    socket.on('error', reject);
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      if (!m) return reject(new Error(`no HTTP answer: ${JSON.stringify(got.slice(0, 200))}`));
      resolve({ status: Number(m[1]), head: got.slice(0, got.indexOf('\r\n\r\n')) });
    });
    socket.end(text);
  });
}

describe('fuzz regressions: bad input is a 4xx with an error code', () => {
  let h: Harness;
  const post = (path: string, body: string | Buffer, headers: Record<string, string>) =>
    request({ port: h.port, path, method: 'POST', body, token: ADMIN_TOKEN, host: `127.0.0.1:${h.port}`, headers });

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    expect((await h.api('POST', '/api/repos/create', { name: 'demo', type: 'space', sdk: 'static' })).status).toBe(200);
  });
  afterAll(async () => h?.close());

  it('a broken gzip body is a 400 BadRequest (was a 500)', async () => {
    const r = await post('/api/users', '""', { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(r.status).toBe(400);
    expect(r.headers['x-error-code']).toBe('BadRequest');
    // A good gzip body is read.
    const ok = await post('/api/spaces/admin/demo/sleeptime', gzipSync('{"seconds": 3600}'), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(ok.status).toBe(200);
  });

  it('an unknown charset or content encoding is a 415 UnsupportedMediaType (was a 500)', async () => {
    const cases: Record<string, string>[] = [{ 'content-type': 'application/json; charset=latin42' }, { 'content-type': 'application/json', 'content-encoding': 'x-custom' }];
    for (const headers of cases) {
      const r = await post('/api/spaces/admin/demo/sleeptime', '{"seconds": 60}', headers);
      expect(r.status, JSON.stringify(headers)).toBe(415);
      expect(r.headers['x-error-code']).toBe('UnsupportedMediaType');
    }
  });

  it('a body sent as another content type is a 415 naming the one to use, not a confusing 400', async () => {
    const r = await post('/api/spaces/admin/demo/sleeptime', '{"seconds": 60}', { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
    expect(r.headers['x-error-code']).toBe('UnsupportedMediaType');
    expect(r.json().error).toMatch(/application\/json/);
    // No body at all still gets the field-by-field 400.
    const none = await h.api('POST', '/api/spaces/admin/demo/sleeptime');
    expect(none.status).toBe(400);
    expect(none.json().error).toMatch(/"seconds"/);
  });

  it('invalid JSON is a 400 and a body over 1 MiB a 413, each with its code', async () => {
    const bad = await post('/api/repos/create', '{"name":', { 'content-type': 'application/json' });
    expect([bad.status, bad.headers['x-error-code']]).toEqual([400, 'BadRequest']);
    const big = await post('/api/repos/create', `{"name":"${'a'.repeat(1_100_000)}"}`, { 'content-type': 'application/json' });
    expect([big.status, big.headers['x-error-code']]).toEqual([413, 'PayloadTooLarge']);
  });

  it('a request without Host, or one Node cannot parse, is a 400 with an error code (was a bare 400)', async () => {
    const noHost = await raw(h.port, 'GET /api/spaces HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(noHost.status).toBe(400);
    expect(noHost.head).toMatch(/\r\nx-error-code: BadRequest/i);
    const garbage = await raw(h.port, 'G\u0001T / HTTP/1.1\r\n\r\n');
    expect(garbage.status).toBe(400);
    expect(garbage.head).toMatch(/\r\nX-Error-Code: BadRequest/);
    const huge = await raw(h.port, `GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`);
    expect(huge.status).toBe(431);
    expect(huge.head).toMatch(/\r\nX-Error-Code: HeadersTooLarge/);
  });

  it('two Host headers are a 400 with an error code, on a Space host and the hub (the proxy sent both on: a 502)', async () => {
    for (const hosts of ['Host: admin-demo.localhost\r\nHost: localhost', `Host: 127.0.0.1:${h.port}\r\nHost: admin-demo.localhost`]) {
      const r = await raw(h.port, `GET / HTTP/1.1\r\n${hosts}\r\nConnection: close\r\n\r\n`);
      expect(r.status, hosts).toBe(400);
      expect(r.head).toMatch(/\r\nx-error-code: BadRequest/i);
    }
  });

  it('a git POST without its content type is a 415 with an error code (http-backend answered a bare 415)', async () => {
    const r = await request({ port: h.port, path: '/spaces/admin/demo/git-upload-pack', method: 'POST', body: '0000', token: ADMIN_TOKEN, headers: { 'content-type': 'text/plain' } });
    expect(r.status).toBe(415);
    expect(r.headers['x-error-code']).toBe('UnsupportedMediaType');
  });

  it('an unknown Space host is a 404 with RepoNotFound, page and status endpoint alike', async () => {
    for (const p of ['/', '/.spaceport/status']) {
      const r = await h.app('nobody-nothing', p);
      expect(r.status).toBe(404);
      expect(r.headers['x-error-code']).toBe('RepoNotFound');
    }
  });

  it('a websocket upgrade on the hub host is a 404 with an error code', async () => {
    const r = await raw(h.port, `GET /api/spaces HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`);
    expect(r.status).toBe(404);
    expect(r.head).toMatch(/\r\nX-Error-Code: NotFound/);
  });

  it('an upstream that cannot be fetched is a 400 InvalidUpstream and the Space keeps its setting (was a 502)', async () => {
    const r = await request({
      port: h.port,
      path: '/api/spaces/admin/demo/upstream',
      method: 'PUT',
      token: ADMIN_TOKEN,
      body: { url: `http://127.0.0.1:${h.port}/spaces/admin/no-such-repo` },
    });
    expect(r.status).toBe(400);
    expect(r.headers['x-error-code']).toBe('InvalidUpstream');
    expect(r.json().error).toMatch(/keeps its previous upstream/);
    const info = (await h.api('GET', '/api/spaces/admin/demo')).json();
    expect(info.upstream).toBeUndefined();
    const sync = await h.api('POST', '/api/spaces/admin/demo/upstream/sync');
    expect([sync.status, sync.headers['x-error-code']]).toEqual([400, 'BadRequest']);
  });

  it('a refused sign-in form (expired, wrong password) carries X-Error-Code (was an uncoded 4xx HTML page)', async () => {
    const expired = await request({ port: h.port, path: '/login', method: 'POST', body: 'username=admin&password=x', host: `127.0.0.1:${h.port}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect([expired.status, expired.headers['x-error-code']]).toEqual([403, 'CsrfFailed']);
    expect(String(expired.headers['content-type'])).toMatch(/^text\/html/);
    const form = await request({ port: h.port, path: '/login', method: 'GET', host: `127.0.0.1:${h.port}` });
    const cookie = String(form.headers['set-cookie']).split(';')[0]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const wrong = await request({
      port: h.port,
      path: '/login',
      method: 'POST',
      body: `username=admin&password=wrong&_csrf=${encodeURIComponent(csrf)}`,
      host: `127.0.0.1:${h.port}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    });
    expect([wrong.status, wrong.headers['x-error-code']]).toEqual([401, 'SignInFailed']);
  });

  it('an HTML page that is refused carries X-Error-Code like the API (was an uncoded 404/400)', async () => {
    const missing = await request({ port: h.port, path: '/spaces/admin/nope', method: 'GET', token: ADMIN_TOKEN, host: `127.0.0.1:${h.port}` });
    expect([missing.status, missing.headers['x-error-code']]).toEqual([404, 'RepoNotFound']);
    expect(String(missing.headers['content-type'])).toMatch(/^text\/html/);
    const file = await request({ port: h.port, path: '/spaces/admin/demo/blob/main/nope.txt', method: 'GET', token: ADMIN_TOKEN, host: `127.0.0.1:${h.port}` });
    expect([file.status, file.headers['x-error-code']]).toEqual([404, 'EntryNotFound']);
  });

  it('preupload and paths-info of 1,000 paths in 1,000 folders answer at once (was one git process per path: a client timeout)', { timeout: 60_000 }, async () => {
    expect((await h.api('POST', '/api/repos/create', { name: 'files', type: 'space', sdk: 'static' })).status).toBe(200);
    const line = (o: unknown) => JSON.stringify(o);
    const first = [
      line({ key: 'header', value: { summary: 'first' } }),
      line({ key: 'file', value: { path: 'README.md', content: Buffer.from('---\nsdk: static\n---\n').toString('base64'), encoding: 'base64' } }),
      line({ key: 'file', value: { path: 'd7/f.txt', content: Buffer.from('seven').toString('base64'), encoding: 'base64' } }),
    ].join('\n');
    expect((await post('/api/spaces/admin/files/commit/main', `${first}\n`, { 'content-type': 'application/x-ndjson' })).status).toBe(200);
    const files = Array.from({ length: 999 }, (_, i) => ({ path: `d${i}/f.txt`, sample: '', size: 1 }));
    const r = await post('/api/spaces/admin/files/preupload/main', JSON.stringify({ files: [...files, { path: 'README.md', sample: '', size: 1 }] }), { 'content-type': 'application/json' });
    expect(r.status, r.body).toBe(200);
    expect(r.json().files).toHaveLength(1000);
    // The files that exist are found (with their blob ids), the others are not.
    expect(r.json().files.filter((f: { oid?: string }) => f.oid).map((f: { path: string }) => f.path).sort()).toEqual(['README.md', 'd7/f.txt']);
    const info = await post('/api/spaces/admin/files/paths-info/main', JSON.stringify({ paths: [...files.map((f) => f.path), 'README.md'] }), { 'content-type': 'application/json' });
    expect(info.status).toBe(200);
    expect(info.json().map((e: { path: string }) => e.path).sort()).toEqual(['README.md', 'd7/f.txt']);
    // A few folders are listed one by one, with the same answer.
    const few = await post('/api/spaces/admin/files/paths-info/main', JSON.stringify({ paths: ['d7/f.txt', 'README.md', 'nope/x', 'd7'] }), { 'content-type': 'application/json' });
    expect(few.json().map((e: { path: string; type: string }) => `${e.type}:${e.path}`)).toEqual(['file:d7/f.txt', 'file:README.md', 'directory:d7']);
  });

  it('a sleep time of centuries does not overflow the reconciler timer (it fired after 1 ms, over and over)', { timeout: 60_000 }, async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      expect((await h.api('POST', '/api/repos/create', { name: 'sleepy', type: 'space', sdk: 'static' })).status).toBe(200);
      const commit = [
        JSON.stringify({ key: 'header', value: { summary: 'first' } }),
        JSON.stringify({ key: 'file', value: { path: 'README.md', content: Buffer.from('---\nsdk: static\n---\n').toString('base64'), encoding: 'base64' } }),
        JSON.stringify({ key: 'file', value: { path: 'index.html', content: Buffer.from('<h1>hi</h1>').toString('base64'), encoding: 'base64' } }),
      ].join('\n');
      expect((await post('/api/spaces/admin/sleepy/commit/main', `${commit}\n`, { 'content-type': 'application/x-ndjson' })).status).toBe(200);
      expect(await h.waitStage('admin/sleepy', ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR'], 30_000)).toMatchObject({ stage: 'RUNNING' });
      expect((await h.api('POST', '/api/spaces/admin/sleepy/sleeptime', { seconds: 9_007_199_254_740 })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1500));
      expect(warnings.filter((w) => w === 'TimeoutOverflowWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
