import { randomBytes } from 'node:crypto';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_FLAVORS, sizeFlavorToHost, silentLogger, toSpaceId, type ReleaseId } from '../../core/index.js';
import { DockerRuntime } from '../../controller/runtime/index.js';
import { hostFactsFrom } from '../../controller/runtime/docker/docker-host-sizing.js';
import { TEST_IMAGE_PORT, ensureTestImage } from '../support/test-image.js';

/**
 * Issue 15, "defaults sized for a bigger host": cpu-basic asked for 16 GiB and 2 CPUs on a 24 GiB,
 * 2-core host. On the real engine, a container of the Hub's cpu-basic gets this host's share.
 */
describe('built-in flavors sized to the engine\'s host (real engine)', () => {
  const docker = new Dockerode();
  const prefix = `sptest-size-${randomBytes(3).toString('hex')}`;
  const runtime = new DockerRuntime({ docker, logger: silentLogger(), namePrefix: prefix });
  const space = toSpaceId('docker-test', `s-${prefix}`);
  let image: string;

  beforeAll(async () => {
    image = await ensureTestImage(docker);
  });
  afterAll(async () => {
    await runtime.close();
    const left = await docker.listContainers({ all: true, filters: { label: [`spaceport.instance=${prefix}`] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  });

  it('a cpu-basic container gets a quarter of the host\'s memory (at most 16 GiB) and at most its CPUs; the writable layer is capped where the driver allows', async () => {
    const info = await docker.info();
    const host = hostFactsFrom(info);
    const cpuBasic = HUB_FLAVORS.find((f) => f.name === 'cpu-basic')!;
    const expected = sizeFlavorToHost(cpuBasic, host).flavor;
    expect(expected.memoryBytes).toBeLessThanOrEqual(Math.min(16 * 1024 ** 3, host.memoryBytes / 4));

    const said = await runtime.describeHost([cpuBasic]);
    expect(said.flavors[0]).toMatch(/^cpu-basic: \d+ CPUs, [\d.]+ GiB \(/);
    expect(said.layerQuota).toBe(host.layerQuota);

    await runtime.apply({ space, release: 'r1' as ReleaseId, image, port: TEST_IMAGE_PORT, env: { PORT: String(TEST_IMAGE_PORT) }, flavor: cpuBasic });
    const [c] = await docker.listContainers({ all: true, filters: { label: [`spaceport.instance=${prefix}`] } });
    const inspect = await docker.getContainer(c!.Id).inspect();
    expect(inspect.HostConfig.Memory).toBe(expected.memoryBytes);
    expect(inspect.HostConfig.NanoCpus).toBe(expected.cpus * 1e9);
    expect(inspect.Config.Env).toEqual(expect.arrayContaining([`CPU_CORES=${expected.cpus}`]));
    const storageOpt = (inspect.HostConfig as { StorageOpt?: Record<string, string> | null }).StorageOpt ?? undefined;
    // This engine (overlay2 on ext4 here) cannot cap a layer: none is asked, and start says so.
    if (host.layerQuota) expect(storageOpt).toEqual({ size: String(50e9) });
    else expect(storageOpt).toBeUndefined();
    await runtime.remove(space);
  });
});
