import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { request } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';
import { commitFiles, gitClient, initWork, makeTempDir, ok, pidsWithEnv, type GitClient } from './fixtures.js';

/**
 * No request can hold the server (issue 15): a git body that stops coming frees its processes within
 * the idle timeout, a trickle is cut, git processes are capped per client and in all (503 with
 * Retry-After past a short wait), and an honest push over a slow but steady link still lands.
 * Stock git, the real hub server, fakes for the runtime and builder.
 */
const UPLOAD_PACK = 'PATH_INFO=/admin/pub.git/git-upload-pack';

interface Held {
  socket: net.Socket;
  closed: Promise<void>;
  /** What the server answered, when it answered. */
  answer(): string;
}

/**
 * A POST git-upload-pack that promises 1,000,000 bytes and sends 9 (the start of a 65,520-byte
 * pkt-line, so upload-pack waits for more), from `localAddress`; with `trickleMs`, one more byte each time.
 */
function slowUploadPack(port: number, opts: { localAddress?: string; trickleMs?: number } = {}): Promise<Held> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress: opts.localAddress ?? '127.0.0.1' }, () => {
      socket.write(
        `POST /spaces/admin/pub/git-upload-pack HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
          'Content-Type: application/x-git-upload-pack-request\r\nContent-Length: 1000000\r\n\r\nfff0want ',
      );
      resolve({ socket, closed, answer: () => Buffer.concat(chunks).toString() });
    });
    const chunks: Buffer[] = [];
    socket.on('data', (b: Buffer) => chunks.push(b));
    socket.on('error', () => {});
    let timer: NodeJS.Timeout | undefined;
    if (opts.trickleMs) timer = setInterval(() => socket.writable && socket.write('0'), opts.trickleMs);
    const closed = new Promise<void>((done) => socket.on('close', () => (clearInterval(timer), done())));
    socket.once('error', reject);
  });
}

async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function newSpace(h: Harness, git: GitClient, tmp: string, name: string): Promise<string> {
  expect((await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'static' })).status).toBe(200);
  const work = await initWork(git, path.join(tmp, `seed-${name}`));
  await commitFiles(git, work, { 'README.md': '---\nsdk: static\n---\n', 'index.html': '<p>hi</p>\n' });
  const url = `http://x:${ADMIN_TOKEN}@127.0.0.1:${h.port}/spaces/admin/${name}`;
  ok(await git(['push', '-q', '--force', url, 'main'], { cwd: work }));
  return work;
}

describe('git request limits on the hub port', () => {
  let h: Harness;
  let tmp: string;
  let git: GitClient;
  const held: Held[] = [];

  beforeAll(async () => {
    tmp = await makeTempDir();
    git = gitClient(tmp);
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config), staticSpacesAsImages: true }), {
      SPACEPORT_BODY_IDLE_SECONDS: '2',
      SPACEPORT_BODY_GRACE_SECONDS: '60',
      SPACEPORT_GIT_MAX_PROCESSES: '3',
      SPACEPORT_GIT_MAX_PROCESSES_PER_CLIENT: '2',
      SPACEPORT_GIT_QUEUE_SECONDS: '1',
    });
    await newSpace(h, git, tmp, 'pub');
  });
  afterAll(async () => {
    for (const c of held) c.socket.destroy();
    await h?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('slowloris: bodies that stop coming free their git processes within the idle timeout', async () => {
    const conns = await Promise.all([1, 2].map(() => slowUploadPack(h.port)));
    held.push(...conns);
    // Each held request ran http-backend and upload-pack before the fix.
    await until('git processes for the held requests', async () => ((await pidsWithEnv(UPLOAD_PACK)).length >= 2 ? true : undefined));
    await Promise.all(conns.map((c) => c.closed));
    await until('no git process left', async () => ((await pidsWithEnv(UPLOAD_PACK)).length === 0 ? true : undefined));
    expect(h.sp.port).toBe(h.port);
  });

  it('answers a POST with an empty body at once (its end counts as its start), not at the idle timeout', async () => {
    const auth = `Basic ${Buffer.from(`x:${ADMIN_TOKEN}`).toString('base64')}`;
    for (const service of ['git-receive-pack', 'git-upload-pack']) {
      const res = await fetch(`http://127.0.0.1:${h.port}/spaces/admin/pub/${service}`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': `application/x-${service}-request` },
        body: '',
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status, service).toBeLessThan(500);
      await res.arrayBuffer();
    }
  });

  it('starts no git process for a request whose body has not begun, and closes it at the idle timeout', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: h.port });
    socket.on('error', () => {});
    let open = true;
    const closed = new Promise<void>((r) => socket.on('close', () => ((open = false), r())));
    socket.write(`POST /spaces/admin/pub/git-upload-pack HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nContent-Type: application/x-git-upload-pack-request\r\nContent-Length: 1000000\r\n\r\n`);
    const seen: number[] = [];
    while (open) {
      seen.push((await pidsWithEnv(UPLOAD_PACK)).length);
      await new Promise((r) => setTimeout(r, 50));
    }
    await closed;
    expect(seen.length).toBeGreaterThan(5);
    expect(Math.max(...seen)).toBe(0);
  });

  it('caps git processes per client and in all: the next request waits, then gets 503 with Retry-After', async () => {
    // Held open by a byte every 300 ms (under the idle timeout, well within the grace period).
    const a = await Promise.all(['127.0.0.1', '127.0.0.1', '127.0.0.2'].map((localAddress) => slowUploadPack(h.port, { localAddress, trickleMs: 300 })));
    held.push(...a);
    await until('three requests running', async () => ((await pidsWithEnv(UPLOAD_PACK)).length >= 3 ? true : undefined));
    const scrape = await request({ port: h.port, path: '/metrics', host: `127.0.0.1:${h.port}` });
    expect(scrape.body).toContain('spaceport_git_requests{state="running"} 3');
    for (const localAddress of ['127.0.0.1', '127.0.0.3']) {
      // 127.0.0.1 is at its own cap; 127.0.0.3 finds all three places taken.
      const refused = await slowUploadPack(h.port, { localAddress });
      held.push(refused);
      await until('an answer', async () => (refused.answer().includes('\r\n\r\n') ? true : undefined), 10_000);
      const answer = refused.answer();
      expect(answer).toMatch(/^HTTP\/1\.1 503 /);
      expect(answer).toMatch(/\r\nx-error-code: ServerBusy\r\n/i);
      expect(answer).toMatch(/\r\nretry-after: 1\r\n/i);
    }
    for (const c of a) c.socket.destroy();
    await until('no git process left', async () => ((await pidsWithEnv(UPLOAD_PACK)).length === 0 ? true : undefined));
    // Places are given back: a clone works again.
    ok(await git(['clone', '-q', `http://127.0.0.1:${h.port}/spaces/admin/pub`, path.join(tmp, 'clone-after')]));
  });
});

