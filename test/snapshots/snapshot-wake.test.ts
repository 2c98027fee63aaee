import { execFileSync, execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import Dockerode from 'dockerode';
import { ensureBaseImages } from '../../builder/index.js';
import { silentLogger, toSpaceId, type ReleaseId, type SpaceId } from '../../core/index.js';
import { DockerRuntime, DockerSnapshots, SnapshotStore, engineSnapshots, type InstanceSpec, type SnapshotWake } from '../../controller/runtime/index.js';
import { waitFor } from '../support/http.js';
import { OwnDockerEngine } from '../support/own-docker-engine.js';
import { TEST_IMAGE, TEST_IMAGE_PORT, ensureTestImage } from '../support/test-image.js';

// Snapshot wake through the Docker runtime itself (issue 21), on a real engine of the test's own
// whose daemon.json gets the restoring runtime from scripts/criu/register-runtime.sh, as `make up`
// does, with the CRIU Spaceport builds. Sleep is `runtime.stop`, a wake is `runtime.apply`; each
// fallback is forced and the wake still answers.

const repo = path.resolve(__dirname, '../..');
let criu: string;
let dir: string;
let root: string;
let engine: OwnDockerEngine;
let now = Date.now();
let store: SnapshotStore;
const wakes: SnapshotWake[] = [];

beforeAll(async () => {
  criu = execFileSync('bash', [path.join(repo, 'scripts/criu/ensure-criu.sh')], { encoding: 'utf8', timeout: 15 * 60_000 }).trim();
  dir = mkdtempSync('/tmp/spaceport-snapshot-wake-');
  root = path.join(dir, 'data', 'snapshots');
  const daemonJson = path.join(dir, 'daemon.json');
  execFileSync('bash', [path.join(repo, 'scripts/criu/register-runtime.sh'), criu, root], {
    env: { ...process.env, SPACEPORT_DAEMON_JSON: daemonJson, SPACEPORT_DOCKERD_PID: path.join(dir, 'none.pid') },
    stdio: 'pipe',
  });
  engine = new OwnDockerEngine('snapwake', { extraArgs: ['--config-file', daemonJson] });
  await engine.start();
  await ensureTestImage(engine.docker);
  store = new SnapshotStore({ root, maxAgeMs: 3_600_000, budgetBytes: 10 * 1024 ** 3, now: () => now });
}, 20 * 60_000);

afterAll(async () => {
  await engine?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runtimeWith(snapshots: DockerSnapshots | undefined): DockerRuntime {
  return new DockerRuntime({ docker: engine.docker, logger: silentLogger(), namePrefix: 'snapwake', snapshots });
}

function snapshotsWith(options: { criu?: string } = {}): DockerSnapshots {
  return new DockerSnapshots({
    store,
    criu: options.criu ?? criu,
    runcRoot: path.join(engine.dir, 'exec/runtime-runc/moby'),
    logger: silentLogger(),
    onWake: (w) => wakes.push(w),
  });
}

const spec = (space: SpaceId, over: Partial<InstanceSpec> = {}): InstanceSpec => ({
  space,
  release: 'r1' as ReleaseId,
  image: TEST_IMAGE,
  port: TEST_IMAGE_PORT,
  env: { PORT: String(TEST_IMAGE_PORT), VISIBLE: 'one', SECRET_TOKEN: 'restore-me' },
  secretKeys: ['SECRET_TOKEN'],
  flavor: { name: 'cpu-basic', cpus: 1, memoryBytes: 256 * 1024 ** 2 },
  ...over,
});

function get(port: number, urlPath: string, agent: http.Agent | false = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Waits for the instance to be ready and answers its environment (the test app's /cgi-bin/env). */
async function answers(runtime: DockerRuntime, space: SpaceId): Promise<{ env: string; port: number }> {
  return waitFor('the app answering', async () => {
    const [inst] = await runtime.list(space);
    if (inst?.state.kind !== 'ready' || !inst.endpoint) return undefined;
    const r = await get(inst.endpoint.port, '/cgi-bin/env').catch(() => undefined);
    return r?.status === 200 ? { env: r.body, port: inst.endpoint.port } : undefined;
  }, 60_000, 50);
}

async function runLog(runtime: DockerRuntime, space: SpaceId, release = 'r1'): Promise<string> {
  const lines: string[] = [];
  for await (const l of runtime.logs(space, release as ReleaseId, { follow: false })) lines.push(l.data);
  return lines.join('\n');
}

const starts = (log: string) => (log.match(/listening on/g) ?? []).length;

describe('snapshot wake through DockerRuntime', () => {
  it('the engine knows the restoring runtime from register-runtime.sh, so engineSnapshots turns snapshots on; without CRIU they are off with the reason', async () => {
    const on = await engineSnapshots({ docker: engine.docker, support: { kind: 'on', criu, version: '4.1.1' }, root, execRoot: path.join(engine.dir, 'exec'), maxAgeMs: 1, budgetBytes: 1, logger: silentLogger() });
    expect('snapshots' in on).toBe(true);
    const elsewhere = await engineSnapshots({ docker: engine.docker, support: { kind: 'on', criu, version: '4.1.1' }, root: path.join(dir, 'other'), execRoot: '/x', maxAgeMs: 1, budgetBytes: 1, logger: silentLogger() });
    expect(elsewhere).toMatchObject({ reason: expect.stringContaining('keeps snapshots elsewhere') });
    const off = await engineSnapshots({ docker: engine.docker, support: { kind: 'off', reason: 'no CRIU to run' }, root, execRoot: '/x', maxAgeMs: 1, budgetBytes: 1, logger: silentLogger() });
    expect(off).toEqual({ reason: 'no CRIU to run' });
  });

  it('sleep dumps the app, the wake restores it: one start, same secrets, "restored from snapshot" in the run log', async () => {
    const space = toSpaceId('snap', 'restore');
    const runtime = runtimeWith(snapshotsWith());
    await runtime.apply(spec(space));
    const first = await answers(runtime, space);
    expect(first.env).toContain('SECRET_TOKEN=restore-me');
    // (busybox httpd closes each connection after its answer; the state app below holds one open at the dump.)
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(first.port, '/cgi-bin/env', agent)).status).toBe(200);

    await runtime.stop(space, 'r1' as ReleaseId, { sleep: true });
    agent.destroy();
    const [taken] = store.list().filter((m) => m.space === space);
    expect(taken?.bytes).toBeGreaterThan(0);
    expect((await runtime.list(space))[0]?.state.kind).toBe('stopped');

    wakes.length = 0;
    await runtime.apply(spec(space));
    expect((await answers(runtime, space)).env).toContain('SECRET_TOKEN=restore-me');
    expect(wakes).toEqual([{ outcome: 'restored', space, takenAt: taken!.takenAt, restore: expect.objectContaining({ pages: 'eager', restoreMs: expect.any(Number) }) }]);
    const log = await runLog(runtime, space);
    expect(log).toContain(`spaceport: restored from snapshot (taken ${new Date(taken!.takenAt).toISOString()})`);
    expect(starts(log)).toBe(1);
    // The snapshot is spent; it is a new one at the next sleep.
    expect(existsSync(path.join(root, taken!.container))).toBe(false);

    await runtime.remove(space);
    await runtime.close();
  }, 5 * 60_000);

  it('a corrupt snapshot: the wake starts cold and answers; the run log and the wake say so', async () => {
    const space = toSpaceId('snap', 'corrupt');
    const runtime = runtimeWith(snapshotsWith());
    await runtime.apply(spec(space));
    await answers(runtime, space);
    await runtime.stop(space, 'r1' as ReleaseId, { sleep: true });
    const [taken] = store.list().filter((m) => m.space === space);
    const images = path.join(root, taken!.container, 'images');
    for (const f of readdirSync(images).filter((n) => n.startsWith('core-') || n.startsWith('pages-'))) truncateSync(path.join(images, f), 3);

    wakes.length = 0;
    await runtime.apply(spec(space));
    await answers(runtime, space);
    expect(wakes).toEqual([{ outcome: 'cold', space, reason: 'restore-failed' }]);
    const log = await runLog(runtime, space);
    expect(log).toContain('spaceport: restore failed, cold start');
    expect(starts(log)).toBe(2);
    await runtime.remove(space);
    await runtime.close();
  }, 5 * 60_000);

  it('variables or secrets changed since the snapshot: it is deleted and the wake is cold', async () => {
    const space = toSpaceId('snap', 'settings');
    const runtime = runtimeWith(snapshotsWith());
    await runtime.apply(spec(space));
    await answers(runtime, space);
    // A stop that is not a sleep (a hang, a start that timed out, a retired release) keeps no snapshot.
    await runtime.stop(space, 'r1' as ReleaseId);
    expect(store.list().filter((m) => m.space === space)).toEqual([]);
    await runtime.apply(spec(space));
    await answers(runtime, space);
    await runtime.stop(space, 'r1' as ReleaseId, { sleep: true });
    const [taken] = store.list().filter((m) => m.space === space);
    expect(taken).toBeDefined();

    wakes.length = 0;
    await runtime.apply(spec(space, { env: { ...spec(space).env, SECRET_TOKEN: 'rotated' } }));
    await answers(runtime, space);
    expect(wakes).toEqual([{ outcome: 'cold', space, reason: 'settings-changed' }]);
    expect(existsSync(path.join(root, taken!.container))).toBe(false);
    expect(starts(await runLog(runtime, space))).toBe(3);
    await runtime.remove(space);
    await runtime.close();
  }, 5 * 60_000);

  it('a new release (new image): the old container and its snapshot are removed, the new one starts cold and answers', async () => {
    const space = toSpaceId('snap', 'release');
    const runtime = runtimeWith(snapshotsWith());
    await runtime.apply(spec(space));
    await answers(runtime, space);
    await runtime.stop(space, 'r1' as ReleaseId, { sleep: true });
    const [taken] = store.list().filter((m) => m.space === space);
    expect(taken).toBeDefined();
    await engine.docker.getImage(TEST_IMAGE).tag({ repo: 'spaceport-test/busybox', tag: 'pushed' });

    await runtime.apply(spec(space, { image: 'spaceport-test/busybox:pushed' }));
    await answers(runtime, space);
    expect(existsSync(path.join(root, taken!.container))).toBe(false);
    expect(store.list().filter((m) => m.space === space)).toEqual([]);
    await runtime.remove(space);
    await runtime.close();
  }, 5 * 60_000);

  it('a snapshot past its maximum age is deleted at the wake, which is cold; deleting the Space deletes its snapshot', async () => {
    const space = toSpaceId('snap', 'expired');
    const runtime = runtimeWith(snapshotsWith());
    await runtime.apply(spec(space));
    await answers(runtime, space);
    await runtime.stop(space, 'r1' as ReleaseId, { sleep: true });
    now += 2 * 3_600_000;
    wakes.length = 0;
    await runtime.apply(spec(space));
    await answers(runtime, space);
    expect(wakes).toEqual([{ outcome: 'cold', space, reason: 'expired' }]);

    now -= 2 * 3_600_000;
    await runtime.stop(space, 'r1' as ReleaseId, { sleep: true });
    expect(store.list().filter((m) => m.space === space)).toHaveLength(1);
    await runtime.remove(space);
    expect(store.list().filter((m) => m.space === space)).toEqual([]);
    await runtime.close();
  }, 5 * 60_000);

  it('CRIU missing: the dump fails, sleep is a plain stop, and the wake is cold and answers', async () => {
    const space = toSpaceId('snap', 'nocriu');
    const runtime = runtimeWith(snapshotsWith({ criu: path.join(dir, 'no-such-criu') }));
    await runtime.apply(spec(space));
    await answers(runtime, space);
    await runtime.stop(space, 'r1' as ReleaseId, { sleep: true });
    expect(store.list().filter((m) => m.space === space)).toEqual([]);
    expect((await runtime.list(space))[0]?.state.kind).toBe('stopped');
    wakes.length = 0;
    await runtime.apply(spec(space));
    expect((await answers(runtime, space)).env).toContain('SECRET_TOKEN=restore-me');
    expect(wakes).toEqual([{ outcome: 'cold', space, reason: 'missing' }]);
    await runtime.remove(space);
    await runtime.close();
  }, 5 * 60_000);
});

// The correctness app (test/fixtures/spaces/snapshot-state): what a process holds survives the restore.
describe('a restored app keeps its state', () => {
  const STATE_IMAGE = 'spaceport-test/snapshot-state:1';
  type State = { pid: number; started: number; counter: number; ticks: number; lastTick: number; now: number; fileLines: string[] };

  beforeAll(async () => {
    const shared = new Dockerode();
    const base = 'spaceport/python:3.11';
    if ((await shared.listImages({ filters: { reference: [base] } })).length === 0) await ensureBaseImages(shared, { python: base }, silentLogger());
    execSync(`docker save ${base} | docker -H ${engine.dockerHost} load`, { stdio: 'pipe' });
    execFileSync('docker', ['-H', engine.dockerHost, 'build', '-q', '-t', STATE_IMAGE, path.join(repo, 'test/fixtures/spaces/snapshot-state')], { stdio: 'pipe' });
  }, 10 * 60_000);

  async function state(port: number, urlPath = '/state'): Promise<State> {
    const r = await get(port, urlPath);
    expect(r.status).toBe(200);
    return JSON.parse(r.body) as State;
  }

  it('HTTP, SSE and a websocket answer after the restore: same process, counter, open file and timer, a clock that moved on', async () => {
    const space = toSpaceId('snap', 'state');
    const runtime = runtimeWith(snapshotsWith());
    const stateSpec = spec(space, { image: STATE_IMAGE, port: 7860, env: { TOKEN: 'kept' }, secretKeys: ['TOKEN'] });
    await runtime.apply(stateSpec);
    const port = await waitFor('the state app answering', async () => {
      const [inst] = await runtime.list(space);
      return inst?.state.kind === 'ready' && inst.endpoint ? inst.endpoint.port : undefined;
    }, 120_000, 100);
    for (let i = 0; i < 3; i++) await state(port, '/bump');
    const before = await state(port);
    expect(before.counter).toBe(3);
    // A visitor's keep-alive connection (this app speaks HTTP/1.1), still open at the dump: CRIU
    // refuses a connected TCP socket unless the restoring runtime's config says tcp-close.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(port, '/state', agent)).status).toBe(200);

    await runtime.stop(space, 'r1' as ReleaseId, { sleep: true });
    agent.destroy();
    expect(store.list().filter((m) => m.space === space)).toHaveLength(1);
    // Let the wall clock move on while it sleeps.
    await new Promise((r) => setTimeout(r, 1_500));
    await runtime.apply(stateSpec);
    const port2 = await waitFor('the restored app answering', async () => {
      const [inst] = await runtime.list(space);
      return inst?.state.kind === 'ready' && inst.endpoint ? inst.endpoint.port : undefined;
    }, 60_000, 50);
    expect(await runLog(runtime, space)).toContain('spaceport: restored from snapshot (taken ');

    const after = await state(port2);
    expect(after).toMatchObject({ pid: before.pid, started: before.started, counter: 3, fileLines: before.fileLines });
    expect(after.now).toBeGreaterThan(before.now + 1);
    // The timer thread ticks on.
    const later = await waitFor('the timer ticking', async () => {
      const s = await state(port2);
      return s.ticks > after.ticks ? s : undefined;
    }, 10_000, 100);
    expect(later.lastTick).toBeGreaterThan(before.now);
    // The open file takes writes through the same descriptor.
    expect((await state(port2, '/bump')).fileLines).toEqual([...before.fileLines, 'bump 4']);

    // Server-sent events.
    const sse = (await get(port2, '/events')).body.split('\n\n').filter((e) => e.startsWith('data: '));
    expect(sse).toHaveLength(3);
    const events = sse.map((e) => JSON.parse(e.slice('data: '.length)) as State);
    expect(events.map((e) => e.counter)).toEqual([4, 4, 4]);
    expect(events[0]!.started).toBe(before.started);

    // A websocket.
    const ws = new WebSocket(`ws://127.0.0.1:${port2}/ws`);
    const message = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data: Buffer) => resolve(data.toString('utf8')));
      ws.once('error', reject);
    });
    ws.terminate();
    expect(JSON.parse(message)).toMatchObject({ pid: before.pid, started: before.started, counter: 4 });

    await runtime.remove(space);
    await runtime.close();
  }, 10 * 60_000);
});
