import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * A push killed mid-pack leaves git's quarantine directory (`objects/tmp_objdir-incoming-*`) in the
 * repo; Spaceport removes such leftovers at start (issue 15). Stock `git receive-pack`, killed with
 * SIGKILL while it waits for the rest of a pack.
 */
const pkt = (s: string) => `${(s.length + 4).toString(16).padStart(4, '0')}${s}`;

async function quarantines(gitDir: string): Promise<string[]> {
  return (await fs.readdir(path.join(gitDir, 'objects'))).filter((e) => e.startsWith('tmp_objdir-incoming-'));
}

describe('objects of interrupted pushes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    expect((await h.api('POST', '/api/repos/create', { name: 'pub', type: 'space', sdk: 'static' })).status).toBe(200);
  });
  afterAll(async () => h?.close());

  it('are removed when Spaceport starts', async () => {
    const gitDir = path.join(h.dataDir, 'repos', 'admin', 'pub.git');
    const child = spawn('git', ['receive-pack', gitDir], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    const exited = new Promise<void>((r) => child.on('close', () => r()));
    // One ref update, then the start of a pack that promises an object it never sends.
    child.stdin.write(pkt(`${'0'.repeat(40)} ${'1'.repeat(40)} refs/heads/main\0report-status\n`) + '0000');
    child.stdin.write(Buffer.from([0x50, 0x41, 0x43, 0x4b, 0, 0, 0, 2, 0, 0, 0, 1]));
    let found: string[] = [];
    for (let i = 0; i < 400 && found.length === 0; i++) {
      found = await quarantines(gitDir);
      if (found.length === 0) await new Promise((r) => setTimeout(r, 25));
    }
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    expect(found).toHaveLength(1);
    expect(await quarantines(gitDir)).toEqual(found);

    await h.restart();
    expect(await quarantines(gitDir)).toEqual([]);
    // The repo is whole: the API still commits to it.
    const body = [{ key: 'header', value: { summary: 'after' } }, { key: 'file', value: { path: 'README.md', content: Buffer.from('---\nsdk: static\n---\n').toString('base64') } }]
      .map((l) => JSON.stringify(l))
      .join('\n');
    expect((await h.api('POST', '/api/spaces/admin/pub/commit/main', body, undefined)).status).toBe(200);
  });
});
