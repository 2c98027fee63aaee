import { randomBytes } from 'node:crypto';
import Dockerode from 'dockerode';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSpaceportError, silentLogger, toSpaceId, type ReleaseId } from '../../core/index.js';
import { DockerRuntime, DockerSpaceNetwork, IptablesPacketFilter, type InstanceSpec } from '../../controller/runtime/index.js';
import { runRuntimeContract } from '../../controller/runtime/testing/runtime-contract.js';
import { request, waitFor } from '../support/http.js';
import { TEST_IMAGE_PORT, ensureTestImage } from '../support/test-image.js';

const docker = new Dockerode();
const OTHER_TAG = 'spaceport-test/busybox:1-other';

/** Each run gets its own prefix (and `spaceport.instance` label): it sees and removes only its own containers. */
function runPrefix(): string {
  return `sptest-${randomBytes(3).toString('hex')}`;
}

/** Run a command in a running container and return its stdout and stderr together. */
async function execIn(id: string, cmd: string[]): Promise<string> {
  const exec = await docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (b: Buffer) => chunks.push(b));
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  // Strip the 8-byte multiplexing headers.
  const all = Buffer.concat(chunks);
  const out: Buffer[] = [];
  for (let i = 0; i + 8 <= all.length; ) {
    const len = all.readUInt32BE(i + 4);
    out.push(all.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return Buffer.concat(out).toString();
}

/** Remove every container of this prefix, whatever the runtime left behind. */
async function removeAll(prefix: string): Promise<void> {
  const left = await docker.listContainers({ all: true, filters: { label: [`spaceport.instance=${prefix}`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}

// As the composition root makes it: on the install's Space network, behind its firewall (issue 15).
runRuntimeContract('docker', async () => {
  const image = await ensureTestImage(docker, [OTHER_TAG]);
  const prefix = runPrefix();
  const network = new DockerSpaceNetwork({ docker, logger: silentLogger(), namePrefix: prefix, egress: { kind: 'all' }, packetFilter: new IptablesPacketFilter() });
  return {
    runtime: new DockerRuntime({ docker, logger: silentLogger(), namePrefix: prefix, network }),
    image,
    otherImage: OTHER_TAG,
    port: TEST_IMAGE_PORT,
    cleanup: async () => {
      await removeAll(prefix);
      await network.teardown();
    },
  };
});

describe('DockerRuntime on a real engine', () => {
  const prefix = runPrefix();
  let runtime: DockerRuntime;
  let image: string;
  const space = toSpaceId('docker-test', `s-${prefix}`);
  const spec = (release: string, extra: Partial<InstanceSpec> = {}): InstanceSpec => ({
    space,
    release: release as ReleaseId,
    image,
    port: TEST_IMAGE_PORT,
    env: { PORT: String(TEST_IMAGE_PORT) },
    flavor: { name: 'cpu-basic', cpus: 1, memoryBytes: 256 * 1024 ** 2 },
    ...extra,
  });

  beforeAll(async () => {
    image = await ensureTestImage(docker);
    runtime = new DockerRuntime({ docker, logger: silentLogger(), namePrefix: prefix });
  });

  afterAll(async () => {
    await runtime?.close();
    await removeAll(prefix);
  });

  it('creates the container as specified: name, labels, non-root, init, limits, loopback port', async () => {
    await runtime.apply(spec('r1', { labels: { 'spaceport.commit': 'abc123', 'spaceport.space': 'spoofed/x' } }));
    const [info] = await docker.listContainers({ all: true, filters: { label: [`spaceport.instance=${prefix}`, `spaceport.release=r1`] } });
    const inspect = await docker.getContainer(info!.Id).inspect();
    expect(inspect.Name).toBe(`/${prefix}-docker-test-s-${prefix}-r1`);
    expect(inspect.Config.Labels).toMatchObject({ 'spaceport.space': space, 'spaceport.release': 'r1', 'spaceport.managed': 'true', 'spaceport.commit': 'abc123' });
    expect(inspect.Config.User).toBe('1000:1000');
    expect(inspect.HostConfig.Init).toBe(true);
    expect(inspect.HostConfig.Memory).toBe(256 * 1024 ** 2);
    expect(inspect.HostConfig.NanoCpus).toBe(1e9);
    expect(inspect.NetworkSettings.Ports[`${TEST_IMAGE_PORT}/tcp`]?.[0]?.HostIp).toBe('127.0.0.1');
    expect(inspect.Config.Env).toEqual(expect.arrayContaining([`SPACE_ID=${space}`, 'CPU_CORES=1', 'MEMORY=256Mi']));
    await runtime.remove(space);
  });

  it('container hardening as the engine sees it: no capabilities, no-new-privileges, a PID limit, default seccomp, rotated logs', async () => {
    const hardened = new DockerRuntime({ docker, logger: silentLogger(), namePrefix: prefix, containerLimits: { pidsLimit: 200, logMaxSize: '2m', logMaxFiles: 2 } });
    try {
      await hardened.apply(spec('r-hardened'));
      const [info] = await docker.listContainers({ all: true, filters: { label: [`spaceport.instance=${prefix}`, 'spaceport.release=r-hardened'] } });
      const inspect = await docker.getContainer(info!.Id).inspect();
      expect(inspect.Config.User).toBe('1000:1000');
      expect(inspect.HostConfig.Privileged).toBe(false);
      expect(inspect.HostConfig.CapDrop).toEqual(['ALL']);
      expect(inspect.HostConfig.CapAdd ?? []).toEqual([]);
      expect(inspect.HostConfig.SecurityOpt).toContain('no-new-privileges:true');
      const securityOpt: string[] = inspect.HostConfig.SecurityOpt ?? [];
      expect(securityOpt.some((o) => /unconfined/.test(o))).toBe(false);
      expect(inspect.HostConfig.PidsLimit).toBe(200);
      expect(inspect.HostConfig.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '2m', 'max-file': '2' } });
      // The running process: not root, no effective capabilities, NoNewPrivs set, seccomp filtering (mode 2).
      await waitFor('the container running', async () => ((await docker.getContainer(info!.Id).inspect()).State.Running ? true : undefined));
      const status = await execIn(info!.Id, ['cat', '/proc/1/status']);
      expect(status).toMatch(/^CapEff:\s*0+$/m);
      expect(status).toMatch(/^NoNewPrivs:\s*1$/m);
      expect(status).toMatch(/^Seccomp:\s*2$/m);
      expect(status).not.toMatch(/^Uid:\s*0\s/m);
    } finally {
      await hardened.remove(space);
      await hardened.close();
    }
  });

  it('a stop survives a controller restart: a new runtime still reports it stopped', async () => {
    await runtime.apply(spec('r1'));
    await runtime.stop(space, 'r1' as ReleaseId);
    const restarted = new DockerRuntime({ docker, logger: silentLogger(), namePrefix: prefix });
    try {
      const [inst] = await restarted.list(space);
      expect(inst?.state).toEqual({ kind: 'stopped' });
      await restarted.apply(spec('r1'));
      const [again] = await restarted.list(space);
      expect(again?.state.kind === 'starting' || again?.state.kind === 'ready').toBe(true);
    } finally {
      await restarted.close();
      await runtime.remove(space);
    }
  });

  it('another install (another prefix) neither sees nor removes these containers', async () => {
    await runtime.apply(spec('r1'));
    const other = new DockerRuntime({ docker, logger: silentLogger(), namePrefix: `${prefix}-other` });
    try {
      expect(await other.list(space)).toEqual([]);
      await other.remove(space);
      expect(await runtime.list(space)).toHaveLength(1);
    } finally {
      await other.close();
      await runtime.remove(space);
    }
  });

  it('an app killed for using too much memory is failed, saying so', async () => {
    await runtime.apply(spec('oom', { env: { OOM: '1' }, flavor: { name: 'cpu-basic', cpus: 1, memoryBytes: 32 * 1024 ** 2 } }));
    const deadline = Date.now() + 20_000;
    let state;
    do {
      await new Promise((r) => setTimeout(r, 200));
      [{ state } = { state: undefined }] = await runtime.list(space);
    } while (state?.kind !== 'failed' && state?.kind !== 'exited' && Date.now() < deadline);
    // Docker sets OOMKilled from an event that can race the exit; either way the reason names memory.
    if (state?.kind === 'failed') expect(state.reason).toContain('Out of memory: the app was killed after using all of its memory limit (32Mi)');
    else expect(state).toMatchObject({ kind: 'exited', exitCode: 137, reason: expect.stringContaining('possibly out of memory (limit 32Mi)') });
    await runtime.remove(space);
  });

  it('a missing image is RuntimeFailed naming the image', async () => {
    const missing = `spaceport-test/missing-${prefix}:1`;
    await expect(runtime.apply(spec('r1', { image: missing }))).rejects.toSatisfy(
      (e) => isSpaceportError(e, 'RuntimeFailed') && e.message.includes(missing) && e.cause !== undefined,
    );
  });

  it('an unreachable engine is DockerUnavailable with the fix', async () => {
    const nowhere = new DockerRuntime({ docker: new Dockerode({ socketPath: `/tmp/no-docker-${prefix}.sock` }), logger: silentLogger() });
    try {
      await expect(nowhere.list()).rejects.toSatisfy(
        (e) => isSpaceportError(e, 'DockerUnavailable') && /dockerd|DOCKER_HOST/.test(e.message) && e.cause !== undefined,
      );
    } finally {
      await nowhere.close();
    }
  });
});

describe('DockerRuntime: persistent storage (/data) on a real engine', () => {
  const prefix = runPrefix();
  let runtime: DockerRuntime;
  let image: string;
  const space = toSpaceId('docker-test', `data-${prefix}`);
  const key = `sp_${prefix}`;
  const volumeName = `${prefix}-data-${key}`;
  const storage = { key, tier: 'small' as const, sizeBytes: 20e9 };
  const spec = (release: string, extra: Partial<InstanceSpec> = {}): InstanceSpec => ({
    space,
    release: release as ReleaseId,
    image,
    port: TEST_IMAGE_PORT,
    env: { PORT: String(TEST_IMAGE_PORT) },
    flavor: { name: 'cpu-basic', cpus: 1, memoryBytes: 256 * 1024 ** 2 },
    storage,
    ...extra,
  });

  /** The release's app once it answers: GET /cgi-bin/data (with `?write=` to append a line). */
  const data = async (release: string, write?: string): Promise<string> => {
    const inst = await waitFor(`${release} ready`, async () => {
      const found = (await runtime.list(space)).find((i) => i.release === release);
      return found?.state.kind === 'ready' ? found : undefined;
    }, 20_000);
    const r = await request({ port: inst.endpoint!.port, path: `/cgi-bin/data${write ? `?write=${write}` : ''}` });
    expect(r.status, r.body).toBe(200);
    return r.body;
  };
  const volumeExists = async (): Promise<boolean> =>
    docker.getVolume(volumeName).inspect().then(() => true, (err: { statusCode?: number }) => {
      if (err.statusCode === 404) return false;
      throw err;
    });

  beforeAll(async () => {
    image = await ensureTestImage(docker, [OTHER_TAG]);
    runtime = new DockerRuntime({ docker, logger: silentLogger(), namePrefix: prefix });
  });

  afterAll(async () => {
    await runtime?.close();
    await removeAll(prefix);
    const { Volumes } = await docker.listVolumes({ filters: { label: [`spaceport.instance=${prefix}`] } });
    await Promise.all((Volumes ?? []).map((v) => docker.getVolume(v.Name).remove().catch(() => undefined)));
  });

  it('makes a labelled named volume, mounted at /data and writable by the app (uid 1000) though the image has no /data', async () => {
    await runtime.apply(spec('r1'));
    const volume = await docker.getVolume(volumeName).inspect();
    expect(volume.Labels).toEqual({ 'spaceport.managed': 'true', 'spaceport.instance': prefix, 'spaceport.space-uid': key });
    const [info] = await docker.listContainers({ all: true, filters: { label: [`spaceport.instance=${prefix}`, 'spaceport.release=r1'] } });
    const inspect = await docker.getContainer(info!.Id).inspect();
    expect(inspect.Mounts).toEqual([expect.objectContaining({ Type: 'volume', Name: volumeName, Destination: '/data', RW: true })]);
    expect(inspect.Config.Env).toEqual(expect.arrayContaining(['PORT=7860']));
    expect(await data('r1', 'one')).toBe('one\n');
  });

  it('keeps the data across stop and start (sleep and wake)', async () => {
    await runtime.stop(space, 'r1' as ReleaseId);
    expect((await runtime.list(space))[0]?.state).toEqual({ kind: 'stopped' });
    await runtime.apply(spec('r1'));
    expect(await data('r1', 'two')).toBe('one\ntwo\n');
  });

  it('keeps the data for a new release (redeploy), both releases mounting it while they overlap', async () => {
    await runtime.apply(spec('r2', { image: OTHER_TAG }));
    expect(await data('r2', 'three')).toBe('one\ntwo\nthree\n');
    expect(await data('r1')).toBe('one\ntwo\nthree\n');
    await runtime.remove(space, { keep: 'r2' as ReleaseId });
    // Removing every container (a restart, a rename) keeps the volume too.
    await runtime.remove(space);
    expect(await volumeExists()).toBe(true);
    await runtime.apply(spec('r3'));
    expect(await data('r3')).toBe('one\ntwo\nthree\n');
  });

  it('hands /data to the app again on every new container, keeping its permission bits (a volume left root-owned heals)', async () => {
    await runtime.remove(space);
    // Another process makes the volume's root root-owned, mode 0770.
    const other = await docker.createContainer({ Image: image, HostConfig: { Mounts: [{ Type: 'volume', Source: volumeName, Target: '/data' }] } });
    const pack = tar.pack();
    pack.entry({ name: 'data/', type: 'directory', mode: 0o770, uid: 0, gid: 0 });
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    await other.putArchive(Buffer.concat(chunks), { path: '/' });
    await other.remove({ force: true });
    await runtime.apply(spec('r4'));
    expect(await data('r4', 'four')).toBe('one\ntwo\nthree\nfour\n');
    const [info] = await docker.listContainers({ all: true, filters: { label: [`spaceport.instance=${prefix}`, 'spaceport.release=r4'] } });
    const res = (await docker.getContainer(info!.Id).infoArchive({ path: '/data' })) as { headers: Record<string, string> };
    const stat = JSON.parse(Buffer.from(res.headers['x-docker-container-path-stat']!, 'base64').toString('utf8')) as { mode: number };
    expect((stat.mode & 0o777).toString(8)).toBe('770');
  });

  it('removeStorage deletes the volume (and a container still mounting it); a new one starts empty and writable', async () => {
    await runtime.removeStorage(key);
    expect(await volumeExists()).toBe(false);
    expect(await runtime.list(space)).toEqual([]);
    await runtime.removeStorage(key); // idempotent
    await runtime.apply(spec('r5'));
    expect(await data('r5')).toBe('');
    expect(await data('r5', 'fresh')).toBe('fresh\n');
    await runtime.remove(space);
    await runtime.removeStorage(key);
    expect(await volumeExists()).toBe(false);
  });

  it('mounts nothing without storage', async () => {
    await runtime.apply(spec('r6', { storage: undefined }));
    expect(await data('r6', 'x')).toBe('cannot write /data/notes\n');
    await runtime.remove(space);
  });
});
