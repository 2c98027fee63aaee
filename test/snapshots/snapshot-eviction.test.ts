import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, toSpaceId, type ReleaseId } from '../../core/index.js';
import { DockerRuntime, DockerSnapshots, SnapshotStore } from '../../controller/runtime/index.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, waitFor } from '../support/http.js';
import { SnapshotEngine, snapshotWakes } from '../support/snapshot-engine.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';
import { TEST_IMAGE, TEST_IMAGE_PORT } from '../support/test-image.js';
import { putToSleep, type WakeTarget } from '../support/wake-cases.js';

/**
 * The snapshot disk budget and settings changes, forced on a real engine with the restoring runtime
 * (test/support/snapshot-engine.ts), through the whole Spaceport (issue 21, "Snapshots are secrets"):
 * - `SPACEPORT_SNAPSHOT_BUDGET` smaller than two snapshots: sleeping a second Space evicts the oldest
 *   snapshot (its files gone); the evicted Space wakes cold and answers, the other restores.
 * - A changed variable or secret deletes a sleeping Space's snapshot at the change (it holds the old
 *   values), not at its next wake; that wake is cold and the app has the new value.
 */
const RUN = randomBytes(3).toString('hex');
const INSTANCE = `snapevict-${RUN}`;
const README = `---\nsdk: docker\napp_port: ${TEST_IMAGE_PORT}\n---\n`;
const DOCKERFILE = `FROM ${TEST_IMAGE}\nCMD ["/app/start.sh"]\n`;
const MARKER = 'spaceport test app';

let snap: SnapshotEngine;
let h: Harness;
let a: WakeTarget;
let b: WakeTarget;
let oneSnapshot = 0;

/** The size of one snapshot of the test app on this host: dumped once through the runtime, outside Spaceport. */
async function probeSnapshotBytes(): Promise<number> {
  const root = path.join(snap.dataDir, 'probe');
  const store = new SnapshotStore({ root, maxAgeMs: 3_600_000, budgetBytes: 1024 ** 3 });
  const runtime = new DockerRuntime({
    docker: snap.docker,
    logger: silentLogger(),
    namePrefix: `${INSTANCE}-probe`,
    snapshots: new DockerSnapshots({ store, criu: snap.criu, runcRoot: path.join(snap.engine.dir, 'exec/runtime-runc/moby'), logger: silentLogger() }),
  });
  const space = toSpaceId('probe', 'size');
  try {
    await runtime.apply({ space, release: 'r1' as ReleaseId, image: TEST_IMAGE, port: TEST_IMAGE_PORT, env: { PORT: String(TEST_IMAGE_PORT), SPACE_ID: 'admin/probe-size' }, flavor: { name: 'cpu-basic', cpus: 1, memoryBytes: 256 * 1024 ** 2 } });
    await waitFor('the probe answering', async () => ((await runtime.list(space))[0]?.state.kind === 'ready' ? true : undefined), 60_000, 50);
    await runtime.stop(space, 'r1' as ReleaseId, { sleep: true });
    const bytes = store.list()[0]?.bytes ?? 0;
    expect(bytes).toBeGreaterThan(0);
    return bytes;
  } finally {
    await runtime.remove(space);
    await runtime.close();
    rmSync(root, { recursive: true, force: true });
  }
}

async function createSpace(name: string): Promise<WakeTarget> {
  expect((await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'docker' })).status).toBe(200);
  const work = await makeWorkTree({ 'README.md': README, Dockerfile: DOCKERFILE });
  const push = await git(['push', '--force', pushUrl(h.port, `admin/${name}`, ADMIN_TOKEN), 'main'], work);
  rmSync(work, { recursive: true, force: true });
  expect(push.code, push.stderr).toBe(0);
  return { h, docker: snap.docker, space: `admin/${name}`, subdomain: `admin-${name}`, marker: MARKER };
}

