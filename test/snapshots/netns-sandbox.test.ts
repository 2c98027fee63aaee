import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, toSpaceId, type ReleaseId, type SpaceId } from '../../core/index.js';
import { DockerRuntime, DockerSnapshots, DockerSpaceNetwork, NetnsSandboxes, SnapshotStore, type InstanceSpec, type SnapshotWake } from '../../controller/runtime/index.js';
import { waitFor } from '../support/http.js';
import { OwnDockerEngine } from '../support/own-docker-engine.js';
import { TEST_IMAGE, TEST_IMAGE_PORT, ensureTestImage } from '../support/test-image.js';

// Network sandboxes (controller/runtime/docker/snapshots/netns-sandbox.ts) on a real engine of the
// test's own with the restoring runtime: the app joins its sandbox's namespace, a restore goes into
// it (no libnetwork hook), the sandbox goes with the Space, and a wake whose sandbox is gone answers.

const repo = path.resolve(__dirname, '../..');
const PREFIX = 'netnssb';
let criu: string;
let dir: string;
let root: string;
let engine: OwnDockerEngine;
let store: SnapshotStore;
let network: DockerSpaceNetwork;
const wakes: SnapshotWake[] = [];

beforeAll(async () => {
  criu = execFileSync('bash', [path.join(repo, 'scripts/criu/ensure-criu.sh')], { encoding: 'utf8', timeout: 15 * 60_000 }).trim();
  dir = mkdtempSync('/tmp/spaceport-netns-sandbox-');
  root = path.join(dir, 'data', 'snapshots');
  const daemonJson = path.join(dir, 'daemon.json');
  execFileSync('bash', [path.join(repo, 'scripts/criu/register-runtime.sh'), criu, root], {
    env: { ...process.env, SPACEPORT_DAEMON_JSON: daemonJson, SPACEPORT_DOCKERD_PID: path.join(dir, 'none.pid') },
    stdio: 'pipe',
  });
  engine = new OwnDockerEngine('netnssb', { extraArgs: ['--config-file', daemonJson] });
  await engine.start();
  await ensureTestImage(engine.docker);
  store = new SnapshotStore({ root, maxAgeMs: 3_600_000, budgetBytes: 10 * 1024 ** 3 });
  // No firewall rules: the engine is the test's own, its bridge is not the install's.
  network = new DockerSpaceNetwork({ docker: engine.docker, logger: silentLogger(), namePrefix: PREFIX, egress: { kind: 'all-unfiltered' } });
}, 20 * 60_000);

