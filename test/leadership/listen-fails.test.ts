import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { silentLogger, testConfig } from '../../core/index.js';
import { planFromBuilder } from '../../controller/builds/index.js';
import { startSpaceport } from '../../controller/main.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';

// The leader-only work waits for the port before its first sweep (routes name it): when the port
// cannot be opened, the start must still fail and stop everything, not wait for a port forever
// (found while wiring leadership: close() waited on a start that waited on the port).
it('a port already taken: the start fails at once instead of hanging', async () => {
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const port = (taken.address() as { port: number }).port;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'spaceport-listen-fails-'));
  try {
    const config = testConfig({ SPACEPORT_PORT: String(port), SPACEPORT_HOST: '127.0.0.1', SPACEPORT_DATA_DIR: dataDir, SPACEPORT_PREPARE_BASE_IMAGES: 'false' });
    const started = startSpaceport(config, silentLogger(), { runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) });
    const pending = new Promise((_, reject) => setTimeout(() => reject(new Error('start still pending after 10 s')), 10_000).unref());
    await expect(Promise.race([started, pending])).rejects.toThrow(/already in use/);
  } finally {
    taken.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
