import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { SnapshotEngine, snapshotWakes } from '../support/snapshot-engine.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';
import { herdWakesOnce, ownerWakes, putToSleep, strangersCannotWake, waitForStage, websocketEchoes, type WakeTarget } from '../support/wake-cases.js';

/**
 * The wake suites with snapshots on (issue 21, "Done means"): the cases of test/e2e/sleep-wake.test.ts
 * and test/e2e/private-space.test.ts (shared in test/support/wake-cases.ts) against a Spaceport whose
 * Docker runtime restores sleeping Spaces from memory snapshots — on an engine of the test's own with
 * the restoring runtime registered as `make up` does (test/support/snapshot-engine.ts). Every wake
 * here must be a restore (`spaceport_snapshot_wakes_total{outcome="restored"}` moves by one, no cold
 * wake) and still keep the suites' promises: 100 held requests, one start, all answered; websockets;
 * a private Space restored only for someone who may read it.
 */
const RUN = randomBytes(3).toString('hex');
const INSTANCE = `snapsuite-${RUN}`;
const PUBLIC = `ws-${RUN}`;
const PRIVATE = `priv-${RUN}`;
const WS_APP = path.join(import.meta.dirname, '..', 'fixtures', 'ws-app');

let snap: SnapshotEngine;
let h: Harness;
let pub: WakeTarget;
let priv: WakeTarget;
let dave: string;

async function pushWsApp(space: string, token: string): Promise<void> {
  const work = await makeWorkTree(Object.fromEntries(['README.md', 'Dockerfile', 'app.py'].map((f) => [f, readFileSync(path.join(WS_APP, f))])));
  const push = await git(['push', '--force', pushUrl(h.port, space, token), 'main'], work);
  rmSync(work, { recursive: true, force: true });
  expect(push.code, push.stderr).toBe(0);
}

beforeAll(async () => {
  snap = await SnapshotEngine.start('snapsuite');
  await snap.loadImage('spaceport/python:3.11');
  h = await startHarness(snap.adapters(), { ...snap.env(), SPACEPORT_INSTANCE_NAME: INSTANCE });
  const alice = (await h.api('POST', '/api/users', { name: 'alice' })).json().token as string;
  dave = (await h.api('POST', '/api/users', { name: 'dave' })).json().token as string;
  expect((await h.api('POST', '/api/repos/create', { name: PUBLIC, type: 'space', sdk: 'docker' })).status).toBe(200);
  expect((await h.api('POST', '/api/repos/create', { name: PRIVATE, type: 'space', sdk: 'docker', private: true }, alice)).status).toBe(200);
  pub = { h, docker: snap.docker, space: `admin/${PUBLIC}`, subdomain: `admin-${PUBLIC}`, marker: `hello from admin/${PUBLIC}` };
  priv = { h, docker: snap.docker, space: `alice/${PRIVATE}`, subdomain: `alice-${PRIVATE}`, marker: `hello from alice/${PRIVATE}`, token: alice };
  await pushWsApp(pub.space, ADMIN_TOKEN);
  await pushWsApp(priv.space, alice);
  for (const t of [pub, priv]) {
    const rt = await waitForStage(t, ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR', 'CONFIG_ERROR'], 480_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
  }
}, 900_000);

afterAll(async () => {
  await h?.close();
  await snap?.destroy();
}, 180_000);

describe('the wake suites with snapshots on', () => {
  it('100 concurrent requests to the sleeping Space: one start, 100 of 100 answered, and the wake is a restore — twice (the second from a snapshot of the restored app)', async () => {
    for (let round = 1; round <= 2; round++) {
      await putToSleep(pub);
      const taken = await snap.snapshotOf(pub.space);
      const before = await snapshotWakes(h.port);
      await herdWakesOnce(pub, 100);
      const after = await snapshotWakes(h.port);
      expect({ round, restored: after.restored - before.restored, cold: after.cold }).toEqual({ round, restored: 1, cold: before.cold });
      // Spent: the next sleep takes a new one.
      expect(snap.hasFiles(taken.container)).toBe(false);
    }
    // The app runs in its network sandbox's namespace (SPACEPORT_SNAPSHOT_NETNS, on by default with
    // snapshots): the restores above went into it, with no network hook of their own.
    const [app] = await snap.docker.listContainers({ filters: { label: [`spaceport.space=${pub.space}`] } });
    expect(app?.HostConfig?.NetworkMode).toMatch(/^container:/);
  }, 300_000);

  it('a websocket handshake to the sleeping Space is held through the restore and echoes; one opened after the restore echoes too', async () => {
    await putToSleep(pub);
    await snap.snapshotOf(pub.space);
    const before = await snapshotWakes(h.port);
    await websocketEchoes(pub, 'held through the restore');
    await websocketEchoes(pub, 'opened after the restore');
    const after = await snapshotWakes(h.port);
    expect({ restored: after.restored - before.restored, cold: after.cold }).toEqual({ restored: 1, cold: before.cold });
  }, 180_000);

  it("a sleeping private Space: strangers get the 404 and restore nothing (the snapshot stays); its owner's request restores it", async () => {
    await putToSleep(priv);
    const taken = await snap.snapshotOf(priv.space);
    const before = await snapshotWakes(h.port);
    await strangersCannotWake(priv, [undefined, dave]);
    expect(snap.hasFiles(taken.container)).toBe(true);
    expect(await snapshotWakes(h.port)).toEqual(before);

    await ownerWakes(priv);
    const after = await snapshotWakes(h.port);
    expect({ restored: after.restored - before.restored, cold: after.cold }).toEqual({ restored: 1, cold: before.cold });
    await websocketEchoes(priv, 'the owner, after the restore');
  }, 180_000);
});
