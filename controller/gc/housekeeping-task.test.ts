import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger, toSpaceId } from '../../core/index.js';
import { BuildLogs } from '../builds/index.js';
import { SecretBox, SqliteStore } from '../store/index.js';
import type { Housekeeper } from './housekeeper.js';
import { HousekeepingTask } from './housekeeping-task.js';

/** A housekeeper holding images by reference, each labelled with an install and a Space uid. */
class FakeHousekeeper implements Housekeeper {
  readonly images = new Map<string, { instance: string; spaceUid: string }>();
  async removeImage(ref: string): Promise<'removed' | 'missing'> {
    return this.images.delete(ref) ? 'removed' : 'missing';
  }
  async pruneBuildCache(): Promise<number> {
    return 0;
  }
  async listSpaceImages(instance: string): Promise<{ ref: string; spaceUid: string }[]> {
    return [...this.images].filter(([, i]) => i.instance === instance).map(([ref, i]) => ({ ref, spaceUid: i.spaceUid }));
  }
}

describe('HousekeepingTask: images of deleted Spaces (issue 15)', () => {
  let dir: string;
  let store: SqliteStore;
  const house = new FakeHousekeeper();
  const task = (instance: string) =>
    new HousekeepingTask({ store, buildLogs: new BuildLogs(dir), housekeeper: house, logger: silentLogger(), intervalSeconds: 0, keepImagesPerSpace: 2, keepBuildLogs: 3, instance });

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'spaceport-gc-unit-'));
    store = new SqliteStore({ file: ':memory:', secrets: SecretBox.ephemeral() });
    house.images.clear();
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes this install\'s images of Spaces that no longer exist; keeps live ones, ones a live Space reuses, and other installs\'', async () => {
    const live = store.createSpace({ id: toSpaceId('alice', 'live'), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
    const b = store.addBuild({ spaceUid: live.uid, commit: 'c'.repeat(40), tree: 't'.repeat(40), noCache: false });
    store.setBuildState(b.id, { status: 'running' });
    // The live Space reuses an image first built for a deleted Space of the same name.
    store.setBuildState(b.id, { status: 'succeeded', image: 'spaceport/alice-live:mine-reused' });
    house.images.set('spaceport/alice-live:mine-1', { instance: 'mine', spaceUid: live.uid });
    house.images.set('spaceport/alice-live:mine-reused', { instance: 'mine', spaceUid: 'deleted-uid-0' });
    house.images.set('spaceport/alice-gone:mine-1', { instance: 'mine', spaceUid: 'deleted-uid-1' });
    house.images.set('spaceport/alice-gone:theirs-1', { instance: 'theirs', spaceUid: 'deleted-uid-1' });
    const report = await task('mine').runOnce();
    expect(report.imagesRemoved).toEqual(['spaceport/alice-gone:mine-1']);
    expect([...house.images.keys()].sort()).toEqual(['spaceport/alice-gone:theirs-1', 'spaceport/alice-live:mine-1', 'spaceport/alice-live:mine-reused']);
  });
});
