// Housekeeping on the real engine: old release images go (the newest few per Space stay, and always
// the serving and the target one, and any image a container still uses); build logs past the last
// few per Space go; the BuildKit cache prune call works. Only this test's own images are touched
// (a unique repository prefix), never another install's.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, toSpaceId } from '../../core/index.js';
import { BuildLogs } from '../../controller/builds/index.js';
import { HousekeepingTask } from '../../controller/gc/index.js';
import { DockerHousekeeping } from '../../controller/runtime/docker/docker-housekeeping.js';
import { SecretBox, SqliteStore, writeStatus } from '../../controller/store/index.js';
import { ensureTestImage } from '../support/test-image.js';

const docker = new Dockerode();
const run = randomBytes(3).toString('hex');
const repo = `sptest-gc-${run}/alice-demo`;
const ref = (v: string): string => `${repo}:${v}`;

async function exists(image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch {
    return false;
  }
}

describe('garbage collection with the real engine', () => {
  let dataDir: string;
  let store: SqliteStore;
  let logs: BuildLogs;
  let holder: Dockerode.Container | undefined;
  let seed: Dockerode.Container | undefined;
  const versions = ['v1', 'v2', 'v3', 'v4', 'v5', 'v6'];
  const buildIds: string[] = [];

  beforeAll(async () => {
    const base = await ensureTestImage(docker);
    // Distinct images (distinct ids), as real releases are: one commit per version.
    seed = await docker.createContainer({ Image: base, name: `sptest-gc-seed-${run}`, Labels: { 'sptest.gc': run } });
    for (const v of [...versions, 'other']) {
      await seed.commit({ repo, tag: v, changes: [`LABEL sptest.gc.version=${v}`] });
    }
    dataDir = mkdtempSync(path.join(tmpdir(), 'spaceport-gc-'));
    store = new SqliteStore({ file: path.join(dataDir, 'spaceport.db'), secrets: SecretBox.fromDataDir(dataDir) });
    logs = new BuildLogs(dataDir);
    const space = store.createSpace({ id: toSpaceId('alice', `gc-${run}`), sdk: 'docker', visibility: 'public', hardware: 'cpu-basic' });
    const releases: Record<string, string> = {};
    for (const v of versions) {
      const b = store.addBuild({ spaceUid: space.uid, commit: v.padEnd(40, '0'), tree: v.padEnd(40, '1'), noCache: false });
      store.setBuildState(b.id, { status: 'running' });
      store.setBuildState(b.id, { status: 'succeeded', image: ref(v) });
      buildIds.push(b.id);
      const sink = logs.open(b.id, []);
      sink.write(`build ${v}\n`);
      sink.end();
      releases[v] = store.addRelease({ spaceUid: space.uid, buildId: b.id, commit: v, image: ref(v), port: 7860, config: {} }).id;
    }
    // v2 still serves (an old release, e.g. while v6 starts); v6 is the target.
    writeStatus(store, space.uid, () => ({ servingRelease: releases.v2 as never, targetRelease: releases.v6 as never }));
    // A container still made from v1 (a stopped one counts too).
    holder = await docker.createContainer({ Image: ref('v1'), name: `sptest-gc-holder-${run}`, Labels: { 'sptest.gc': run } });
    // The logs were written long ago (newer ones are spared, a build may be writing them).
    await new Promise((r) => setTimeout(r, 100));
    for (const id of buildIds) utimesSync(path.join(dataDir, 'logs', 'builds', `${id}.jsonl`), new Date(0), new Date(0));
  });

  afterAll(async () => {
    await holder?.remove({ force: true }).catch(() => undefined);
    await seed?.remove({ force: true }).catch(() => undefined);
    for (const v of [...versions, 'other']) await docker.getImage(ref(v)).remove({ force: true }).catch(() => undefined);
    store?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the newest per Space, the serving and target images and one in use; removes the rest', async () => {
    const task = new HousekeepingTask({
      store,
      buildLogs: logs,
      housekeeper: new DockerHousekeeping(docker),
      logger: silentLogger(),
      intervalSeconds: 0,
      keepImagesPerSpace: 2,
      keepBuildLogs: 3,
    });
    const report = await task.runOnce();
    expect(report.imagesRemoved.sort()).toEqual([ref('v3'), ref('v4')]);
    expect(report.imagesInUse).toEqual([ref('v1')]);
    const left = Object.fromEntries(await Promise.all([...versions, 'other'].map(async (v) => [v, await exists(ref(v))] as const)));
    expect(left).toEqual({ v1: true, v2: true, v3: false, v4: false, v5: true, v6: true, other: true });
    // Build logs: the newest three builds keep theirs.
    expect(report.buildLogsRemoved).toBe(3);
    for (const [i, id] of buildIds.entries()) {
      expect(existsSync(path.join(dataDir, 'logs', 'builds', `${id}.jsonl`)), `log of build ${i + 1}`).toBe(i >= 3);
    }
    // A second run finds nothing more to do.
    const again = await task.runOnce();
    expect(again.imagesRemoved).toEqual([]);
    expect(again.buildLogsRemoved).toBe(0);
  });

  it('prunes the build cache down to a cap (a cap above what exists removes nothing of anyone)', async () => {
    const reclaimed = await new DockerHousekeeping(docker).pruneBuildCache(2 ** 50);
    expect(reclaimed).toBeGreaterThanOrEqual(0);
  });
});
