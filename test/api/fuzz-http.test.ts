import http from 'node:http';
import net from 'node:net';
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../controller/api/openapi-document.js';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { RequestCensus } from '../support/request-census.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * Property suites over HTTP (issue 10): path parameters (percent-encoding), JSON and ndjson bodies,
 * headers (Host, Authorization, Content-Type, Range) and unparsable requests, against the running
 * in-process hub server (API, git smart HTTP and the Spaces proxy on one port). Every answer is < 500
 * and every 4xx of ours carries X-Error-Code. With test/api/schemathesis.test.ts: over 10,000 requests.
 */
/** With schemathesis' 5,000 (test/api/schemathesis.test.ts): 12,500 in all. */
const MIN_REQUESTS = 7500;
/** `/internal/` is served (for proxy replicas) so its JSON bodies are read too. */
const INTERNAL_TOKEN = 'fuzz-internal-token-0123456789';

interface Sent {
  status: number;
  headers: http.IncomingHttpHeaders;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;

/** Each described path template, with its methods. */
const templates = Object.entries(openApiDocument().paths as Record<string, Record<string, unknown>>).map(([p, ops]) => ({
  path: p,
  methods: Object.keys(ops).map((m) => m.toUpperCase()),
}));
const bodyRoutes = templates.flatMap((t) =>
  t.methods.filter((m) => ((openApiDocument().paths as any)[t.path][m.toLowerCase()].requestBody ? true : false)).map((m) => ({ path: t.path, method: m })),
);

// ---- generators

const pctByte = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.boolean()).map(([b, upper]) => {
  const hex = b.toString(16).padStart(2, '0');
  return `%${upper ? hex.toUpperCase() : hex}`;
});
const nastySegment = fc.constantFrom(
  '%ff', '%E0%A4%A', '%', '%%', '%2f', '%2F..%2F', '%2e%2e', '..', '.', '%00', '%C0%AF', '%u0041', '~', 'a%20b', '', '%25', '%e2%80%ae', ';x', 'demo.git', '%F0%9F%9A%80',
);
const segment = fc.oneof(
  { arbitrary: fc.constantFrom('admin', 'alice', 'demo', 'empty', 'private', 'admin-demo', 'main', 'x'), weight: 3 },
  { arbitrary: nastySegment, weight: 3 },
  { arbitrary: fc.array(fc.oneof(pctByte, fc.constantFrom('%', '.', '-', '_', '@', ':', 'a', 'Z', '9')), { maxLength: 8 }).map((a) => a.join('')), weight: 3 },
  { arbitrary: fc.string({ maxLength: 12 }).map(encodeURIComponent), weight: 2 },
  { arbitrary: fc.string({ minLength: 97, maxLength: 300, unit: fc.constantFrom('a', 'b', '-') }), weight: 1 },
);
const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom('?limit=1e309', '?limit=-1', '?limit=99999999999999999999', '?tail=-5', '?tail=%ff', '?follow=true&tail=1', '?factory=1', '?service=git-upload-pack', '?a[b]=c', '?%=%', '?author=%E0%A4%A'),
  fc.array(fc.tuple(fc.constantFrom('limit', 'author', 'search', 'tail', 'follow', 'service', 'factory', 'x'), segment), { maxLength: 3 }).map(
    (kv) => (kv.length ? `?${kv.map(([k, v]) => `${k}=${v}`).join('&')}` : ''),
  ),
);

const SPACE_HOSTS = ['admin-demo', 'nope', 'admin-empty-missing'];
const host = (port: number) =>
  fc.oneof(
    fc.constantFrom(`127.0.0.1:${port}`, `localhost:${port}`, `admin-demo.localhost:${port}`, 'ADMIN-DEMO.LOCALHOST', 'admin-demo.localhost.', `[::1]:${port}`),
    fc.constantFrom('', ' ', '[::1', 'localhost:99999', 'a..localhost', '<script>.localhost:8080', 'x.y.localhost', '%41.localhost', '.localhost', 'localhost:', ':80', 'a b', '\u00e9.localhost'),
    fc.tuple(fc.constantFrom(...SPACE_HOSTS), fc.constantFrom('.localhost', '.localhost:1', '.LOCALHOST', '.localhost.:0', '')).map(([a, b]) => a + b),
    fc.string({ maxLength: 40, unit: fc.constantFrom('a', '-', '.', ':', '[', ']', '1', '%', '_', 'é', '@') }),
  );
