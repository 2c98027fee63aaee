import { afterAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import type { LogSink } from '../../core/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

/** Base images are prepared in the background when Spaceport starts, not at the first push (issue 10). */
class PreparingBuilder extends FakeImageBuilder {
  readonly prepared: string[][] = [];
  // Not `release`: that is FakeImageBuilder's own (it lets held builds finish).
  finishPreparing!: () => void;
  readonly done = new Promise<void>((r) => (this.finishPreparing = r));
  async ensureBaseImages(images: string[], log: LogSink): Promise<void> {
    this.prepared.push(images);
    log.write(`Checking base image ${images[0]} ...\n`);
    await this.done;
  }
}

describe('base images at start', () => {
  let h: Harness | undefined;
  afterAll(async () => h?.close());

  it('starts preparing them in the background: Spaceport answers before they are ready', async () => {
    const builder = new PreparingBuilder();
    h = await startHarness(
      (config) => ({ runtime: new FakeRuntime(), builder, plan: planFromBuilder(config), baseImages: ['spaceport/python:3.11', 'spaceport/node:20'] }),
      { SPACEPORT_PREPARE_BASE_IMAGES: 'true' },
    );
    expect(builder.prepared).toEqual([['spaceport/python:3.11', 'spaceport/node:20']]);
    expect((await h.api('GET', '/api/whoami-v2')).status).toBe(200);
    builder.finishPreparing();
  });

  it('can be turned off', async () => {
    const builder = new PreparingBuilder();
    const off = await startHarness((config) => ({ runtime: new FakeRuntime(), builder, plan: planFromBuilder(config), baseImages: ['x'] }), {
      SPACEPORT_PREPARE_BASE_IMAGES: 'false',
    });
    try {
      expect(builder.prepared).toEqual([]);
    } finally {
      await off.close();
    }
  });
});
