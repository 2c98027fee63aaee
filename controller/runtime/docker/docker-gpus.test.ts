import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { HUB_FLAVORS, silentLogger } from '../../../core/index.js';
import { DockerRuntime } from './docker-runtime.js';
import { detectDockerGpus } from './docker-gpus.js';

const engine = (info: Record<string, unknown>) => ({ info: async () => info }) as unknown as Dockerode;
const flavor = (name: string) => HUB_FLAVORS.find((f) => f.name === name)!;

describe('GPUs on a Docker engine', () => {
  it('detects none without the nvidia runtime, one per generic GPU resource with it, or takes the setting', async () => {
    expect(await detectDockerGpus(engine({ Runtimes: { runc: {} } }), 'auto')).toBe(0);
    expect(await detectDockerGpus(engine({ Runtimes: { runc: {}, nvidia: {} } }), 'auto')).toBe(1);
    expect(await detectDockerGpus(engine({ Runtimes: { nvidia: {} }, GenericResources: [{}, {}] }), 'auto')).toBe(2);
    expect(await detectDockerGpus(engine({}), 4)).toBe(4);
  });

  it('refuses GPU flavors it cannot run, naming the flavor and why; CPU flavors always run', () => {
    const none = new DockerRuntime({ docker: engine({}), logger: silentLogger(), gpus: 0 });
    expect(none.refuseFlavor(flavor('cpu-upgrade'))).toBeUndefined();
    expect(none.refuseFlavor(flavor('t4-small'))).toMatch(/^Hardware "t4-small" needs 1 NVIDIA T4 GPU, and this installation's Docker engine has no GPUs/);
    const one = new DockerRuntime({ docker: engine({}), logger: silentLogger(), gpus: 1 });
    expect(one.refuseFlavor(flavor('t4-small'))).toBeUndefined();
    expect(one.refuseFlavor(flavor('a10g-largex2'))).toBe('Hardware "a10g-largex2" needs 2 NVIDIA A10G GPUs; this Docker engine has 1.');
  });
});
