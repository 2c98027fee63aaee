import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { waitFor } from '../support/http.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

// Two controller replicas on one PostgreSQL, as the chart runs them with controller.replicas: 2: one
// fake runtime (the cluster both see) and one data dir (the ReadWriteMany volume for git repos and
// LFS). Only the leader reconciles and builds; either serves the API; killing the leader's lock
// connection moves the work to the other within the lease.
const LEASE_MS = 5_000;

/** Reconcile passes this replica ran (its /metrics counter). */
async function passes(h: Harness): Promise<number> {
  const { body } = await h.sp.metrics.render();
  return Number(/^spaceport_reconcile_passes_total (\d+)/m.exec(body)?.[1] ?? 0);
}

describe('two controllers on one PostgreSQL', () => {
  let db: TestDatabase;
  let dataDir: string;
  const replicas: Harness[] = [];

  beforeAll(async () => {
    db = createTestDatabase('two_controllers');
    dataDir = mkdtempSync(path.join(tmpdir(), 'spaceport-replicas-'));
    const runtime = new FakeRuntime({ http: true });
    const builder = new FakeImageBuilder();
    const env = { SPACEPORT_DATABASE_URL: db.url, SPACEPORT_DATA_DIR: dataDir, SPACEPORT_LEADER_LEASE_MS: String(LEASE_MS), SPACEPORT_LEADER_RETRY_MS: '200' };
    for (let i = 0; i < 2; i++) replicas.push(await startHarness((config) => ({ runtime, builder, plan: planFromBuilder(config) }), env));
  });

  afterAll(async () => {
    for (const h of replicas) await h.sp.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    db?.drop();
  });

  const leaderAndFollower = async (): Promise<[Harness, Harness]> =>
    waitFor('one leader', async () => {
      const leaders = replicas.filter((h) => h.sp.leader.state.kind === 'leader');
      expect(leaders.length).toBeLessThanOrEqual(1);
      return leaders.length === 1 ? ([leaders[0]!, replicas.find((h) => h !== leaders[0])!] as [Harness, Harness]) : undefined;
    }, 10_000, 50);

  it('a Space created on the follower is built and run by the leader alone, and both answer for it', async () => {
    const [leader, follower] = await leaderAndFollower();
    const followerPasses = await passes(follower);
    const gauge = async (h: Harness) => /^spaceport_leader (\d)/m.exec((await h.sp.metrics.render()).body)?.[1];
    expect([await gauge(leader), await gauge(follower)]).toEqual(['1', '0']);
    const r = await follower.api('POST', '/api/repos/create', { name: 'demo', type: 'space', sdk: 'static' });
    expect(r.status).toBe(200);
    await leader.waitStage('admin/demo', ['RUNNING'], 30_000);
    // The follower answers with the same stage and serves the app (its Observer looks, never acts).
    await follower.waitStage('admin/demo', ['RUNNING'], 10_000);
    await waitFor('the app through the follower', async () => ((await follower.app('admin-demo')).status === 200 ? true : undefined), 10_000);
    // A restart asked of the follower reaches the leader (a kick through pending_kicks).
    const before = await passes(leader);
    expect((await follower.api('POST', '/api/spaces/admin/demo/restart')).status).toBe(200);
    await waitFor('a pass on the leader', async () => ((await passes(leader)) > before ? true : undefined), 10_000, 50);
    await leader.waitStage('admin/demo', ['RUNNING'], 30_000);
    expect(await passes(follower)).toBe(followerPasses);
    expect((await follower.api('GET', '/api/spaces/admin/demo')).status).toBe(200);
  });

  it('killing the leader: the API keeps answering, and the other replica leads and reconciles within the lease', async () => {
    const [leader, follower] = await leaderAndFollower();
    const followerPasses = await passes(follower);
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const killedAt = Date.now();
    try {
      // The leader's lock connection dies (as when its pod is killed): the lock is free at once.
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = 7263002 AND granted`);
    } finally {
      await admin.end();
    }
    expect((await follower.api('GET', '/api/spaces/admin/demo')).status).toBe(200);
    const newLeader = await waitFor('a new leader', async () => replicas.find((h) => h.sp.leader.state.kind === 'leader' && (h !== leader || h.sp.leader.state.term > 1)), LEASE_MS, 20);
    expect(Date.now() - killedAt).toBeLessThan(LEASE_MS);
    // Whichever leads now reconciles; a restart through the other reaches it.
    const other = replicas.find((h) => h !== newLeader)!;
    const before = await passes(newLeader);
    expect((await other.api('POST', '/api/spaces/admin/demo/restart')).status).toBe(200);
    await waitFor('a pass on the new leader', async () => ((await passes(newLeader)) > before ? true : undefined), 10_000, 50);
    if (newLeader === follower) expect(await passes(follower)).toBeGreaterThan(followerPasses);
    await newLeader.waitStage('admin/demo', ['RUNNING'], 30_000);
    await waitFor('the app through the replica that does not lead', async () => ((await other.app('admin-demo')).status === 200 ? true : undefined), 10_000);
  });

  it("a private Space is as missing on the follower as on the leader, to another user and to anonymous callers, for reads, a restart and its app", async () => {
    const [leader, follower] = await leaderAndFollower();
    expect((await follower.api('POST', '/api/repos/create', { name: 'secret', type: 'space', sdk: 'static', private: true })).status).toBe(200);
    await leader.waitStage('admin/secret', ['RUNNING'], 30_000);
    const mallory = (await follower.api('POST', '/api/users', { name: 'mallory' })).json().token as string;
    const answer = (r: { status: number; json(): unknown }) => ({ status: r.status, error: (r.json() as { error?: string }).error?.replace(/admin\/[\w.-]+/g, 'admin/<name>') });
    for (const h of [follower, leader]) {
      for (const token of [mallory, null]) {
        for (const [method, p] of [['GET', '/api/spaces/admin/NAME'], ['GET', '/api/spaces/admin/NAME/runtime'], ['POST', '/api/spaces/admin/NAME/restart']] as const) {
          const secret = await h.api(method, p.replace('NAME', 'secret'), undefined, token);
          const missing = await h.api(method, p.replace('NAME', 'nothing-here'), undefined, token);
          expect(secret.status).toBeGreaterThanOrEqual(400);
          expect(answer(secret)).toEqual(answer(missing));
        }
      }
      expect((await h.app('admin-secret')).status).toBe(404);
    }
  });

  it('a Space deleted through either replica stops being served by the other (the follower at its next sweep, the leader at once)', async () => {
    const [leader, follower] = await leaderAndFollower();
    await waitFor('the app through the follower', async () => ((await follower.app('admin-demo')).status === 200 ? true : undefined), 10_000);
    expect((await leader.api('DELETE', '/api/repos/delete', { type: 'space', name: 'demo' })).status).toBe(200);
    await waitFor('no app through the follower', async () => ((await follower.app('admin-demo')).status === 404 ? true : undefined), 12_000, 100);
    // And the other way: deleted through the follower, the leader stops serving it at once (a kick).
    expect((await leader.api('POST', '/api/repos/create', { name: 'two', type: 'space', sdk: 'static' })).status).toBe(200);
    await waitFor('the app through the leader', async () => ((await leader.app('admin-two')).status === 200 ? true : undefined), 30_000);
    expect((await follower.api('DELETE', '/api/repos/delete', { type: 'space', name: 'two' })).status).toBe(200);
    await waitFor('no app through the leader', async () => ((await leader.app('admin-two')).status === 404 ? true : undefined), 3_000, 50);
  });
});
