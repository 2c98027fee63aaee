import { describe, expect, it } from 'vitest';
import type { ReleaseId, SpaceId } from '../../core/index.js';
import type { ReleaseRecord, SettingRecord, SpaceRecord } from '../store/records.js';
import { instanceSpecFor, storageSpecFor } from './instance-spec.js';

const space: SpaceRecord = {
  uid: 'sp_abc',
  id: 'alice/demo' as SpaceId,
  owner: 'alice',
  name: 'demo',
  subdomain: 'alice-demo',
  sdk: 'docker',
  visibility: 'public',
    visibilityGen: 0,
  lifecycle: 'active',
  paused: false,
  version: 0,
  hardware: 'cpu-basic',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const release = { id: 'r_1' as ReleaseId, spaceUid: 'sp_abc', commit: 'c1', image: 'img', port: 7860, config: {} } as ReleaseRecord;
const setting = (key: string, value: string): SettingRecord => ({ key, value, updatedAt: '' });
const specFor = (s: Partial<SpaceRecord>, variables: SettingRecord[] = [], secrets: SettingRecord[] = []) =>
  instanceSpecFor({ space: { ...space, ...s }, release, flavor: { name: 'cpu-basic', cpus: 2, memoryBytes: 16 * 1024 ** 3 }, domain: 'localhost', variables, secrets });

describe('instanceSpecFor: persistent storage', () => {
  it('has no storage and no HF_HOME when the Space has none', () => {
    const spec = specFor({});
    expect(spec.storage).toBeUndefined();
    expect(spec.env.HF_HOME).toBeUndefined();
  });

  it('sizes each tier in decimal bytes as the Hub (20 GB, 150 GB, 1 TB), keyed by the uid', () => {
    expect(storageSpecFor({ uid: 'sp_abc', storageTier: 'small' })).toEqual({ key: 'sp_abc', tier: 'small', sizeBytes: 20_000_000_000 });
    expect(storageSpecFor({ uid: 'sp_abc', storageTier: 'medium' })?.sizeBytes).toBe(150_000_000_000);
    expect(storageSpecFor({ uid: 'sp_abc', storageTier: 'large' })?.sizeBytes).toBe(1_000_000_000_000);
    expect(specFor({ storageTier: 'medium' }).storage).toEqual({ key: 'sp_abc', tier: 'medium', sizeBytes: 150e9 });
  });

  it('keeps the same key across a rename (the uid, not the id)', () => {
    expect(specFor({ storageTier: 'small', id: 'bob/other' as SpaceId, subdomain: 'bob-other' }).storage?.key).toBe('sp_abc');
  });

  it('points HF_HOME at /data/.huggingface, unless the owner set HF_HOME as a variable or a secret', () => {
    expect(specFor({ storageTier: 'small' }).env.HF_HOME).toBe('/data/.huggingface');
    expect(specFor({ storageTier: 'small' }, [setting('HF_HOME', '/tmp/hf')]).env.HF_HOME).toBe('/tmp/hf');
    expect(specFor({ storageTier: 'small' }, [], [setting('HF_HOME', '/home/user/hf')]).env.HF_HOME).toBe('/home/user/hf');
  });
});

describe('instanceSpecFor: SPACE_HOST', () => {
  const hostWith = (publicPort?: number) =>
    instanceSpecFor({ space, release, flavor: { name: 'cpu-basic', cpus: 2, memoryBytes: 16 * 1024 ** 3 }, domain: 'localhost', publicPort, variables: [], secrets: [] }).env.SPACE_HOST;

  it('carries the port when Spaces are not served on 80 or 443', () => {
    expect(hostWith(8080)).toBe('alice-demo.localhost:8080');
    expect(hostWith(80)).toBe('alice-demo.localhost');
    expect(hostWith(443)).toBe('alice-demo.localhost');
    expect(hostWith(undefined)).toBe('alice-demo.localhost');
  });
});
