import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { isSpaceportError } from '../../core/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { startHarness } from '../support/spaceport-harness.js';

/** A port in use is an error naming the port and the setting, not an uncaught EADDRINUSE stack (issue 10). */
describe('a port already in use', () => {
  let busy: http.Server;
  let port: number;
  const dirs: string[] = [];
  beforeAll(async () => {
    busy = http.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    port = (busy.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => busy.close(() => r()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('startSpaceport rejects with PortInUse naming the port and SPACEPORT_PORT', async () => {
    const err = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), {
      SPACEPORT_PORT: String(port),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSpaceportError(err, 'PortInUse')).toBe(true);
    expect((err as Error).message).toBe(`Port ${port} on 127.0.0.1 is already in use. Fix: stop what listens there, or choose another port with SPACEPORT_PORT (--port).`);
  });

  it('`spaceport up` exits 1 with that message and no stack trace', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'spaceport-port-'));
    dirs.push(dataDir);
    const root = path.resolve(import.meta.dirname, '../..');
    const out = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'cli/spaceport.ts', 'up', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir], {
        cwd: root,
        env: { ...process.env, SPACEPORT_LOG_LEVEL: 'silent', SPACEPORT_ADMIN_TOKEN: 'sp_port_in_use_test_0123456789' },
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expect(out.stderr).toContain('SPACEPORT_PORT');
    expect(out.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
