// The "HAProxy alone" configuration of make bench-proxy: Debian's haproxy accepts it, the benchmark's
// Host reaches the backend through the 1,001-entry map, an unmapped Host is a 404, and it leaves
// nothing running.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHaproxyConf, renderHaproxyMap } from './haproxy-conf.js';
import { freePort, request, spawnQuiet, waitFor } from './processes.js';
import { HAPROXY, toolPath } from './tools.js';

const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-haproxy-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench-proxy: HAProxy alone', () => {
  it('routes the benchmark host by its map and answers 404 to any other', async () => {
    const backend = http.createServer((_req, res) => res.end('hello'));
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    const backendPort = (backend.address() as { port: number }).port;
    const input = { dir, listenPort: await freePort(), backendPort, host: 'bench-app.localhost' };
    writeFileSync(path.join(dir, 'hosts.map'), renderHaproxyMap(input));
    writeFileSync(path.join(dir, 'haproxy.cfg'), renderHaproxyConf(input));
    expect(renderHaproxyMap(input).trim().split('\n')).toHaveLength(1001);
    execFileSync(toolPath(HAPROXY), ['-c', '-q', '-f', path.join(dir, 'haproxy.cfg')]);
    const child = spawnQuiet(toolPath(HAPROXY), ['-db', '-f', path.join(dir, 'haproxy.cfg')]);
    try {
      await waitFor(async () => (await request(input.listenPort, { host: 'bench-app.localhost' })).status === 200);
      const ok = await request(input.listenPort, { host: 'Bench-App.localhost' });
      expect(ok).toMatchObject({ status: 200, body: 'hello' });
      expect((await request(input.listenPort, { host: 'space-3.localhost' })).status).toBe(503);
      expect((await request(input.listenPort, { host: 'nobody.localhost' })).status).toBe(404);
    } finally {
      await child.stop();
      backend.close();
    }
    expect(child.proc.exitCode !== null || child.proc.signalCode !== null).toBe(true);
  }, 30_000);
});