/** A TCP proxy to `port` that forwards each direction at most `bytesPerSecond`. */
async function throttle(port: number, bytesPerSecond: number): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const pump = (from: net.Socket, to: net.Socket): void => {
    const tick = 50;
    const per = Math.max(1, Math.floor((bytesPerSecond * tick) / 1000));
    let queue = Buffer.alloc(0);
    let ended = false;
    from.on('data', (b: Buffer) => {
      queue = Buffer.concat([queue, b]);
      if (queue.length > per * 20) from.pause();
    });
    from.on('end', () => (ended = true));
    const timer = setInterval(() => {
      if (queue.length > 0 && to.writable) {
        to.write(queue.subarray(0, per));
        queue = queue.subarray(per);
        if (queue.length <= per * 20) from.resume();
      }
      if (queue.length === 0 && ended) {
        clearInterval(timer);
        to.end();
      }
    }, tick);
    from.on('close', () => queue.length === 0 && clearInterval(timer));
    to.on('close', () => clearInterval(timer));
  };
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    pump(client, upstream);
    pump(upstream, client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe('body deadlines keep honest slow uploads and cut trickles', () => {
  let h: Harness;
  let tmp: string;
  let git: GitClient;
  let work: string;

  beforeAll(async () => {
    tmp = await makeTempDir();
    git = gitClient(tmp);
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config), staticSpacesAsImages: true }), {
      SPACEPORT_BODY_IDLE_SECONDS: '2',
      SPACEPORT_BODY_GRACE_SECONDS: '1',
      SPACEPORT_BODY_MIN_RATE: '128k',
    });
    work = await newSpace(h, git, tmp, 'pub');
  });
  afterAll(async () => {
    await h?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('an honest push over a slow but steady link (3 MiB at 512 KiB/s, past the grace period) lands', async () => {
    const link = await throttle(h.port, 512 * 1024);
    try {
      const commit = await commitFiles(git, work, { 'data.bin': randomBytes(3 * 1024 * 1024) }, 'slow push');
      const push = await git(['-c', 'http.postBuffer=65536', 'push', `http://x:${ADMIN_TOKEN}@127.0.0.1:${link.port}/spaces/admin/pub`, 'main'], { cwd: work });
      expect(push.code, push.stderr).toBe(0);
      const head = (await h.api('GET', '/api/spaces/admin/pub/commits/main')).json<{ id: string }[]>()[0]!.id;
      expect(head).toBe(commit);
    } finally {
      link.close();
    }
  });

  it('a body that trickles slower than the minimum rate is cut after the grace period, and its processes freed', async () => {
    const c = await slowUploadPack(h.port, { trickleMs: 200 });
    try {
      await c.closed;
      await until('no git process left', async () => ((await pidsWithEnv(UPLOAD_PACK)).length === 0 ? true : undefined));
    } finally {
      c.socket.destroy();
    }
  });

  it('LFS uploads get the same deadline: a PUT that stops coming closes the connection and stores nothing', async () => {
    const oid = 'a'.repeat(64);
    const socket = net.connect({ host: '127.0.0.1', port: h.port });
    socket.on('error', () => {});
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.write(
      `PUT /spaces/admin/pub.git/info/lfs/objects/${oid}?size=1000000 HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n` +
        'Content-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n0123456789',
    );
    await closed;
    const batch = await h.api('POST', '/spaces/admin/pub.git/info/lfs/objects/batch', { operation: 'download', objects: [{ oid, size: 1000000 }] });
    expect(batch.json().objects[0].error?.code).toBe(404);
  });

  it('API bodies get the same deadline: a JSON body that stops coming closes the connection', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: h.port });
    socket.on('error', () => {});
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.write(`POST /api/repos/create HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"name":`);
    await closed;
  });
});
