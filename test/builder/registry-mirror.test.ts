import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerSpace, SETTLED } from '../support/docker-space.js';
import { waitFor } from '../support/http.js';

/**
 * Issue 19: `FROM <registry image>` on an install that cannot reach that registry. A build first
 * says that this install cannot pull it, names the local images and SPACEPORT_REGISTRY_MIRRORS
 * (not BuildKit's raw "failed to solve … no such host"); with a mirror set, the image is pulled
 * through it and the Space runs. The mirror is Debian's docker-registry on a loopback port, started
 * here (as scripts/k8s/cluster.sh starts the test cluster's), holding an image only it has.
 */
const docker = new Dockerode();
const id = randomBytes(3).toString('hex');
const repo = `spaceport-mirror-probe-${id}`;
let registry: ChildProcess | undefined;
let dir = '';
let mirror = '';
const spaces: DockerSpace[] = [];

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function follow(stream: NodeJS.ReadableStream): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
      const failed = err ?? events.find((e) => e.error);
      if (failed) reject(new Error(String((failed as { error?: string }).error ?? failed)));
      else resolve();
    }),
  );
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'spaceport-mirror-'));
  mirror = `127.0.0.1:${await freePort()}`;
  writeFileSync(
    path.join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: ${mirror}\n`,
  );
  registry = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' });
  await waitFor('the registry', async () => (await fetch(`http://${mirror}/v2/`).then((r) => r.ok).catch(() => false)) || undefined, 30_000);
  // An image only the mirror has, where a mirror of Docker Hub keeps `library/…`.
  const onMirror = `${mirror}/library/${repo}`;
  await docker.getImage('spaceport/python:3.11').tag({ repo: onMirror, tag: '1' });
  await follow(await docker.getImage(`${onMirror}:1`).push({ authconfig: { username: '', password: '', serveraddress: mirror } }));
  await docker.getImage(`${onMirror}:1`).remove();
}, 120_000);

afterAll(async () => {
  for (const s of spaces) await s.close();
  for (const ref of [`${repo}:1`, `${mirror}/library/${repo}:1`]) await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
  registry?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const files = () => ({
  'README.md': '---\ntitle: From a registry image\nsdk: docker\napp_port: 7860\n---\n',
  Dockerfile: `FROM ${repo}:1\nWORKDIR /app\nCMD ["python3", "-m", "http.server", "7860"]\n`,
});

describe('registry images (issue 19)', () => {
  it('without a mirror: the build says first that this install cannot pull the image, and names local images and SPACEPORT_REGISTRY_MIRRORS', async () => {
    const s = new DockerSpace('nomirror');
    spaces.push(s);
    await s.start('docker', files());
    await s.push();
    const rt = await s.h.waitStage(s.space, SETTLED, 300_000);
    expect(rt.stage).toBe('BUILD_ERROR');
    const first = (rt.errorMessage ?? '').split('\n')[0];
    expect(first).toBe(`This Spaceport cannot pull ${repo}:1 from Docker Hub (docker.io): the build has no access to that registry.`);
    expect(rt.errorMessage).toContain('spaceport/python:3.11');
    expect(rt.errorMessage).toContain('SPACEPORT_REGISTRY_MIRRORS');
  }, 360_000);

  it('with SPACEPORT_REGISTRY_MIRRORS: the image is pulled through the mirror and the Space runs', async () => {
    const s = new DockerSpace('mirror');
    spaces.push(s);
    await s.start('docker', files(), { SPACEPORT_REGISTRY_MIRRORS: mirror });
    await s.push();
    const rt = await s.h.waitStage(s.space, SETTLED, 300_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
    expect(await s.buildLog()).toContain(`Registry image ${repo}:1: pulled from the mirror ${mirror}`);
  }, 360_000);
});
