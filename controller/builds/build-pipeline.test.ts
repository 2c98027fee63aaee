import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger, testConfig, toSpaceId } from '../../core/index.js';
import { FakeGitRepos } from '../git/testing/fake-git-repos.js';
import { SecretBox, SqliteStore, type SpaceRecord } from '../store/index.js';
import { FakeImageBuilder } from '../../test/support/fake-image-builder.js';
import { BuildLogs } from './build-logs.js';
import { BuildPipeline } from './build-pipeline.js';
import { planFromBuilder } from './plan-from-builder.js';

/** A build that hangs (issue 10): stopped by the build timeout, or cancelled by a new push or a restart. */
describe('BuildPipeline and a build that hangs', () => {
  let dir: string;
  let store: SqliteStore;
  let repos: FakeGitRepos;
  let builder: FakeImageBuilder;
  let space: SpaceRecord;
  const pipelines: BuildPipeline[] = [];

  const pipeline = (timeoutMs?: number, drainLimitMs?: number): BuildPipeline => {
    const p = new BuildPipeline({
      store,
      repos,
      builder,
      plan: planFromBuilder(testConfig()),
      logs: new BuildLogs(dir),
      logger: silentLogger(),
      concurrency: 2,
      onBuilt: () => undefined,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(drainLimitMs === undefined ? {} : { drainLimitMs }),
    });
    pipelines.push(p);
    return p;
  };
  const push = (marker: string) => repos.commit(space.id, { 'README.md': '---\nsdk: static\n---\n', 'index.html': `<p>${marker}</p>` });

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'spaceport-pipeline-'));
    store = new SqliteStore({ file: ':memory:', secrets: SecretBox.ephemeral() });
    repos = new FakeGitRepos();
    builder = new FakeImageBuilder();
    builder.hold = true; // every build hangs until released
    space = store.createSpace({ id: toSpaceId('alice', 'hang'), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
    await repos.create(space.id);
  });

  afterEach(async () => {
    builder.hold = false;
    builder.release();
    for (const p of pipelines.splice(0)) await p.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops a build past the timeout: BUILD_ERROR naming the setting, and the slot is free again', async () => {
    const p = pipeline(300, 200);
    await push('v1');
    const build = (await p.enqueue(space.uid))!;
    await p.idle();
    const done = store.listBuilds(space.uid, 10).find((b) => b.id === build.id)!;
    expect(done).toMatchObject({ status: 'failed', failure: 'BUILD_ERROR', message: expect.stringContaining('SPACEPORT_BUILD_TIMEOUT_SECONDS') });
    builder.hold = false;
    await push('v2');
    await p.enqueue(space.uid);
    await p.idle();
    expect(store.latestBuild(space.uid)?.status).toBe('succeeded');
  });

  it('a new push cancels a hung build and builds the new head', async () => {
    const p = pipeline();
    await push('v1');
    const first = (await p.enqueue(space.uid))!;
    await new Promise((r) => setTimeout(r, 50));
    expect(store.latestBuild(space.uid)?.status).toBe('running');
    await push('v2');
    const second = (await p.enqueue(space.uid))!;
    builder.hold = false;
    builder.release();
    await p.idle();
    const builds = store.listBuilds(space.uid, 10);
    expect(builds.find((b) => b.id === first.id)).toMatchObject({ status: 'failed', message: expect.stringContaining('Superseded') });
    expect(builds.find((b) => b.id === second.id)?.status).toBe('succeeded');
  });

  it('keeps a stopped build\'s context directory until its builder lets go of it (issue 15: the process died on one race)', async () => {
    const dirs: string[] = [];
    const build = builder.build.bind(builder);
    builder.build = (req, log, signal) => {
      dirs.push(req.contextDir);
      return build(req, log, signal);
    };
    const p = pipeline();
    await push('v1');
    const first = (await p.enqueue(space.uid))!;
    await vi.waitFor(() => expect(dirs).toHaveLength(1));
    await push('v2');
    await p.enqueue(space.uid);
    await vi.waitFor(() => expect(store.listBuilds(space.uid, 10).find((b) => b.id === first.id)?.status).toBe('failed'));
    // The superseded build no longer holds the slot, but its builder still reads the directory.
    expect(existsSync(dirs[0]!)).toBe(true);
    builder.hold = false;
    builder.release();
    await p.idle();
    await p.close();
    expect(dirs.filter((d) => existsSync(d))).toEqual([]);
  });

  it('a restart (forced build of the same head) cancels a hung build, waiting for the engine only up to the drain limit', async () => {
    const p = pipeline(undefined, 200);
    await push('v1');
    const first = (await p.enqueue(space.uid))!;
    await new Promise((r) => setTimeout(r, 50));
    builder.hold = false; // the new build does not hang; the first stays stuck
    const second = (await p.enqueue(space.uid, { force: true }))!;
    await p.idle();
    const builds = store.listBuilds(space.uid, 10);
    expect(builds.find((b) => b.id === first.id)?.status).toBe('failed');
    expect(builds.find((b) => b.id === second.id)?.status).toBe('succeeded');
  });

  it('a stop with builds queued behind the running ones returns, leaving them queued (found by the state property test: close() waited for the queue to drain)', async () => {
    const p = pipeline(); // two at a time
    const others = await Promise.all(
      ['two', 'three'].map(async (name) => {
        const s = store.createSpace({ id: toSpaceId('alice', name), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
        await repos.create(s.id);
        await repos.commit(s.id, { 'README.md': '---\nsdk: static\n---\n', 'index.html': `<p>${name}</p>` });
        return s;
      }),
    );
    await push('v1');
    await p.enqueue(space.uid);
    await p.enqueue(others[0]!.uid);
    const queued = (await p.enqueue(others[1]!.uid))!;
    await vi.waitFor(() => expect(store.latestBuild(others[0]!.uid)?.status).toBe('running'));
    const closing = p.close();
    builder.hold = false;
    builder.release();
    await closing;
    expect(store.getBuild(queued.id)?.status).toBe('queued');
    expect(store.unfinishedBuilds().map((b) => b.id)).toContain(queued.id);
  });

  it('builds again after resume() (a replica that leads again), dropping the queue of the term it lost to rebuildInterrupted', async () => {
    const p = pipeline();
    await push('v1');
    await p.enqueue(space.uid);
    await new Promise((r) => setTimeout(r, 50));
    const closing = p.close();
    builder.hold = false;
    builder.release();
    await closing;
    // Closed: a build queued now stays queued.
    await push('v2');
    const idle = (await p.enqueue(space.uid, { force: true }))!;
    await new Promise((r) => setTimeout(r, 50));
    expect(store.getBuild(idle.id)?.status).toBe('queued');
    p.resume();
    await push('v3');
    const next = (await p.enqueue(space.uid, { force: true }))!;
    await p.idle();
    expect(store.getBuild(next.id)?.status).toBe('succeeded');
  });

  it('a stop (SIGTERM: a pod deleted, an upgrade, a drain) leaves the running build unfinished, not failed, so the next start builds it again', async () => {
    const p = pipeline();
    await push('v1');
    const build = (await p.enqueue(space.uid))!;
    await new Promise((r) => setTimeout(r, 50));
    expect(store.latestBuild(space.uid)?.status).toBe('running');
    const closing = p.close();
    // close() waits until the builder lets go of the build's context (this fake ignores the abort until released).
    builder.hold = false;
    builder.release();
    await closing;
    expect(store.listBuilds(space.uid, 10).find((b) => b.id === build.id)?.status).toBe('running');
    expect(store.unfinishedBuilds().map((b) => b.id)).toContain(build.id);
  });

  it('one engine build per Space: the next build starts once the engine has ended the one it superseded (issue 15: a storm of pushes hung BuildKit)', async () => {
    let inEngine = 0;
    let most = 0;
    const build = builder.build.bind(builder);
    builder.build = async (req, log, signal) => {
      most = Math.max(most, ++inEngine);
      try {
        return await build(req, log, signal);
      } finally {
        inEngine--;
      }
    };
    const p = pipeline();
    await push('v1');
    const first = (await p.enqueue(space.uid))!;
    await vi.waitFor(() => expect(inEngine).toBe(1));
    // Pushes while the engine still holds the first (stopped) build: none of them reaches the engine.
    for (const v of ['v2', 'v3', 'v4']) {
      await push(v);
      await p.enqueue(space.uid);
    }
    await vi.waitFor(() => expect(store.listBuilds(space.uid, 10).find((b) => b.id === first.id)?.status).toBe('failed'));
    await new Promise((r) => setTimeout(r, 100));
    expect(inEngine).toBe(1);
    builder.hold = false;
    builder.release();
    await p.idle();
    expect(most).toBe(1);
    const builds = store.listBuilds(space.uid, 10);
    expect(builds[0]?.status).toBe('succeeded');
    expect(builds.filter((b) => b.status === 'succeeded')).toHaveLength(1);
  });
});