/** A non-browser visit: held while the Space wakes, answered by the app. */
async function visit(t: WakeTarget, urlPath = '/'): Promise<string> {
  const r = await request({ port: h.port, path: urlPath, host: `${t.subdomain}.localhost:${h.port}`, timeoutMs: 120_000 });
  expect(r.status).toBe(200);
  return r.body;
}

const snapshotsOf = (t: WakeTarget) => snap.snapshots().filter((m) => m.space === t.space);

beforeAll(async () => {
  snap = await SnapshotEngine.start('snapevict');
  oneSnapshot = await probeSnapshotBytes();
  // Room for one snapshot of the test app, not for two.
  h = await startHarness(snap.adapters(), { ...snap.env(), SPACEPORT_INSTANCE_NAME: INSTANCE, SPACEPORT_SNAPSHOT_BUDGET: String(Math.floor(oneSnapshot * 1.5)) });
  a = await createSpace(`evict-a-${RUN}`);
  b = await createSpace(`evict-b-${RUN}`);
  for (const t of [a, b]) {
    const rt = await h.waitStage(t.space, ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR', 'CONFIG_ERROR'], 480_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
  }
}, 900_000);

afterAll(async () => {
  await h?.close();
  await snap?.destroy();
}, 180_000);

describe('snapshot eviction and settings changes on the engine', () => {
  it('a budget under two snapshots: sleeping a second Space evicts the oldest snapshot (files gone); the evicted Space wakes cold and answers, the other restores', async () => {
    await putToSleep(a);
    const snapA = await snap.snapshotOf(a.space);
    expect(snap.hasFiles(snapA.container)).toBe(true);

    await putToSleep(b);
    await snap.snapshotOf(b.space);
    expect(snap.hasFiles(snapA.container)).toBe(false);
    expect(snapshotsOf(a)).toEqual([]);
    expect(snap.logged('snapshot taken').filter((l) => l.space === b.space).at(-1)).toMatchObject({ evicted: 1 });

    const before = await snapshotWakes(h.port);
    expect(await visit(a)).toContain(MARKER);
    const afterA = await snapshotWakes(h.port);
    expect(afterA.restored).toBe(before.restored);
    expect((afterA.cold.missing ?? 0) - (before.cold.missing ?? 0)).toBe(1);

    expect(await visit(b)).toContain(MARKER);
    expect((await snapshotWakes(h.port)).restored - before.restored).toBe(1);
  }, 300_000);

  it('a changed secret or variable deletes the sleeping Space\'s snapshot at the change; the next wake is cold and the app has the new value', async () => {
    for (const [kind, key, value] of [['secrets', 'MY_SECRET', 'rotated-once'], ['variables', 'MY_VARIABLE', 'changed-once']] as const) {
      await putToSleep(b);
      const taken = await snap.snapshotOf(b.space);
      const before = await snapshotWakes(h.port);

      const r = await h.api('POST', `/api/spaces/${b.space}/${kind}`, { key, value });
      expect(r.status, r.body).toBe(200);
      // At the change: the Space still sleeps, its snapshot (with the old values) is gone.
      expect(snap.hasFiles(taken.container)).toBe(false);
      expect(snapshotsOf(b)).toEqual([]);
      expect((await h.stage(b.space)).stage).toBe('SLEEPING');

      // The wake: nothing restored (the release that served before may answer first, started cold
      // from its container as any redeploy's old release does, until the new one is ready).
      expect(await visit(b)).toContain(MARKER);
      expect((await snapshotWakes(h.port)).restored).toBe(before.restored);
      await waitFor(`the app with ${key}`, async () => {
        const env = await request({ port: h.port, path: '/cgi-bin/env', host: `${b.subdomain}.localhost:${h.port}`, timeoutMs: 30_000 }).catch(() => undefined);
        return env?.status === 200 && env.body.includes(`${key}=${value}`) ? true : undefined;
      }, 120_000, 250);
      expect((await snapshotWakes(h.port)).restored).toBe(before.restored);
    }
  }, 300_000);
});