const authorization = fc.oneof(
  fc.constant(undefined),
  fc.constant(`Bearer ${ADMIN_TOKEN}`),
  fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '')),
  fc.tuple(fc.constantFrom('Bearer ', 'bearer ', 'Basic ', 'Token ', 'Bearer  ', 'Basic  '), fc.string({ maxLength: 40 })).map(([a, b]) => a + b.replace(/[^\x20-\x7e]/g, '')),
  fc.tuple(fc.string({ maxLength: 20 }), fc.oneof(fc.string({ maxLength: 30 }), fc.constant(ADMIN_TOKEN))).map(([u, p]) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`),
  fc.uint8Array({ maxLength: 40 }).map((b) => `Basic ${Buffer.from(b).toString('base64')}`),
);
const contentType = fc.oneof(
  fc.constantFrom(
    'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json; charset=latin42', 'APPLICATION/JSON',
    'application/x-ndjson', 'application/vnd.api+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=',
    'application/x-git-upload-pack-request', 'application/octet-stream', '*/*', ';', 'application/json;;;', 'json',
  ),
  fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\t\x20-\x7e]/g, '')),
);
const range = fc.oneof(
  fc.constantFrom('bytes=0-0', 'bytes=-1', 'bytes=5-1', 'bytes=0-', 'bytes=', 'bytes=a-b', 'bytes=0-1,2-3,4-5', 'items=0-1', 'bytes=99999999999999999999-', '='),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `bytes=${a}-${b}`),
);
const jsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        name: fc.oneof(segment, fc.jsonValue()), type: fc.constantFrom('space', 'model', 1), sdk: fc.constantFrom('static', 'gradio', 'docker', 'streamlit', 'x'),
        organization: fc.oneof(fc.constant(null), segment), private: fc.oneof(fc.boolean(), fc.string()), visibility: fc.constantFrom('public', 'private', 'protected', 'x'),
        seconds: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(1e308, -0, -1, 2 ** 53, 0)), flavor: fc.constantFrom('cpu-basic', 'a10g-large', '', 'x'),
        tier: fc.constantFrom('small', 'medium', 'large', 'huge'), key: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('PATH', 'HOME', 'SPACE_ID', 'OK_NAME')),
        value: fc.string({ maxLength: 20 }), url: fc.oneof(fc.webUrl(), fc.string({ maxLength: 20 }), fc.constantFrom('https://user:pw@127.0.0.1:1/x', 'ext::sh -c id', 'file:///etc', '-oProxy')),
        branch: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('main', '--upload-pack=x', 'a..b', 'HEAD')), fromRepo: fc.oneof(segment, fc.constantFrom('admin/empty', 'alice/private')),
        toRepo: fc.oneof(segment, fc.constantFrom('admin/renamed', 'admin/x/y')), displayName: fc.string({ maxLength: 120 }), role: fc.constantFrom('read', 'write', 'admin', 'user', 'root'),
        secrets: fc.array(fc.record({ key: fc.string({ maxLength: 8 }), value: fc.string({ maxLength: 8 }) }), { maxLength: 2 }), storageTier: fc.constantFrom('small', null, 'x'),
        space: fc.string({ maxLength: 10 }), at: fc.oneof(fc.integer(), fc.double()),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.constantFrom('{"a":', '\ufeff{}', '[]', 'null', '1e999', '"x"', '{"__proto__":{"polluted":1},"name":"p"}', '{"constructor":{"prototype":{"polluted":1}}}', '{"name":"a"}\n{"name":"b"}\n', '', '\u0000', 'nan', '{"sdk":"static","type":"space","name":"ok-name","secrets":[{"key":"A","value":"b"}]}'),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }).map((lines) => lines.map((l) => JSON.stringify(l)).join('\n')),
);

// ---- transport

function send(port: number, o: { method: string; path: string; headers?: Record<string, string | undefined>; body?: string | Buffer; noHost?: boolean }): Promise<Sent | undefined> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.headers ?? {})) if (v !== undefined) headers[k] = v;
  if (o.body !== undefined) headers['content-length'] = String(Buffer.byteLength(o.body));
  return new Promise((resolve, reject) => {
    let req: http.ClientRequest;
    try {
      req = http.request({ host: '127.0.0.1', port, path: o.path, method: o.method, headers, agent, setHost: !o.noHost && headers.host === undefined });
    } catch {
      return resolve(undefined); // a header or path Node's client refuses to send: nothing reached the server
    }
    req.setTimeout(20_000, () => req.destroy(new Error(`timeout: ${o.method} ${o.path}`)));
    req.on('error', (err) => reject(new Error(`${o.method} ${o.path} ${JSON.stringify(headers)}: ${String(err)}`)));
    req.on('response', (res) => {
      // The stage stream (server-sent events) never ends: its status and headers are the answer.
      if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        res.destroy();
        return resolve({ status: res.statusCode ?? 0, headers: res.headers });
      }
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      res.on('error', reject);
    });
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

/** One raw request over its own socket; the status line and headers of the answer, or undefined when the server only closed. */
function sendRaw(port: number, bytes: Buffer): Promise<Sent | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = (): void => {
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (!m) return resolve(undefined);
      const head = text.slice(0, text.indexOf('\r\n\r\n') >>> 0);
      const headers: http.IncomingHttpHeaders = {};
      for (const line of head.split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(m[1]), headers });
    };
    socket.setTimeout(3000, done);
    socket.on('data', (c) => {
      chunks.push(c);
      if (Buffer.concat(chunks).includes('\r\n\r\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.end(bytes);
  });
}

function fill(template: string, segments: string[]): string {
  let i = 0;
  return template.replace(/\{[^}]+\}/g, () => segments[i++ % segments.length] ?? 'x');
}

// Generous timeouts: on a loaded 2-core machine a suite of 2,500 requests can take minutes.
describe('HTTP property suites: bad input is a 4xx with an error code, never a 5xx', () => {
  let h: Harness;
  let census: RequestCensus;
  let rawRequests = 0;
  let work: string | undefined;
  /** Answers of the running app itself (through the proxy) are the app's, not ours. */
  const appHost = (hostHeader: string | undefined): boolean => /^admin-demo\.localhost\.?(:\d*)?$/i.test(hostHeader ?? '');

  const expectOurs = (r: Sent | undefined, what: string, hostHeader?: string): void => {
    if (!r) return;
    expect(r.status, what).toBeLessThan(500);
    if (r.status >= 400 && !appHost(hostHeader)) expect(r.headers['x-error-code'], `${what} → ${r.status} without X-Error-Code`).toBeTruthy();
  };

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime({ http: true }), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), {
      SPACEPORT_ALLOW_LOOPBACK_UPSTREAMS: 'false',
      SPACEPORT_INTERNAL_TOKEN: INTERNAL_TOKEN,
    });
    const alice = await h.api('POST', '/api/users', { name: 'alice' });
    expect(alice.status).toBe(201);
    for (const name of ['demo', 'empty']) expect((await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'static' })).status).toBe(200);
    expect((await h.api('POST', '/api/repos/create', { name: 'private', type: 'space', sdk: 'docker', private: true }, alice.json().token)).status).toBe(200);
    work = await makeWorkTree({ 'README.md': '---\nsdk: static\n---\n', 'index.html': '<h1>hi</h1>' });
    const push = await git(['push', '--force', pushUrl(h.port, 'admin/demo', ADMIN_TOKEN), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    expect((await h.waitStage('admin/demo', ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR'])).stage).toBe('RUNNING');
    census = new RequestCensus(h.sp.server, { exempt: (req) => appHost(req.headers.host) });
  });

  afterAll(async () => {
    agent.destroy();
    census?.close();
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('path parameters: any percent-encoding, in every described route, with any method', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...templates), fc.array(segment, { minLength: 3, maxLength: 3 }), fc.constantFrom(...METHODS, 'described'), query, fc.boolean(), async (t, segs, m, q, anonymous) => {
        const method = m === 'described' ? t.methods[0]! : m;
        const path = fill(t.path, segs) + q;
        const r = await send(h.port, { method, path, headers: { authorization: anonymous ? undefined : `Bearer ${ADMIN_TOKEN}` } });
        expectOurs(r, `${method} ${path}`);
      }),
      { numRuns: 2600 },
    );
  });

  it('headers: Host, Authorization, Content-Type and Range, on the API, git paths and Space hosts', { timeout: 600_000 }, async () => {
    const paths = fc.oneof(
      fc.constantFrom('/', '/api/spaces', '/api/spaces/admin/demo', '/api/whoami-v2', '/api/spaces/admin/demo/runtime', '/spaces/admin/demo/info/refs?service=git-upload-pack', '/spaces/admin/demo.git/HEAD', '/.spaceport/status', '/openapi.json', '/index.html', '/internal/wake', '/api/spaces/by-subdomain/admin-demo'),
      fc.constantFrom(...templates).chain((t) => fc.array(segment, { minLength: 3, maxLength: 3 }).map((s) => fill(t.path, s))),
    );
    await fc.assert(
      fc.asyncProperty(paths, host(h.port), authorization, fc.option(contentType), fc.option(range), fc.constantFrom('GET', 'HEAD', 'POST'), fc.boolean(), async (path, hostHeader, auth, type, rangeHeader, method, noHost) => {
        const headers = { host: noHost ? undefined : hostHeader, authorization: auth, 'content-type': type ?? undefined, range: rangeHeader ?? undefined };
        const r = await send(h.port, { method, path, headers, noHost, ...(method === 'POST' ? { body: '{}' } : {}) });
        expectOurs(r, `${method} ${path} ${JSON.stringify(headers)}`, noHost ? undefined : hostHeader);
      }),
      { numRuns: 2600 },
    );
  });

  it('JSON and ndjson bodies: any value, broken JSON, any content type and encoding, on every body route', { timeout: 600_000 }, async () => {
    const owners = fc.constantFrom('admin', 'alice', 'bob');
    const names = fc.constantFrom('empty', 'private', 'nope', 'x%ff');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...bodyRoutes), owners, names, jsonBody, fc.option(contentType, { freq: 3 }), fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-custom', 'gzip, gzip')), fc.boolean(), async (route, owner, name, body, type, encoding, anonymous) => {
        const path = fill(route.path, [owner, name, 'x']);
        const token = route.path.startsWith('/internal/') ? INTERNAL_TOKEN : ADMIN_TOKEN;
        const headers = { 'content-type': type ?? 'application/json', 'content-encoding': encoding ?? undefined, authorization: anonymous ? undefined : `Bearer ${token}` };
        const r = await send(h.port, { method: route.method, path, headers, body });
        expectOurs(r, `${route.method} ${path} ${JSON.stringify(headers)} ${body.slice(0, 200)}`);
      }),
      { numRuns: 2600 },
    );
    // A body over the JSON limit (1 MiB) is a 413 with its code.
    const big = await send(h.port, { method: 'POST', path: '/api/repos/create', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: `{"name":"${'a'.repeat(1_100_000)}"}` });
    expect(big?.status).toBe(413);
    expect(big?.headers['x-error-code']).toBe('PayloadTooLarge');
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('requests Node cannot parse get a 4xx with an error code (or a closed socket), never a crash', { timeout: 600_000 }, async () => {
    const line = fc.oneof(
      fc.constantFrom('GET / HTTP/1.1', 'GET /api/spaces HTTP/1.1', 'GET  HTTP/1.1', 'GET / HTTP/9.9', 'G\u0000T / HTTP/1.1', '/ HTTP/1.1', 'GET /\u0001 HTTP/1.1', 'BREW / HTTP/1.1', 'GET /%zz HTTP/1.1'),
      fc.string({ maxLength: 40 }),
    );
    const header = fc.oneof(
      fc.constantFrom('Host: localhost', 'Host: admin-demo.localhost', 'Content-Length: -1', 'Content-Length: abc', 'Content-Length: 1\r\nContent-Length: 2', 'Transfer-Encoding: chunked', 'Transfer-Encoding: x', 'X: \u0000', ' folded', 'NoColon', `X-Big: ${'a'.repeat(20_000)}`),
      fc.string({ maxLength: 30 }),
    );
    await fc.assert(
      fc.asyncProperty(line, fc.array(header, { maxLength: 4 }), fc.string({ maxLength: 30 }), async (l, hs, body) => {
        rawRequests++;
        const r = await sendRaw(h.port, Buffer.from(`${l}\r\n${hs.join('\r\n')}\r\n\r\n${body}`, 'latin1'));
        if (!r) return;
        expect(r.status, JSON.stringify([l, hs])).toBeLessThan(500);
        if (r.status >= 400 && !/admin-demo/i.test(hs.join())) expect(r.headers['x-error-code'], JSON.stringify([l, hs])).toBeTruthy();
      }),
      { numRuns: 300 },
    );
    // The server still answers afterwards.
    expect((await h.api('GET', '/healthz')).status).toBe(200);
  });

  it(`all of it: no 5xx, no 4xx without a code, at least ${MIN_REQUESTS} requests`, () => {
    process.stdout.write(`http property suites: ${census.total} requests answered (+${rawRequests} raw), by status ${JSON.stringify(census.summary())}\n`);
    expect(census.serverErrors).toEqual([]);
    expect(census.uncodedClientErrors).toEqual([]);
    expect(census.total).toBeGreaterThanOrEqual(MIN_REQUESTS);
  });
});