afterAll(async () => {
  await network?.teardown().catch(() => undefined);
  await engine?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runtime(): DockerRuntime {
  const snapshots = new DockerSnapshots({
    store,
    criu,
    runcRoot: path.join(engine.dir, 'exec/runtime-runc/moby'),
    logger: silentLogger(),
    onWake: (w) => wakes.push(w),
    sandboxes: new NetnsSandboxes({ docker: engine.docker, logger: silentLogger() }),
  });
  return new DockerRuntime({ docker: engine.docker, logger: silentLogger(), namePrefix: PREFIX, snapshots, network });
}

const spec = (space: SpaceId): InstanceSpec => ({
  space,
  release: 'r1' as ReleaseId,
  image: TEST_IMAGE,
  port: TEST_IMAGE_PORT,
  env: { PORT: String(TEST_IMAGE_PORT), SECRET_TOKEN: 'kept' },
  secretKeys: ['SECRET_TOKEN'],
  flavor: { name: 'cpu-basic', cpus: 1, memoryBytes: 256 * 1024 ** 2 },
});

function get(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/cgi-bin/env', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(5_000, () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

async function answers(rt: DockerRuntime, space: SpaceId): Promise<number> {
  return waitFor('the app answering', async () => {
    const [inst] = await rt.list(space);
    if (inst?.state.kind !== 'ready' || !inst.endpoint) return undefined;
    return (await get(inst.endpoint.port)) === 200 ? inst.endpoint.port : undefined;
  }, 60_000, 50);
}

async function sandboxes(space: SpaceId): Promise<{ Id: string; State: string }[]> {
  return engine.docker.listContainers({ all: true, filters: { label: [`spaceport.sandbox-of=${space}`] } });
}

async function app(space: SpaceId) {
  const [c] = await engine.docker.listContainers({ all: true, filters: { label: [`spaceport.space=${space}`] } });
  return engine.docker.getContainer(c!.Id).inspect();
}

describe('network sandboxes', () => {
  it("the app runs in its sandbox's namespace on the Space network; a sleep and a wake restore into it, same port; the sandbox goes with the Space", async () => {
    const space = toSpaceId('netns', 'restore');
    const rt = runtime();
    await rt.apply(spec(space));
    const port = await answers(rt, space);
    const [sandbox] = await sandboxes(space);
    expect(sandbox?.State).toBe('running');
    const info = await app(space);
    expect(info.HostConfig.NetworkMode).toBe(`container:${sandbox!.Id}`);
    const sandboxInfo = await engine.docker.getContainer(sandbox!.Id).inspect();
    expect(Object.keys(sandboxInfo.NetworkSettings.Networks)).toEqual([network.name]);
    expect(Number(sandboxInfo.NetworkSettings.Ports[`${TEST_IMAGE_PORT}/tcp`]?.[0]?.HostPort)).toBe(port);

    await rt.stop(space, 'r1' as ReleaseId, { sleep: true });
    expect((await sandboxes(space))[0]?.State).toBe('running');
    wakes.length = 0;
    await rt.apply(spec(space));
    expect(await answers(rt, space)).toBe(port);
    expect(wakes).toEqual([expect.objectContaining({ outcome: 'restored', space })]);

    await rt.remove(space);
    expect(await sandboxes(space)).toEqual([]);
    await rt.close();
  }, 5 * 60_000);

  it('a snapshot evicted while the Space sleeps: the wake starts the app cold in the same sandbox and answers on the same port', async () => {
    const space = toSpaceId('netns', 'evicted');
    const rt = runtime();
    await rt.apply(spec(space));
    const port = await answers(rt, space);
    await rt.stop(space, 'r1' as ReleaseId, { sleep: true });
    const [taken] = store.list().filter((m) => m.space === space);
    store.remove(taken!.container);
    wakes.length = 0;
    await rt.apply(spec(space));
    expect(await answers(rt, space)).toBe(port);
    expect(wakes).toEqual([{ outcome: 'cold', space, reason: 'missing' }]);
    await rt.remove(space);
    await rt.close();
  }, 5 * 60_000);

  it('the sandbox gone while the Space sleeps: the wake replaces the container (cold, a new sandbox) and answers', async () => {
    const space = toSpaceId('netns', 'lost');
    const rt = runtime();
    await rt.apply(spec(space));
    await answers(rt, space);
    await rt.stop(space, 'r1' as ReleaseId, { sleep: true });
    const [old] = await sandboxes(space);
    const oldApp = (await app(space)).Id;
    expect(store.list().filter((m) => m.space === space)).toHaveLength(1);
    await engine.docker.getContainer(old!.Id).remove({ force: true });

    wakes.length = 0;
    await rt.apply(spec(space));
    await answers(rt, space);
    const now = await sandboxes(space);
    expect(now).toHaveLength(1);
    expect(now[0]!.Id).not.toBe(old!.Id);
    expect((await app(space)).Id).not.toBe(oldApp);
    // The old container went with its snapshot; the new one woke cold.
    expect(store.list().filter((m) => m.space === space)).toEqual([]);
    expect(wakes).toEqual([]);

    await rt.remove(space);
    expect(await sandboxes(space)).toEqual([]);
    await rt.close();
  }, 5 * 60_000);
});
