// Threat: an upstream's credentials (a token in `https://user:token@host/repo`) leak to every local
// user through `/proc/{pid}/cmdline` of the git processes that fetch it, or into the process log
// (with the API's own Authorization headers, cookies and `?token=` query strings).
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, toSpaceId } from '../../core/index.js';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { commitFiles, gitClient, initWork, makeTempDir, ok, startGitServer, type GitServer } from './fixtures.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { request, waitFor } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

const USER = 'mirror-bot';
const PASSWORD = `upw-${randomBytes(12).toString('hex')}`;

/** Every process's argv we could read, as one string per process. */
function allCmdlines(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      out.push(readFileSync(`/proc/${pid}/cmdline`).toString('utf8').split('\0').join(' '));
    } catch {
      /* gone */
    }
  }
  return out;
}

describe('upstream credentials stay out of argv and logs', () => {
  let tmp: string;
  let upstream: GitServer;
  let gate: http.Server;
  let gatePort: number;
  let h: Harness;
  const logLines: string[] = [];
  const authorizations: string[] = [];

  beforeAll(async () => {
    tmp = await makeTempDir();
    upstream = await startGitServer(path.join(tmp, 'upstream'));
    const src = toSpaceId('up', 'src');
    await upstream.repos.create(src);
    upstream.known.add(src);
    const git = gitClient(tmp);
    const work = await initWork(git, path.join(tmp, 'work'));
    await commitFiles(git, work, { 'README.md': '---\nsdk: static\n---\n', 'index.html': '<h1>up</h1>\n' });
    ok(await git(['push', '--force', '-q', upstream.repos.pathOf(src), 'main'], { cwd: work }));

    // The upstream wants Basic credentials, and answers slowly so the fetching processes can be seen.
    const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    gate = http.createServer((req, res) => {
      authorizations.push(req.headers.authorization ?? '');
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="upstream"', 'Content-Length': '0' }).end();
        return;
      }
      setTimeout(() => {
        const fwd = http.request({ host: '127.0.0.1', port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, authorization: '' } }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        fwd.on('error', () => res.destroy());
        req.pipe(fwd);
      }, 400);
    });
    await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
    gatePort = (gate.address() as AddressInfo).port;

    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    h = await startHarness(
      (config) => ({ runtime: new FakeRuntime({ http: true }), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }),
      {},
      { logger: createLogger({ level: 'trace', destination: sink }) },
    );
  });

  afterAll(async () => {
    await h?.close();
    if (gate) await new Promise<void>((resolve) => gate.close(() => resolve()));
    await upstream?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('a pull-mode fetch with credentials: git gets them, no argv and no log line holds them', async () => {
    const seen = new Set<string>();
    let scanning = true;
    const scan = (async () => {
      while (scanning) {
        for (const c of allCmdlines()) if (/\bgit\b|git-remote/.test(c)) seen.add(c);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      const url = `http://${USER}:${PASSWORD}@127.0.0.1:${gatePort}/spaces/up/src`;
      const created = await h.api('POST', '/api/repos/create', { name: 'mirror', type: 'space', sdk: 'static', upstream: { url, branch: 'main' } });
      expect(created.status, created.body).toBe(200);
      expect(created.body).not.toContain(PASSWORD);
      const synced = await h.api('POST', '/api/spaces/admin/mirror/upstream/sync');
      expect(synced.status, synced.body).toBe(200);
      // The credentials reached the upstream (so they were used at all).
      expect(authorizations.some((a) => a.startsWith('Basic '))).toBe(true);
      await waitFor('a build of the fetched head', async () => ((await h.api('GET', '/api/spaces/admin/mirror')).json().sha ? true : undefined));
    } finally {
      scanning = false;
      await scan;
    }
    // The scan did see the fetch (this test can fail): git with the bare upstream URL.
    const fetches = [...seen].filter((c) => c.includes(`127.0.0.1:${gatePort}`));
    expect(fetches.length, [...seen].join('\n')).toBeGreaterThan(0);
    for (const c of seen) expect(c).not.toContain(PASSWORD);
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(line).not.toContain(PASSWORD);
  });

  it('request logs carry no Authorization header, cookie or ?token= value', async () => {
    const secret = `tok-${randomBytes(8).toString('hex')}`;
    await request({ port: h.port, path: `/api/whoami-v2?token=${secret}&x=1`, host: `127.0.0.1:${h.port}`, headers: { cookie: `session=${secret}`, 'x-api-key': secret } });
    await request({ port: h.port, path: '/api/spaces/admin/mirror', host: `127.0.0.1:${h.port}`, token: ADMIN_TOKEN });
    await request({ port: h.port, path: `/spaces/admin/mirror/info/refs?service=git-upload-pack&access_token=${secret}`, host: `127.0.0.1:${h.port}`, headers: { authorization: `Basic ${Buffer.from(`x:${secret}`).toString('base64')}` } });
    const requestLines = logLines.filter((l) => l.includes('"request done"') || l.includes('request'));
    expect(requestLines.length).toBeGreaterThan(0);
    for (const line of logLines) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain(ADMIN_TOKEN);
    }
  });
});
