// An operator follows one request through the logs: every response names its request id
// (X-Request-Id, the client's own when it is a sane token), the app behind the proxy receives the
// same id, and every log line written on the request's behalf carries it.
import { rmSync } from 'node:fs';
import http from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/index.js';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';
import { closeServer, listen, request as proxyRequest, runningRoute, startProxy, type ProxyHarness } from '../proxy/harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request ids on the hub host', () => {
  let h: Harness;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), {}, {
      logger: createLogger({ level: 'debug', destination: sink }),
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a fresh id per response; a sane inbound id is kept, anything else replaced', async () => {
    const a = await h.api('GET', '/api/whoami-v2');
    const b = await h.api('GET', '/api/whoami-v2');
    expect(a.headers['x-request-id']).toMatch(UUID);
    expect(b.headers['x-request-id']).toMatch(UUID);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    const kept = await request({ port: h.port, path: '/api/whoami-v2', host: `127.0.0.1:${h.port}`, token: ADMIN_TOKEN, headers: { 'x-request-id': 'lb-7f3a.42' } });
    expect(kept.headers['x-request-id']).toBe('lb-7f3a.42');
    const replaced = await request({ port: h.port, path: '/api/whoami-v2', host: `127.0.0.1:${h.port}`, headers: { 'x-request-id': '<script>alert(1)</script>' } });
    expect(replaced.headers['x-request-id']).toMatch(UUID);
    const git = await request({ port: h.port, path: '/spaces/admin/none/info/refs?service=git-upload-pack', host: `127.0.0.1:${h.port}` });
    expect(git.headers['x-request-id']).toMatch(UUID);
  });

  it('every line logged for a request carries its id, deep inside the service too', async () => {
    const id = 'create-req-0001';
    const r = await request({
      port: h.port,
      path: '/api/repos/create',
      method: 'POST',
      host: `127.0.0.1:${h.port}`,
      token: ADMIN_TOKEN,
      headers: { 'x-request-id': id },
      body: { name: 'traced', type: 'space', sdk: 'static' },
    });
    expect(r.status).toBe(200);
    const mine = lines.filter((l) => l.req === id);
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(['space created', 'request done']));
    const done = mine.find((l) => l.msg === 'request done')!;
    expect(done).toMatchObject({ method: 'POST', url: '/api/repos/create', status: 200 });
    // Lines of work that is not a request carry no id.
    expect(lines.some((l) => l.msg === 'spaceport up' && l.req === undefined)).toBe(true);
  });

  it("a push's build carries the push's id; the reconciler's shared passes carry none", async () => {
    const work = await makeWorkTree({ 'README.md': '---\nsdk: static\n---\n', 'index.html': 'hi' });
    try {
      const push = await git(['-c', 'http.extraHeader=X-Request-Id: push-0001', 'push', '--force', pushUrl(h.port, 'admin/traced', ADMIN_TOKEN), 'main'], work);
      expect(push.code, push.stderr).toBe(0);
      await h.waitStage('admin/traced', ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR']);
      const byMsg = (msg: string) => lines.filter((l) => l.msg === msg && l.space === 'admin/traced');
      expect(byMsg('build queued').map((l) => l.req)).toContain('push-0001');
      // The create's initial commit builds under the create's id (unless the push superseded it).
      const succeeded = byMsg('build succeeded').map((l) => l.req);
      expect(succeeded).toContain('push-0001');
      for (const req of succeeded) expect(['create-req-0001', 'push-0001']).toContain(req);
      const serving = byMsg('release serving');
      expect(serving.length).toBeGreaterThan(0);
      for (const l of serving) expect(l.req).toBeUndefined();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('request ids through the proxy', () => {
  let p: ProxyHarness;
  let app: http.Server;
  let seen: (string | undefined)[] = [];

  beforeAll(async () => {
    app = http.createServer((req, res) => {
      seen.push(req.headers['x-request-id'] as string | undefined);
      res.end('ok');
    });
    const port = await listen(app);
    p = await startProxy([runningRoute('demo', port)]);
  });
  afterAll(async () => {
    await p?.close();
    if (app) await closeServer(app);
  });

  it('the response and the app get the same id; an inbound one passes through', async () => {
    seen = [];
    const r = await proxyRequest(p.port, { host: 'demo.localhost' });
    expect(r.status).toBe(200);
    expect(r.headers['x-request-id']).toMatch(UUID);
    expect(seen[0]).toBe(r.headers['x-request-id']);
    const kept = await proxyRequest(p.port, { host: 'demo.localhost', headers: { 'x-request-id': 'client-1' } });
    expect(kept.headers['x-request-id']).toBe('client-1');
    expect(seen[1]).toBe('client-1');
    const page = await proxyRequest(p.port, { host: 'nobody.localhost' });
    expect(page.status).toBe(404);
    expect(page.headers['x-request-id']).toMatch(UUID);
  });
});
