import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSpaceId } from '../../core/index.js';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { commitFiles, git, gitOk, makeWorkTree, pushUrl } from '../support/git-client.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * A process killed during a push can leave the new refs in the repo without the build a push
 * queues (the kill landed after git wrote the refs, before Spaceport saw the push end). The push
 * journal it leaves makes the next start build that head. Here the refs land behind Spaceport's
 * back (a direct push into the bare repo) and a journal entry is left as a killed process would.
 */
describe('a push a killed process never finished', () => {
  let h: Harness;
  let work: string;
  const builder = new FakeImageBuilder();

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime({ http: true }), builder, plan: planFromBuilder(config) }));
    expect((await h.api('POST', '/api/repos/create', { name: 'journal', type: 'space', sdk: 'static' })).status).toBe(200);
    work = await makeWorkTree({ 'README.md': '---\nsdk: static\n---\n', 'index.html': '<p>v1</p>' });
    expect((await git(['push', '--force', pushUrl(h.port, 'admin/journal', ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    await h.waitStage('admin/journal', ['RUNNING'], 60_000);
  });

  afterAll(async () => {
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('is built on the next start', async () => {
    const space = h.sp.store.getSpace(toSpaceId('admin', 'journal'))!;
    const commit = await commitFiles(work, { 'index.html': '<p>v2</p>' }, 'v2');
    await gitOk(['push', '--force', path.join(h.dataDir, 'repos', 'admin', 'journal.git'), 'main'], work);
    await h.sp.pipeline.idle();
    expect(h.sp.store.latestBuild(space.uid)?.commit).not.toBe(commit);
    mkdirSync(path.join(h.dataDir, 'pushes'), { recursive: true });
    writeFileSync(path.join(h.dataDir, 'pushes', `${space.uid}.99999.1`), '');
    await h.restart();
    await h.sp.pipeline.idle();
    expect(h.sp.store.latestBuild(space.uid)).toMatchObject({ commit, status: 'succeeded' });
  });
});
