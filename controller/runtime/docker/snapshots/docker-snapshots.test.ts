import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Dockerode from 'dockerode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger, type ReleaseId, type SpaceId } from '../../../../core/index.js';
import type { InstanceSpec } from '../../runtime.js';
import { DockerSnapshots, RESTORE_RUNTIME, type LazyPagesOptions, type SnapshotWake } from './docker-snapshots.js';
import { SnapshotStore } from './snapshot-store.js';
import type { RunCommand } from './snapshot-support.js';

// The hooks DockerRuntime calls, on a fake runc and a fake container (the real engine:
// test/snapshots/snapshot-wake.test.ts).

const ID = 'a'.repeat(64);
let dir: string;
let store: SnapshotStore;
const wakes: SnapshotWake[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'docker-snapshots-'));
  store = new SnapshotStore({ root: path.join(dir, 'snapshots'), maxAgeMs: 60_000, budgetBytes: 1024 ** 3 });
  wakes.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const spec = (over: Partial<InstanceSpec> = {}): InstanceSpec => ({
  space: 'alice/demo' as SpaceId,
  release: 'r1' as ReleaseId,
  image: 'spaceport/alice-demo:r1',
  port: 7860,
  env: { A: '1', TOKEN: 'secret' },
  secretKeys: ['TOKEN'],
  flavor: { name: 'cpu-basic', cpus: 2, memoryBytes: 1024 ** 3 },
  ...over,
});

/** A runc that "dumps" by writing one image file, or fails like CRIU refusing a socket. */
function fakeRunc(ok: boolean, calls: string[][]): RunCommand {
  return async (_cmd, args) => {
    calls.push(args);
    if (!ok) return { code: 1, output: 'Error (criu/sk-inet.c:199): inet: Connected TCP socket, consider using --tcp-established option.\n' };
    writeFileSync(path.join(args[args.indexOf('--image-path') + 1]!, 'pages-1.img'), 'x'.repeat(100));
    return { code: 0, output: '' };
  };
}

function snapshots(run: RunCommand, lazyPages?: LazyPagesOptions): DockerSnapshots {
  return new DockerSnapshots({ store, criu: '/opt/criu', runcRoot: '/run/docker/runtime-runc/moby', logger: silentLogger(), run, onWake: (w) => wakes.push(w), lazyPages });
}

function container(s: DockerSnapshots, over: { runtime?: string; settings?: string } = {}): Dockerode.Container {
  const info = {
    Id: ID,
    Config: { Image: spec().image, Labels: { 'spaceport.settings': over.settings ?? s.settingsOf(spec()) } },
    HostConfig: { Runtime: over.runtime ?? RESTORE_RUNTIME },
    State: { Running: true },
  };
  return { id: ID, inspect: async () => info } as unknown as Dockerode.Container;
}

