// The native data plane with a real HAProxy (Debian's 2.6): its runtime API passes the same contract
// as the fake, a route flip under load loses no request, and a kill -9 is repaired (restart + map re-push).
import { spawn } from 'node:child_process';
import http from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { runDataPlaneApiContract } from '../../proxy/data-plane/testing/index.js';
import { HaproxyProcess, haproxyFiles, renderAppErrorFile, renderHaproxyConfig, startNativeDataPlane, type NativeDataPlane } from '../../proxy/data-plane/index.js';
import { notePid, stopStaleHaproxy } from '../../proxy/data-plane/stale-haproxy.js';
import { closeServer, FakeRouteSource, listen, RecordingSink, runningRoute } from './harness.js';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'spaceport-haproxy-'));
}

runDataPlaneApiContract('haproxy 2.6 runtime API', async () => {
  const dir = tempDir();
  const files = haproxyFiles(dir);
  const probe = http.createServer();
  const port = await listen(probe);
  await closeServer(probe);
  const proc = new HaproxyProcess({
    files,
    config: renderHaproxyConfig({ files, bind: { host: '127.0.0.1', port }, nodePort: 9, upstreamTimeoutMs: 5_000 }),
    appError: renderAppErrorFile([]),
    logger: silentLogger(),
    onStarted: async () => undefined,
  });
  await proc.start().catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  const { HaproxyRuntimeApi } = await import('../../proxy/data-plane/index.js');
  return {
    api: new HaproxyRuntimeApi({ socket: files.socket, map: files.map }),
    close: async () => {
      await proc.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

/** An app that names itself in every answer. */
async function app(name: string): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((_req, res) => res.end(name));
  return { server, port: await listen(server) };
}

/** `workers` loops of keep-alive GETs until `stop()`: every status and error counted, with the time of each failure. */
function load(port: number, host: string, workers = 4) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: workers });
  let running = true;
  const tally = { ok: 0, failed: 0, bodies: new Map<string, number>(), failures: [] as number[] };
  const one = () =>
    new Promise<void>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { host }, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          if (res.statusCode === 200) {
            tally.ok++;
            tally.bodies.set(body, (tally.bodies.get(body) ?? 0) + 1);
          } else {
            tally.failed++;
            tally.failures.push(Date.now());
          }
          resolve();
        });
      });
      req.on('error', () => {
        tally.failed++;
        tally.failures.push(Date.now());
        resolve();
      });
    });
  const loops = Array.from({ length: workers }, async () => {
    while (running) await one();
  });
  return {
    tally,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}

