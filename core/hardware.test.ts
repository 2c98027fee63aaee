import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { HUB_FLAVORS, hardwareFileSchema, hardwareJson, parseMemory, resolveHardware, sizeFlavorToHost } from './hardware.js';

const resolve = (doc: unknown) => resolveHardware(hardwareFileSchema.parse(doc));

describe('hardware flavors', () => {
  it("knows the Hub's flavors with the Hub's sizes", () => {
    const names = HUB_FLAVORS.map((f) => f.name);
    for (const n of ['cpu-basic', 'cpu-upgrade', 't4-small', 't4-medium', 'l4x1', 'l4x4', 'l40sx1', 'a10g-small', 'a10g-large', 'a10g-largex2', 'a10g-largex4', 'a100-large']) {
      expect(names).toContain(n);
    }
    const t4 = HUB_FLAVORS.find((f) => f.name === 't4-small')!;
    expect(t4).toMatchObject({ cpus: 4, memoryBytes: 15 * 1024 ** 3, gpu: { count: 1, product: 'Tesla-T4', vramGb: 16 } });
    expect(HUB_FLAVORS.find((f) => f.name === 'a10g-largex4')!.gpu!.count).toBe(4);
  });

  it('an operator offers a subset, changes a flavor and adds their own', () => {
    const hw = resolve({
      offer: ['cpu-basic', 't4-small', 'h200x1'],
      flavors: {
        't4-small': { cpu: 3, memory: '12Gi', requests: { cpu: '500m', memory: '4Gi' } },
        h200x1: { prettyName: '1x H200', cpu: 16, memory: '200Gi', gpu: { count: 1, product: 'NVIDIA-H200', model: 'H200', vramGb: 141 } },
      },
      gpu: { productValues: { 'NVIDIA-H200': 'NVIDIA-H200-SXM' }, runtimeClassName: 'nvidia' },
    });
    expect(Object.keys(hw.flavors)).toEqual(['cpu-basic', 't4-small', 'h200x1']);
    expect(hw.flavors['t4-small']).toMatchObject({ cpus: 3, memoryBytes: 12 * 1024 ** 3, requests: { cpus: 0.5, memoryBytes: 4 * 1024 ** 3 }, gpu: { product: 'Tesla-T4' } });
    expect(hw.flavors.h200x1!.gpu).toEqual({ count: 1, product: 'NVIDIA-H200', model: 'H200', vramGb: 141 });
    expect(hw.gpu).toMatchObject({ resourceName: 'nvidia.com/gpu', productLabel: 'nvidia.com/gpu.product', runtimeClassName: 'nvidia' });
    expect(hw.gpu.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  it('the GKE preset labels GPU nodes as GKE does', () => {
    const hw = resolve({ gpu: { labelPreset: 'gke' } });
    expect(hw.gpu.productLabel).toBe('cloud.google.com/gke-accelerator');
    expect(hw.gpu.productValues['Tesla-T4']).toBe('nvidia-tesla-t4');
  });

  it('names every problem: an unknown offered flavor, a new flavor without sizes', () => {
    expect(() => resolve({ offer: ['nope'], flavors: { mine: { cpu: 2 } } })).toThrow(/flavors\.mine: a new flavor needs "cpu" and "memory".*offer: "nope" is not a known flavor/s);
  });

  it('lists a flavor in the Hub shape (huggingface_hub JobHardwareInfo)', () => {
    expect(hardwareJson(HUB_FLAVORS.find((f) => f.name === 'a10g-large')!)).toEqual({
      name: 'a10g-large',
      prettyName: 'Nvidia A10G - large',
      cpu: '12 vCPU',
      ram: '46 GB',
      ephemeralStorage: '200 GB',
      accelerator: { type: 'gpu', model: 'A10G', quantity: '1', vram: '24 GB', manufacturer: 'Nvidia' },
      unitCostMicroUSD: 0,
      unitCostUSD: 0,
      unitLabel: 'minute',
    });
    expect(hardwareJson(HUB_FLAVORS[0]!).accelerator).toBeNull();
  });

  it('reads Kubernetes and env sizes', () => {
    expect(parseMemory('16Gi')).toBe(16 * 1024 ** 3);
    expect(parseMemory('15G')).toBe(15e9);
    expect(parseMemory('512m')).toBe(512 * 1024 ** 2);
  });

  it('config reads the hardware file (YAML) and reports its problems under the setting name', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hw-'));
    const file = path.join(dir, 'hardware.yaml');
    writeFileSync(file, 'offer: [cpu-basic, t4-small]\ngpu:\n  labelPreset: gke\n');
    const ok = parseConfig({ SPACEPORT_HARDWARE_FILE: file });
    expect(ok.ok && Object.keys(ok.config.flavors)).toEqual(['cpu-basic', 't4-small']);
    expect(ok.ok && ok.config.hardware.gpu.productLabel).toBe('cloud.google.com/gke-accelerator');
    const bad = parseConfig({ SPACEPORT_HARDWARE: '{"offer": ["x1"]}' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems.join('\n')).toContain('SPACEPORT_HARDWARE: offer: "x1" is not a known flavor');
    const typo = parseConfig({ SPACEPORT_HARDWARE: '{"ofer": ["cpu-basic"]}' });
    expect(!typo.ok && typo.problems.join('\n')).toMatch(/SPACEPORT_HARDWARE: .*ofer/);
    const k8s = parseConfig({ SPACEPORT_RUNTIME: 'kubernetes' });
    expect(!k8s.ok && k8s.problems.join('\n')).toContain('SPACEPORT_REGISTRY');
  });
});

describe('sizeFlavorToHost: built-in flavors on a single Docker host (issue 15)', () => {
  const GiB = 1024 ** 3;
  const hub = (name: string) => HUB_FLAVORS.find((f) => f.name === name)!;

  it('gives cpu-basic a quarter of a 24 GiB, 2-core host, and says so', () => {
    const { flavor, note } = sizeFlavorToHost(hub('cpu-basic'), { cpus: 2, memoryBytes: 24 * GiB });
    expect(flavor).toMatchObject({ name: 'cpu-basic', cpus: 2, memoryBytes: 6 * GiB });
    expect(note).toBe("cpu-basic: 2 CPUs, 6 GiB (a quarter of this host's 24 GiB)");
    expect(sizeFlavorToHost(hub('cpu-upgrade'), { cpus: 2, memoryBytes: 24 * GiB }).flavor).toMatchObject({ cpus: 2, memoryBytes: 12 * GiB });
  });

  it('never gives more than the Hub\'s figure on a big host', () => {
    const { flavor, note } = sizeFlavorToHost(hub('cpu-basic'), { cpus: 64, memoryBytes: 512 * GiB });
    expect(flavor).toMatchObject({ cpus: 2, memoryBytes: 16 * GiB });
    expect(note).toMatch(/the Hub's figure/);
  });

  it('rounds down to 256 MiB and keeps at least that much', () => {
    expect(sizeFlavorToHost(hub('cpu-basic'), { cpus: 1, memoryBytes: 23.5 * GiB }).flavor.memoryBytes).toBe(5.75 * GiB);
    expect(sizeFlavorToHost(hub('cpu-basic'), { cpus: 1, memoryBytes: 512 * 1024 ** 2 }).flavor.memoryBytes).toBe(256 * 1024 ** 2);
  });

  it('leaves a flavor the operator sized, or one of the operator\'s own, as it is', () => {
    const hw = resolveHardware(hardwareFileSchema.parse({ flavors: { 'cpu-basic': { memory: '20Gi' }, big: { cpu: 4, memory: '64Gi' } } }));
    expect(hw.operatorSized).toEqual(['cpu-basic', 'big']);
    expect(sizeFlavorToHost(hw.flavors['cpu-basic']!, { cpus: 2, memoryBytes: 24 * GiB }, hw.operatorSized).flavor.memoryBytes).toBe(20 * GiB);
    expect(sizeFlavorToHost(hw.flavors.big!, { cpus: 2, memoryBytes: 24 * GiB }).flavor.memoryBytes).toBe(64 * GiB);
    expect(resolveHardware(hardwareFileSchema.parse({}), { cpus: 2, memoryBytes: 16 * GiB }).operatorSized).toEqual([]);
    expect(resolveHardware(hardwareFileSchema.parse({}), { cpus: 2, memoryBytes: 8 * GiB }).operatorSized).toEqual(['cpu-basic']);
  });
});