describe('DockerSnapshots', () => {
  it('the settings hash changes with a variable, a secret or the flavor, not with the order of the env', () => {
    const s = snapshots(fakeRunc(true, []));
    const base = s.settingsOf(spec());
    expect(s.settingsOf(spec({ env: { TOKEN: 'secret', A: '1' } }))).toBe(base);
    expect(s.settingsOf(spec({ env: { A: '2', TOKEN: 'secret' } }))).not.toBe(base);
    expect(s.settingsOf(spec({ env: { A: '1', TOKEN: 'rotated' } }))).not.toBe(base);
    expect(s.settingsOf(spec({ flavor: { name: 'cpu-upgrade', cpus: 8, memoryBytes: 32 * 1024 ** 3 } }))).not.toBe(base);
  });

  it('containers are created with the restoring runtime and their settings hash', () => {
    const s = snapshots(fakeRunc(true, []));
    const o = s.createOptions(spec(), { Image: 'x', Labels: { keep: 'me' }, HostConfig: { Memory: 1 } });
    expect(o).toMatchObject({ Labels: { keep: 'me', 'spaceport.settings': s.settingsOf(spec()) }, HostConfig: { Memory: 1, Runtime: RESTORE_RUNTIME } });
  });

  it('sleep dumps with runc checkpoint into the store; a failed dump leaves nothing and answers false', async () => {
    const calls: string[][] = [];
    const ok = snapshots(fakeRunc(true, calls));
    expect(await ok.checkpoint(container(ok), 'alice/demo')).toBe(true);
    expect(calls[0]).toEqual(expect.arrayContaining(['--root', '/run/docker/runtime-runc/moby', '--criu', '/opt/criu', 'checkpoint', '--file-locks', ID]));
    expect(store.list()).toMatchObject([{ space: 'alice/demo', container: ID, bytes: 100 }]);

    const refused = snapshots(fakeRunc(false, []));
    expect(await refused.checkpoint(container(refused), 'alice/demo')).toBe(false);
    expect(store.list()).toEqual([]);
  });

  it("a failed dump's warning carries CRIU's own reason from dump.log, not runc's clean-up message", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(l) } });
    // runc 1.1: CRIU fails, then runc's clean-up says only "container still running"; the reason is in dump.log.
    const run: RunCommand = async (_cmd, args) => {
      const work = args[args.indexOf('--work-path') + 1]!;
      writeFileSync(path.join(work, 'dump.log'), '(00.01) Dumping\n(00.21) Error (criu/sk-inet.c:245): inet: Unsupported socket state 2 (SYN_SENT)\n(00.22) Dumping FAILED.\n');
      return { code: 1, output: 'time="x" level=error msg="container still running"\n' };
    };
    const s = new DockerSnapshots({ store, criu: '/opt/criu', runcRoot: '/r', logger, run });
    expect(await s.checkpoint(container(s), 'alice/demo')).toBe(false);
    const warn = lines.map((l) => JSON.parse(l) as { msg: string; criu?: string; problem?: string }).find((l) => l.msg.startsWith('snapshot: dump failed'));
    expect(warn?.criu).toBe('(00.21) Error (criu/sk-inet.c:245): inet: Unsupported socket state 2 (SYN_SENT)');
    expect(warn?.problem).toContain('container still running');
    expect(store.list()).toEqual([]);
  });

  it('a container made without the restoring runtime (before snapshots were on) is not dumped', async () => {
    const calls: string[][] = [];
    const s = snapshots(fakeRunc(true, calls));
    expect(await s.checkpoint(container(s, { runtime: 'runc' }), 'alice/demo')).toBe(false);
    expect(calls).toEqual([]);
  });

  it('a wake reads what the restoring runtime did, reports it, and spends the snapshot', async () => {
    const s = snapshots(fakeRunc(true, []));
    await s.checkpoint(container(s), 'alice/demo');
    const before = s.beforeStart(ID, spec());
    expect(before.kind).toBe('ready');
    writeFileSync(path.join(store.root, ID, 'outcome'), 'restored\n');
    expect(s.afterStart(ID, spec(), before)).toMatchObject({ outcome: 'restored', space: 'alice/demo' });
    expect(existsSync(path.join(store.root, ID))).toBe(false);

    await s.checkpoint(container(s), 'alice/demo');
    const again = s.beforeStart(ID, spec());
    // No outcome: the runtime never restored (or failed): a cold wake.
    expect(s.afterStart(ID, spec(), again)).toEqual({ outcome: 'cold', space: 'alice/demo', reason: 'restore-failed' });
    expect(s.afterStart(ID, spec(), s.beforeStart(ID, spec()))).toEqual({ outcome: 'cold', space: 'alice/demo', reason: 'missing' });
    expect(wakes.map((w) => w.outcome)).toEqual(['restored', 'cold', 'cold']);
  });

  it('changed secrets delete the snapshot at the wake; a removed container takes its snapshot and CRIU config with it', async () => {
    const s = snapshots(fakeRunc(true, []));
    await s.checkpoint(container(s), 'alice/demo');
    expect(s.beforeStart(ID, spec({ env: { A: '1', TOKEN: 'rotated' } }))).toEqual({ kind: 'none', reason: 'settings-changed' });
    expect(store.list()).toEqual([]);

    await s.checkpoint(container(s), 'alice/demo');
    writeFileSync(path.join(store.root, `${ID}.criu.conf`), 'tcp-close\n');
    s.forget(ID);
    expect(store.list()).toEqual([]);
    expect(existsSync(path.join(store.root, `${ID}.criu.conf`))).toBe(false);
  });

  it('a snapshot at or over the lazy threshold asks the restoring runtime for lazy pages (with the daemon deadline), unless this host has none', async () => {
    const lazyFile = path.join(store.root, ID, 'lazy');
    const big = snapshots(fakeRunc(true, []), { minBytes: 100, deadlineS: 90 });
    await big.checkpoint(container(big), 'alice/demo');
    expect(big.beforeStart(ID, spec()).kind).toBe('ready');
    expect(readFileSync(lazyFile, 'utf8')).toBe('90');

    const under = snapshots(fakeRunc(true, []), { minBytes: 101 });
    await under.checkpoint(container(under), 'alice/demo');
    expect(under.beforeStart(ID, spec()).kind).toBe('ready');
    expect(existsSync(lazyFile)).toBe(false);

    const none = snapshots(fakeRunc(true, []), { minBytes: 0, unavailable: 'no uffd' });
    await none.checkpoint(container(none), 'alice/demo');
    expect(none.beforeStart(ID, spec()).kind).toBe('ready');
    expect(existsSync(lazyFile)).toBe(false);
  });

  it("a restored wake carries the runtime's facts: lazy or eager pages, why lazy fell back, the restore's duration", async () => {
    const s = snapshots(fakeRunc(true, []));
    await s.checkpoint(container(s), 'alice/demo');
    const before = s.beforeStart(ID, spec());
    writeFileSync(path.join(store.root, ID, 'outcome'), 'restored\n');
    writeFileSync(path.join(store.root, ID, 'pages'), 'lazy\n');
    writeFileSync(path.join(store.root, ID, 'timings'), '1700000000.100000 1700000000.125000 1700000000.325000\n');
    expect(s.afterStart(ID, spec(), before)).toEqual({
      outcome: 'restored', space: 'alice/demo', takenAt: expect.any(Number), restore: { pages: 'lazy', runtimeCalledAt: 1700000000100, restoreMs: 200 },
    });

    await s.checkpoint(container(s), 'alice/demo');
    const again = s.beforeStart(ID, spec());
    writeFileSync(path.join(store.root, ID, 'outcome'), 'restored\n');
    writeFileSync(path.join(store.root, ID, 'pages'), 'eager\n');
    writeFileSync(path.join(store.root, ID, 'lazy-fallback'), 'the lazy-pages daemon exited: no log\n');
    expect(s.afterStart(ID, spec(), again)).toMatchObject({ restore: { pages: 'eager', lazyFallback: 'the lazy-pages daemon exited: no log' } });
  });
});
