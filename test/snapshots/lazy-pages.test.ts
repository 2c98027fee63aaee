import { execFileSync, execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Dockerode from 'dockerode';
import { ensureBaseImages } from '../../builder/index.js';
import { silentLogger, toSpaceId, type ReleaseId, type SpaceId } from '../../core/index.js';
import { DockerRuntime, DockerSnapshots, SnapshotStore, type InstanceSpec, type SnapshotWake } from '../../controller/runtime/index.js';
import { waitFor } from '../support/http.js';
import { OwnDockerEngine } from '../support/own-docker-engine.js';

// Lazy pages (issue 21): a large snapshot is restored with its memory served on demand by
// `criu lazy-pages` (userfaultfd) from the snapshot's images, through DockerRuntime on a real
// engine of the test's own registered by scripts/criu/register-runtime.sh, with the CRIU Spaceport
// builds. The app holds 300 MB of random bytes and their sha256 taken at its start; after the
// restore it hashes them again (touching every page).

const repo = path.resolve(__dirname, '../..');
const HOLD_IMAGE = 'spaceport-test/snapshot-hold:1';
const HOLD_MB = 300;
const HOLD_PY = `import hashlib, json, os, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
started = time.time()
held = bytearray(${HOLD_MB} << 20)
for i in range(${HOLD_MB}):
    held[i << 20:(i + 1) << 20] = os.urandom(1 << 20)
at_start = hashlib.sha256(held).hexdigest()
class App(BaseHTTPRequestHandler):
    def do_GET(self):
        now = hashlib.sha256(held).hexdigest() if self.path == '/sum' else None
        body = json.dumps({'pid': os.getpid(), 'started': started, 'atStart': at_start, 'now': now}).encode()
        self.send_response(200)
        self.send_header('content-length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
print('listening on 7860', flush=True)
ThreadingHTTPServer(('0.0.0.0', 7860), App).serve_forever()
`;

let criu: string;
let dir: string;
let root: string;
let engine: OwnDockerEngine;
let store: SnapshotStore;
const wakes: SnapshotWake[] = [];

beforeAll(async () => {
  criu = execFileSync('bash', [path.join(repo, 'scripts/criu/ensure-criu.sh')], { encoding: 'utf8', timeout: 15 * 60_000 }).trim();
  dir = mkdtempSync('/tmp/spaceport-lazy-pages-');
  root = path.join(dir, 'data', 'snapshots');
  const daemonJson = path.join(dir, 'daemon.json');
  execFileSync('bash', [path.join(repo, 'scripts/criu/register-runtime.sh'), criu, root], {
    env: { ...process.env, SPACEPORT_DAEMON_JSON: daemonJson, SPACEPORT_DOCKERD_PID: path.join(dir, 'none.pid') },
    stdio: 'pipe',
  });
  engine = new OwnDockerEngine('lazypages', { extraArgs: ['--config-file', daemonJson] });
  await engine.start();
  const shared = new Dockerode();
  const base = 'spaceport/python:3.11';
  if ((await shared.listImages({ filters: { reference: [base] } })).length === 0) await ensureBaseImages(shared, { python: base }, silentLogger());
  execSync(`docker save ${base} | docker -H ${engine.dockerHost} load`, { stdio: 'pipe' });
  const ctx = path.join(dir, 'hold');
  mkdirSync(ctx);
  writeFileSync(path.join(ctx, 'hold.py'), HOLD_PY);
  writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${base}\nRUN useradd -m -u 1000 user\nUSER user\nCOPY hold.py /home/user/hold.py\nCMD ["python3", "-u", "/home/user/hold.py"]\n`);
  execFileSync('docker', ['-H', engine.dockerHost, 'build', '-q', '-t', HOLD_IMAGE, ctx], { stdio: 'pipe' });
  store = new SnapshotStore({ root, maxAgeMs: 3_600_000, budgetBytes: 10 * 1024 ** 3 });
}, 20 * 60_000);

afterAll(async () => {
  await engine?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runtimeWith(lazyMinBytes: number): DockerRuntime {
  const snapshots = new DockerSnapshots({
    store,
    criu,
    runcRoot: path.join(engine.dir, 'exec/runtime-runc/moby'),
    logger: silentLogger(),
    onWake: (w) => wakes.push(w),
    lazyPages: { minBytes: lazyMinBytes, deadlineS: 120 },
  });
  return new DockerRuntime({ docker: engine.docker, logger: silentLogger(), namePrefix: 'lazypages', snapshots });
}

const spec = (space: SpaceId): InstanceSpec => ({
  space,
  release: 'r1' as ReleaseId,
  image: HOLD_IMAGE,
  port: 7860,
  env: { HOLD: 'yes', HF_TOKEN: 'hf_lazy_secret_value' },
  secretKeys: ['HF_TOKEN'],
  flavor: { name: 'cpu-basic', cpus: 1, memoryBytes: 1024 ** 3 },
});

type Held = { pid: number; started: number; atStart: string; now: string | null };

function get(port: number, urlPath: string): Promise<Held> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as Held) : reject(new Error(`status ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function answering(runtime: DockerRuntime, space: SpaceId): Promise<number> {
  return waitFor('the app answering', async () => {
    const [inst] = await runtime.list(space);
    if (inst?.state.kind !== 'ready' || !inst.endpoint) return undefined;
    const port = inst.endpoint.port;
    return (await get(port, '/').then(() => true, () => false)) ? port : undefined;
  }, 120_000, 50);
}

/** Processes whose command line names this test's snapshot root and lazy pages: the daemons and their supervisors. */
function lazyProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    if (cmd.includes(root) && cmd.includes('lazy-pages')) found.push(`${pid}: ${cmd}`);
  }
  return found;
}

async function sleepAndSnapshot(runtime: DockerRuntime, space: SpaceId): Promise<{ before: Held; container: string }> {
  await runtime.apply(spec(space));
  const before = await get(await answering(runtime, space), '/');
  await runtime.stop(space, 'r1' as ReleaseId, { sleep: true });
  const [taken] = store.list().filter((m) => m.space === space);
  expect(taken?.bytes).toBeGreaterThan(HOLD_MB * 1024 ** 2);
  // The app's whole memory (its secret too) is on disk: owner-only, every directory 0700, every file 0600.
  const wrongModes = (p: string): string[] =>
    readdirSync(p, { withFileTypes: true }).flatMap((e) => {
      const full = path.join(p, e.name);
      const mode = statSync(full).mode & 0o777;
      const wrong = mode !== (e.isDirectory() ? 0o700 : 0o600) ? [`${full} ${mode.toString(8)}`] : [];
      return e.isDirectory() ? [...wrong, ...wrongModes(full)] : wrong;
    });
  expect(statSync(root).mode & 0o777).toBe(0o700);
  expect(wrongModes(path.join(root, taken!.container))).toEqual([]);
  return { before, container: taken!.container };
}

describe('lazy pages', () => {
  it('a Space holding 300 MB restores with lazy pages: same process, its memory reads back intact, and no lazy-pages process is left', async () => {
    const space = toSpaceId('lazy', 'restore');
    const runtime = runtimeWith(100 * 1024 ** 2);
    const { before } = await sleepAndSnapshot(runtime, space);

    wakes.length = 0;
    await runtime.apply(spec(space));
    const port = await answering(runtime, space);
    expect(wakes).toEqual([{ outcome: 'restored', space, takenAt: expect.any(Number), restore: expect.objectContaining({ pages: 'lazy' }) }]);
    expect(wakes[0]).not.toHaveProperty('restore.lazyFallback');
    const after = await get(port, '/sum');
    expect(after).toMatchObject({ pid: before.pid, started: before.started, atStart: before.atStart, now: before.atStart });
    // The daemon streamed the rest and exited; nothing of it (nor of its supervisor) is left.
    await waitFor('no lazy-pages process left', async () => (lazyProcesses().length === 0 ? true : undefined), 60_000, 200);

    await runtime.remove(space);
    await runtime.close();
  }, 10 * 60_000);

  it('when the lazy-pages daemon cannot serve, the restore is eager, says why, and the memory is intact', async () => {
    const space = toSpaceId('lazy', 'fallback');
    const runtime = runtimeWith(100 * 1024 ** 2);
    const { before, container } = await sleepAndSnapshot(runtime, space);
    // Something already holds the daemon's socket path: it cannot bind, and exits.
    mkdirSync(path.join(root, container, 'work', 'lazy-pages.socket'), { recursive: true });

    wakes.length = 0;
    await runtime.apply(spec(space));
    const port = await answering(runtime, space);
    expect(wakes).toEqual([
      { outcome: 'restored', space, takenAt: expect.any(Number), restore: expect.objectContaining({ pages: 'eager', lazyFallback: expect.stringContaining('lazy-pages daemon') }) },
    ]);
    expect(await get(port, '/sum')).toMatchObject({ pid: before.pid, atStart: before.atStart, now: before.atStart });
    await waitFor('no lazy-pages process left', async () => (lazyProcesses().length === 0 ? true : undefined), 60_000, 200);

    await runtime.remove(space);
    await runtime.close();
  }, 10 * 60_000);

  it('a snapshot under the threshold restores eagerly', async () => {
    const space = toSpaceId('lazy', 'small');
    const runtime = runtimeWith(10 * 1024 ** 3);
    const { before } = await sleepAndSnapshot(runtime, space);
    wakes.length = 0;
    await runtime.apply(spec(space));
    const port = await answering(runtime, space);
    expect(wakes).toEqual([{ outcome: 'restored', space, takenAt: expect.any(Number), restore: expect.objectContaining({ pages: 'eager' }) }]);
    expect(wakes[0]).not.toHaveProperty('restore.lazyFallback');
    expect(await get(port, '/sum')).toMatchObject({ pid: before.pid, now: before.atStart });
    await runtime.remove(space);
    await runtime.close();
  }, 10 * 60_000);
});
