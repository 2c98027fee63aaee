import { describe, expect, it } from 'vitest';
import { toSpaceId, type ReleaseId } from '../../../core/index.js';
import { containerName, dataVolumeName, dataVolumeOptions, dockerCreateOptions, formatMemory, stoppedContainerName } from './docker-create-options.js';
import type { InstanceSpec } from '../runtime.js';

const spec: InstanceSpec = {
  space: toSpaceId('Alice', 'My_Demo.v2'),
  release: 'r_Ab-9x' as ReleaseId,
  image: 'spaceport/alice-my-demo-v2:3f2a',
  port: 7860,
  env: { GRADIO_SERVER_PORT: '7860', SECRET_TOKEN: 'a=b=c', MEMORY: 'override' },
  flavor: { name: 'cpu-basic', cpus: 2, memoryBytes: 16 * 1024 ** 3 },
  labels: { 'spaceport.commit': 'abc', 'spaceport.space': 'spoofed/x', 'spaceport.managed': 'false' },
};

describe('dockerCreateOptions', () => {
  const opts = dockerCreateOptions(spec, { namePrefix: 'spaceport' });

  it('names the container {prefix}-{subdomain}-{release}, valid for Docker', () => {
    expect(opts.name).toBe('spaceport-alice-my-demo-v2-r_Ab-9x');
    expect(opts.name).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/);
    expect(containerName(spec.space, 'r/1 2' as ReleaseId)).toBe('spaceport-alice-my-demo-v2-r-1-2');
    expect(stoppedContainerName(spec.space, spec.release, 'p')).toBe('p-alice-my-demo-v2-r_Ab-9x.stopped');
  });

  it('sets our labels over the spec labels', () => {
    expect(opts.Labels).toEqual({
      'spaceport.commit': 'abc',
      'spaceport.managed': 'true',
      'spaceport.instance': 'spaceport',
      'spaceport.space': 'Alice/My_Demo.v2',
      'spaceport.release': 'r_Ab-9x',
      'spaceport.port': '7860',
      'spaceport.flavor': 'cpu-basic',
    });
  });

  it('runs as UID 1000 with an init, the flavor limits, no Docker restarts and bounded logs', () => {
    expect(opts.Image).toBe(spec.image);
    expect(opts.User).toBe('1000:1000');
    expect(opts.HostConfig).toMatchObject({
      Init: true,
      NanoCpus: 2e9,
      Memory: 16 * 1024 ** 3,
      MemorySwap: 16 * 1024 ** 3,
      RestartPolicy: { Name: 'no' },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    });
  });

  it('publishes the app port on an ephemeral loopback port only', () => {
    expect(opts.ExposedPorts).toEqual({ '7860/tcp': {} });
    expect(opts.HostConfig?.PortBindings).toEqual({ '7860/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
  });

  it("joins the install's Space network when given one", () => {
    expect(dockerCreateOptions(spec, { namePrefix: 'spaceport', network: 'spaceport-spaces' }).HostConfig?.NetworkMode).toBe('spaceport-spaces');
    expect(opts.HostConfig?.NetworkMode).toBeUndefined();
  });

  it('passes the env as KEY=VALUE with the Hub runtime variables, the spec winning', () => {
    expect(opts.Env).toEqual(
      expect.arrayContaining([
        'SYSTEM=spaces',
        'SPACE_ID=Alice/My_Demo.v2',
        'SPACE_AUTHOR_NAME=Alice',
        'SPACE_REPO_NAME=My_Demo.v2',
        'ACCELERATOR=none',
        'CPU_CORES=2',
        'GRADIO_SERVER_PORT=7860',
        'SECRET_TOKEN=a=b=c',
        'MEMORY=override',
      ]),
    );
    expect(opts.Env?.filter((e) => e.startsWith('MEMORY='))).toEqual(['MEMORY=override']);
  });

  it('caps the CPUs at what the host has', () => {
    const capped = dockerCreateOptions({ ...spec, env: {}, flavor: { name: 'cpu-upgrade', cpus: 8, memoryBytes: 2 ** 30 } }, { hostCpus: 2 });
    expect(capped.HostConfig?.NanoCpus).toBe(2e9);
    expect(capped.Env).toEqual(expect.arrayContaining(['CPU_CORES=2', 'MEMORY=1Gi']));
    expect(capped.Labels?.['spaceport.instance']).toBe('spaceport');
  });

  it('formats memory like the Hub', () => {
    expect(formatMemory(16 * 1024 ** 3)).toBe('16Gi');
    expect(formatMemory(512 * 1024 ** 2)).toBe('512Mi');
    expect(formatMemory(1.5 * 1024 ** 3)).toBe('1536Mi');
  });
});

describe('dockerCreateOptions: persistent storage', () => {
  const storage = { key: 'sp_Ab-9_x', tier: 'small' as const, sizeBytes: 20e9 };

  it('mounts nothing without storage', () => {
    expect(dockerCreateOptions(spec).HostConfig?.Mounts).toBeUndefined();
  });

  it('mounts the Space\'s named volume {prefix}-data-{key} at /data', () => {
    const opts = dockerCreateOptions({ ...spec, storage }, { namePrefix: 'sp1' });
    expect(opts.HostConfig?.Mounts).toEqual([{ Type: 'volume', Source: 'sp1-data-sp_Ab-9_x', Target: '/data' }]);
  });

  it('names the volume after the key only: a renamed Space (another id, same uid) keeps it', () => {
    const renamed = dockerCreateOptions({ ...spec, space: toSpaceId('bob', 'other'), storage }, { namePrefix: 'sp1' });
    expect(renamed.HostConfig?.Mounts?.[0]?.Source).toBe('sp1-data-sp_Ab-9_x');
  });

  it('labels the volume with the install and the Space uid, and keeps its name valid for Docker', () => {
    expect(dataVolumeOptions('sp_1', 'sp1')).toEqual({
      Name: 'sp1-data-sp_1',
      Labels: { 'spaceport.managed': 'true', 'spaceport.instance': 'sp1', 'spaceport.space-uid': 'sp_1' },
    });
    expect(dataVolumeName('a/b c')).toBe('spaceport-data-a-b-c');
    expect(dataVolumeName('x', '_p')).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/);
  });
});

describe('GPU flavors on Docker', () => {
  it('a GPU flavor asks the engine for its NVIDIA GPUs (DeviceRequests); a CPU flavor asks for none', () => {
    const gpu = dockerCreateOptions({ ...spec, flavor: { name: 't4-small', cpus: 4, memoryBytes: 15 * 1024 ** 3, gpu: { count: 1, product: 'Tesla-T4', model: 'T4', vramGb: 16 } } });
    expect(gpu.HostConfig?.DeviceRequests).toEqual([{ Driver: 'nvidia', Count: 1, Capabilities: [['gpu']] }]);
    expect(dockerCreateOptions(spec).HostConfig?.DeviceRequests).toBeUndefined();
  });
});