describe('the native data plane under load (real HAProxy)', () => {
  let native: NativeDataPlane | undefined;
  let dir: string | undefined;
  const servers: http.Server[] = [];
  afterEach(async () => {
    await native?.close();
    native = undefined;
    for (const s of servers.splice(0)) await closeServer(s);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function start(routes: FakeRouteSource): Promise<NativeDataPlane> {
    dir = tempDir();
    const spaceport = http.createServer((_req, res) => res.end('spaceport'));
    servers.push(spaceport);
    native = await startNativeDataPlane({
      server: spaceport,
      routes,
      activity: new RecordingSink(),
      logger: silentLogger(),
      dir,
      host: '127.0.0.1',
      port: 0,
      domain: 'localhost',
      upstreamTimeoutMs: 10_000,
      pollMs: 50,
    });
    return native;
  }

  it('keeps its socket private (0600) in a private directory', async () => {
    const n = await start(new FakeRouteSource());
    expect(statSync(haproxyFiles(dir!).socket).mode & 0o777).toBe(0o600);
    expect(statSync(dir!).mode & 0o777).toBe(0o700);
    expect(n.port).toBeGreaterThan(0);
  });

  it('a route flipped back and forth between two apps under load loses no request', async () => {
    const a = await app('a');
    const b = await app('b');
    servers.push(a.server, b.server);
    const routes = new FakeRouteSource();
    routes.set(runningRoute('flip', a.port));
    const n = await start(routes);
    await vi.waitFor(() => expect(n.driver.mapped).toBe(1));
    const l = load(n.port, 'flip.localhost');
    for (let i = 0; i < 40; i++) {
      routes.set(runningRoute('flip', i % 2 === 0 ? b.port : a.port));
      await new Promise((r) => setTimeout(r, 25));
    }
    await n.driver.settled();
    await l.stop();
    console.log(`route flip: ${l.tally.ok} requests, 40 flips, ${l.tally.failed} failed; answers ${JSON.stringify(Object.fromEntries(l.tally.bodies))}`);
    expect(l.tally.failed).toBe(0);
    expect(l.tally.ok).toBeGreaterThan(40);
    expect(l.tally.bodies.get('a')).toBeGreaterThan(0);
    expect(l.tally.bodies.get('b')).toBeGreaterThan(0);
  });

  it('kill -9 of HAProxy under load: it is started again and its map pushed again', async () => {
    const a = await app('a');
    servers.push(a.server);
    const routes = new FakeRouteSource();
    routes.set(runningRoute('live', a.port));
    const n = await start(routes);
    await vi.waitFor(() => expect(n.driver.mapped).toBe(1));
    const l = load(n.port, 'live.localhost');
    await new Promise((r) => setTimeout(r, 200));
    const killedAt = Date.now();
    process.kill(n.process.pid!, 'SIGKILL');
    await vi.waitFor(() => expect(n.process.starts).toBe(2), { timeout: 10_000 });
    await vi.waitFor(async () => expect((await n.api.routes()).get('live.localhost')).toBe(`127.0.0.1:${a.port}`), { timeout: 5_000 });
    const restoredAt = Date.now();
    const okBefore = l.tally.ok;
    await vi.waitFor(() => expect(l.tally.ok).toBeGreaterThan(okBefore + 50), { timeout: 5_000 });
    await l.stop();
    const last = l.tally.failures.at(-1);
    console.log(
      `kill -9: ${l.tally.failed} failed requests, error window ${last === undefined ? 0 : last - killedAt} ms (kill → last failure), map back ${restoredAt - killedAt} ms after the kill; ${l.tally.ok} ok (${l.tally.bodies.get('spaceport') ?? 0} by Spaceport while the map was empty)`,
    );
    // Once the map is back the app answers again (not Spaceport, the default backend).
    const after = load(n.port, 'live.localhost', 1);
    await vi.waitFor(() => expect(after.tally.ok).toBeGreaterThan(10));
    await after.stop();
    expect(after.tally.failed).toBe(0);
    expect(after.tally.bodies.get('a')).toBe(after.tally.ok);
    expect(l.tally.failures.every((t) => t <= restoredAt)).toBe(true);
  });

  it('a Spaceport killed with SIGKILL takes its HAProxy with it; the next start on the same dir takes the port', async () => {
    const a = await app('a');
    servers.push(a.server);
    dir = tempDir();
    // The first Spaceport: a process of its own, killed as kill -9 would.
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/native-data-plane-child.ts', dir], { cwd: path.resolve(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout!.once('data', (d: Buffer) => resolve(d.toString('utf8')));
      child.once('exit', (code) => reject(new Error(`the first Spaceport exited (${code})`)));
    });
    const first = JSON.parse(line) as { port: number; haproxyPid: number };
    expect(readFileSync(path.join(dir, 'haproxy.pid'), 'utf8').trim()).toBe(String(first.haproxyPid));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // HAProxy runs in its own session, yet dies with its parent (setpriv --pdeathsig).
    await vi.waitFor(() => expect(() => process.kill(first.haproxyPid, 0)).toThrow(), { timeout: 5_000 });
    const routes = new FakeRouteSource();
    routes.set(runningRoute('live', a.port));
    const spaceport = http.createServer((_req, res) => res.end('spaceport'));
    servers.push(spaceport);
    native = await startNativeDataPlane({ server: spaceport, routes, activity: new RecordingSink(), logger: silentLogger(), dir, host: '127.0.0.1', port: first.port, domain: 'localhost', upstreamTimeoutMs: 10_000, pollMs: 50 });
    expect(native.port).toBe(first.port);
    await vi.waitFor(() => expect(native!.driver.mapped).toBe(1));
    const l = load(native.port, 'live.localhost', 1);
    await vi.waitFor(() => expect(l.tally.ok).toBeGreaterThan(10));
    await l.stop();
    expect(l.tally.bodies.get('a')).toBe(l.tally.ok);
  });

  it('an HAProxy an earlier Spaceport left running (a host without setpriv) is stopped by the next start; a pid reused by another process is left alone', async () => {
    dir = tempDir();
    const files = haproxyFiles(dir);
    const probe = http.createServer();
    const port = await listen(probe);
    await closeServer(probe);
    // An HAProxy on this directory's config, started the way no supervisor watches (as after kill -9 without setpriv).
    writeFileSync(files.config, renderHaproxyConfig({ files, bind: { host: '127.0.0.1', port }, nodePort: 9, upstreamTimeoutMs: 5_000 }));
    writeFileSync(files.appError, renderAppErrorFile([]));
    writeFileSync(files.map, '');
    const orphan = spawn('haproxy', ['-f', files.config, '-db'], { detached: true, stdio: 'ignore' });
    await vi.waitFor(() => expect(existsSync(files.socket)).toBe(true), { timeout: 5_000 });
    await notePid(dir, orphan.pid!);
    expect(await stopStaleHaproxy(dir, files.config)).toBe(orphan.pid);
    expect(() => process.kill(orphan.pid!, 0)).toThrow();
    expect(existsSync(path.join(dir, 'haproxy.pid'))).toBe(false);
    // A pid file naming a process that is not this HAProxy: nothing is signalled.
    writeFileSync(path.join(dir, 'haproxy.pid'), `${process.pid}\n`);
    expect(await stopStaleHaproxy(dir, files.config)).toBeUndefined();
  });
});
