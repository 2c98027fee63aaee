import { describe, expect, it } from 'vitest';
import { hostFactsFrom, layerQuotaSupported } from './docker-host-sizing.js';
import { dockerCreateOptions } from './docker-create-options.js';
import { toSpaceId } from '../../../core/index.js';

describe('docker host facts: CPUs, memory and whether a writable layer can be capped', () => {
  it('reads docker info', () => {
    const info = { NCPU: 2, MemTotal: 25275990016, Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs'], ['Supports d_type', 'true']] };
    expect(hostFactsFrom(info)).toEqual({ cpus: 2, memoryBytes: 25275990016, driver: 'overlay2', backingFs: 'extfs', layerQuota: false });
    expect(hostFactsFrom({})).toEqual({ cpus: 0, memoryBytes: 0, driver: '', layerQuota: false });
  });

  it('knows the drivers that take a size', () => {
    expect(layerQuotaSupported('overlay2', 'xfs')).toBe(true);
    expect(layerQuotaSupported('overlay2', 'extfs')).toBe(false);
    for (const d of ['devicemapper', 'btrfs', 'zfs']) expect(layerQuotaSupported(d, undefined)).toBe(true);
    expect(layerQuotaSupported('vfs', undefined)).toBe(false);
  });

  it('puts the cap in StorageOpt only when asked', () => {
    const spec = { space: toSpaceId('a', 'b'), release: 'r1' as never, image: 'x', port: 7860, env: {}, flavor: { name: 'cpu-basic', cpus: 2, memoryBytes: 2 ** 30 } };
    expect(dockerCreateOptions(spec, { writableLayerBytes: 50e9 }).HostConfig?.StorageOpt).toEqual({ size: '50000000000' });
    expect(dockerCreateOptions(spec).HostConfig?.StorageOpt).toBeUndefined();
  });
});
