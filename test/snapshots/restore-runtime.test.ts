import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../support/http.js';
import { OwnDockerEngine } from '../support/own-docker-engine.js';
import { TEST_IMAGE, TEST_IMAGE_PORT, ensureTestImage } from '../support/test-image.js';

// The snapshot-wake path chosen in ARCHITECTURE.md ("Snapshot wake"), on a real Docker engine of the
// test's own that knows scripts/criu/restore-runtime.sh as the `spaceport-restore` runtime, with the
// CRIU Spaceport builds (scripts/criu/ensure-criu.sh). The app runs as uid 1000 with a listening TCP
// socket: both of our CRIU patches are needed for its dump on this host.

const repo = path.resolve(__dirname, '../..');
let criu: string;
let dir: string;
let snapshots: string;
let engine: OwnDockerEngine;

beforeAll(async () => {
  criu = execFileSync('bash', [path.join(repo, 'scripts/criu/ensure-criu.sh')], { encoding: 'utf8', timeout: 15 * 60_000 }).trim();
  dir = mkdtempSync('/tmp/spaceport-snapshot-test-');
  snapshots = path.join(dir, 'snapshots');
  mkdirSync(snapshots, { mode: 0o700 });
  const runtime = path.join(dir, 'spaceport-restore');
  writeFileSync(
    runtime,
    `#!/bin/bash\nexec env SPACEPORT_CRIU=${criu} SPACEPORT_SNAPSHOT_ROOT=${snapshots} ${path.join(repo, 'scripts/criu/restore-runtime.sh')} "$@"\n`,
  );
  chmodSync(runtime, 0o755);
  engine = new OwnDockerEngine('snap', { extraArgs: ['--add-runtime', `spaceport-restore=${runtime}`] });
  await engine.start();
  await ensureTestImage(engine.docker);
}, 20 * 60_000);

afterAll(async () => {
  await engine?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One GET on a fresh connection that is closed after it (a pooled one would be a connected TCP socket at the dump). */
function get(ip: string, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: ip, port: TEST_IMAGE_PORT, path: urlPath, agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function answers(id: string): Promise<string> {
  const info = await engine.docker.getContainer(id).inspect();
  const ip = Object.values(info.NetworkSettings.Networks)[0]?.IPAddress ?? '';
  return waitFor('the app answering', async () => {
    const r = await get(ip, '/cgi-bin/env').catch(() => undefined);
    return r?.status === 200 ? r.body : undefined;
  }, 60_000, 50);
}

async function runLog(id: string): Promise<string> {
  const buf = (await engine.docker.getContainer(id).logs({ stdout: true, stderr: true })) as unknown as Buffer;
  return buf.toString('utf8');
}

/** `runc checkpoint` of the running container into <snapshots>/<id>/images, as sleep would; the container exits. */
async function checkpoint(id: string): Promise<void> {
  const snap = path.join(snapshots, id);
  rmSync(snap, { recursive: true, force: true });
  mkdirSync(path.join(snap, 'images'), { recursive: true, mode: 0o700 });
  execFileSync('runc', ['--root', path.join(engine.dir, 'exec/runtime-runc/moby'), '--criu', criu, 'checkpoint',
    '--image-path', path.join(snap, 'images'), '--work-path', path.join(snap, 'dump-work'), '--file-locks', id], { stdio: 'pipe' });
  await waitFor('the container exited', async () => ((await engine.docker.getContainer(id).inspect()).State.Running ? undefined : true));
  writeFileSync(path.join(snap, 'ready'), '');
}

it('a checkpointed container starts again restored from its snapshot: same process, same environment, no second start', async () => {
  const c = await engine.docker.createContainer({
    name: 'snap-restore',
    Image: TEST_IMAGE,
    User: '1000:1000',
    Env: ['SECRET_TOKEN=restore-me'],
    HostConfig: { Runtime: 'spaceport-restore' },
  });
  await c.start();
  expect(await answers(c.id)).toContain('SECRET_TOKEN=restore-me');
  await checkpoint(c.id);

  await c.start();
  expect(await answers(c.id)).toContain('SECRET_TOKEN=restore-me');
  // A cold start prints "listening on" again; the restored httpd never started a second time.
  const log = await runLog(c.id);
  expect(log.match(/listening on/g)).toHaveLength(1);
  expect(log).not.toContain('restore failed');
  expect(existsSync(path.join(snapshots, c.id, 'ready'))).toBe(false);
  // Docker still manages it: a stop works and the next start (no snapshot) is a plain cold one.
  await c.stop({ t: 1 });
  await c.start();
  await answers(c.id);
  expect((await runLog(c.id)).match(/listening on/g)).toHaveLength(2);
  await c.remove({ force: true });
}, 5 * 60_000);

it('a corrupt snapshot falls back to a cold start that answers, and says so in the run log', async () => {
  const c = await engine.docker.createContainer({ name: 'snap-corrupt', Image: TEST_IMAGE, User: '1000:1000', HostConfig: { Runtime: 'spaceport-restore' } });
  await c.start();
  await answers(c.id);
  await checkpoint(c.id);
  const images = path.join(snapshots, c.id, 'images');
  for (const f of readdirSync(images).filter((n) => n.startsWith('core-') || n.startsWith('pages-'))) truncateSync(path.join(images, f), 3);

  await c.start();
  await answers(c.id);
  const log = await runLog(c.id);
  expect(log).toContain('spaceport: restore failed, cold start');
  expect(log.match(/listening on/g)).toHaveLength(2);
  await c.remove({ force: true });
}, 5 * 60_000);
