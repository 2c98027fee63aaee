import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogSink, SpaceportError, silentLogger } from '../../core/index.js';
import { DEFAULT_BASE_IMAGES, baseImageSpec, buildBaseImage, debianSource, ensureBaseImages, imageExists } from '../../builder/index.js';
import { rootfsCacheKey } from '../../builder/base-image-specs.js';

const docker = new Docker();
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HOST_CA = '/etc/ssl/certs/ca-certificates.crt';

describe('base images from Debian packages (real Docker, real debootstrap)', () => {
  const run = randomBytes(4).toString('hex');
  const dirs: string[] = [];
  const images: string[] = [];
  const containers: string[] = [];

  beforeAll(async () => {
    await docker.ping();
    await ensureBaseImages(docker, { python: DEFAULT_BASE_IMAGES.python }, silentLogger());
  });

  afterAll(async () => {
    for (const id of containers) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
    for (const image of images) await docker.getImage(image).remove().catch(() => undefined);
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'spaceport-base-test-'));
    dirs.push(dir);
    return dir;
  }

  it('leaves an existing image alone', async () => {
    const out = await ensureBaseImages(docker, { python: DEFAULT_BASE_IMAGES.python }, silentLogger());
    expect(out).toEqual([{ kind: 'python', image: DEFAULT_BASE_IMAGES.python, result: 'present' }]);
  });

  it('imports a cached root filesystem tarball with the image env and command, without debootstrap', async () => {
    // A root filesystem to stand in for a debootstrap result: the python base image's own files.
    const cacheDir = await tempDir();
    const image = `spaceport-test/base-from-cache:${run}`;
    images.push(image);
    const spec = baseImageSpec('python', image);
    const ca = await readFile(HOST_CA, 'utf8');
    // The source ensureBaseImages uses with no mirror setting: this host's apt mirrors.
    const source = debianSource();
    const tarball = path.join(cacheDir, `python-bookworm-${rootfsCacheKey(spec, source, ca)}.tar`);
    const donor = await docker.createContainer({ Image: DEFAULT_BASE_IMAGES.python, name: `spaceport-test-base-donor-${run}`, Cmd: ['true'] });
    containers.push(donor.id);
    await pipeline(await donor.export(), createWriteStream(tarball));

    const log = new MemoryLogSink();
    const result = await buildBaseImage(docker, spec, silentLogger(), { cacheDir, debootstrap: '/nonexistent/debootstrap', log });
    expect(result).toBe('imported');
    expect(await imageExists(docker, image)).toBe(true);
    const info = await docker.getImage(image).inspect();
    expect(info.Config.Cmd).toEqual(['python3']);
    expect(info.Config.Env).toEqual(expect.arrayContaining(['PIP_CERT=/etc/ssl/certs/ca-certificates.crt', 'LANG=C.UTF-8']));

    const c = await docker.createContainer({ Image: image, name: `spaceport-test-base-check-${run}`, Cmd: ['python3', '-c', 'import ssl, venv; print("ok")'] });
    containers.push(c.id);
    await c.start();
    expect((await c.wait()).StatusCode).toBe(0);
  });

  it('fails with BaseImageFailed naming the mirror when debootstrap cannot download', async () => {
    const image = `spaceport-test/base-unreachable:${run}`;
    const err = await buildBaseImage(docker, baseImageSpec('python', image), silentLogger(), {
      mirror: 'http://127.0.0.1:9/debian',
      tmpDir: await tempDir(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpaceportError);
    expect((err as SpaceportError).code).toBe('BaseImageFailed');
    expect((err as SpaceportError).message).toMatch(/^debootstrap for spaceport-test\/base-unreachable:\w+ exited with 1; check that http:\/\/127\.0\.0\.1:9\/debian is reachable/);
    expect(await imageExists(docker, image)).toBe(false);
  });

  it('refuses a mirror that is not a URL before running anything', async () => {
    await expect(buildBaseImage(docker, baseImageSpec('node', 'x/y:z'), silentLogger(), { mirror: '--keyring=/tmp/k' })).rejects.toThrow(
      'Cannot build x/y:z: mirror "--keyring=/tmp/k" must be an http://, https:// or file:// URL.',
    );
  });

  it('has an operator CLI that reports present images and rejects bad flags', async () => {
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    const cli = path.join(ROOT, 'builder', 'base-images-cli.ts');
    const ok = await runCli(tsx, [cli, '--only', 'python']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/"image":"spaceport\/python:3\.11","result":"present"/);
    const bad = await runCli(tsx, [cli, '--only', 'ruby']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--only must be python or node (got "ruby")');
  });
});

function runCli(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SPACEPORT_DATA_DIR: tmpdir() } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
