import { z } from 'zod';

/** One Kubernetes toleration, as in a pod spec. */
export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface FlavorGpu {
  count: number;
  /** The product as NVIDIA names it (`Tesla-T4`, `NVIDIA-A10G`); mapped to this cluster's label value by `GpuScheduling`. */
  product: string;
  /** Shown in the hardware list: `T4`, `A10G`. */
  model: string;
  /** Total VRAM in GB (the Hub's figure). */
  vramGb: number;
}

/** A hardware flavor, named as on the Hub (`cpu-basic`, `t4-small`, …). `cpus`/`memoryBytes` are the limits. */
export interface Flavor {
  name: string;
  prettyName?: string;
  cpus: number;
  memoryBytes: number;
  /** What the scheduler reserves (Kubernetes requests); default: the limits. */
  requests?: { cpus: number; memoryBytes: number };
  gpu?: FlavorGpu;
  /** Ephemeral disk the Hub gives this flavor, in GB (shown only). */
  diskGb?: number;
  /** Price per hour shown in the hardware list (0 on a self-hosted install unless an operator sets it). */
  costPerHourUSD?: number;
}

/** How this cluster labels and taints GPU nodes (per cluster, not per flavor). */
export interface GpuScheduling {
  /** The extended resource a GPU pod asks for in its limits. */
  resourceName: string;
  /** The node label that names the GPU product: `nvidia.com/gpu.product` (GPU feature discovery) or `cloud.google.com/gke-accelerator`. */
  productLabel: string;
  /** Product (`Tesla-T4`) → the value this cluster's label has for it (`nvidia-tesla-t4` on GKE). Missing: the product itself. */
  productValues: Record<string, string>;
  /** Added to GPU pods only (GPU nodes are usually tainted). */
  tolerations: Toleration[];
  runtimeClassName?: string;
  /** Added to GPU pods only. */
  nodeSelector: Record<string, string>;
}

export interface HardwareConfig {
  /** The flavors this installation offers, by name, in display order. */
  flavors: Record<string, Flavor>;
  gpu: GpuScheduling;
  /** Added to every Space pod (e.g. a node pool for Spaces). */
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  /**
   * Requests as a fraction of the limits, for flavors without explicit `requests` (1: guaranteed,
   * as on the Hub; lower packs more Spaces on a node, sharing CPU like the Hub's free tier).
   */
  requestRatio: { cpu: number; memory: number };
  /**
   * Flavors whose CPUs or memory the operator set (the hardware file, or SPACEPORT_CPU_BASIC_* away
   * from the Hub's figure): a Docker host never resizes them (see `sizeFlavorToHost`).
   */
  operatorSized?: readonly string[];
}

const GIB = 1024 ** 3;

function gpu(count: number, product: string, model: string, vramGb: number): FlavorGpu {
  return { count, product, model, vramGb };
}

/** The Hub's flavors and sizes (SPACES-SPEC §3). RAM is the Hub's "GB" taken as GiB, as Kubernetes sizes are. */
export const HUB_FLAVORS: readonly Flavor[] = [
  { name: 'cpu-basic', prettyName: 'CPU basic', cpus: 2, memoryBytes: 16 * GIB, diskGb: 50 },
  { name: 'cpu-upgrade', prettyName: 'CPU upgrade', cpus: 8, memoryBytes: 32 * GIB, diskGb: 50 },
  { name: 't4-small', prettyName: 'Nvidia T4 - small', cpus: 4, memoryBytes: 15 * GIB, gpu: gpu(1, 'Tesla-T4', 'T4', 16), diskGb: 50 },
  { name: 't4-medium', prettyName: 'Nvidia T4 - medium', cpus: 8, memoryBytes: 30 * GIB, gpu: gpu(1, 'Tesla-T4', 'T4', 16), diskGb: 100 },
  { name: 'l4x1', prettyName: '1x Nvidia L4', cpus: 8, memoryBytes: 30 * GIB, gpu: gpu(1, 'NVIDIA-L4', 'L4', 24), diskGb: 400 },
  { name: 'l4x4', prettyName: '4x Nvidia L4', cpus: 48, memoryBytes: 186 * GIB, gpu: gpu(4, 'NVIDIA-L4', 'L4', 96), diskGb: 3200 },
  { name: 'l40sx1', prettyName: '1x Nvidia L40S', cpus: 8, memoryBytes: 62 * GIB, gpu: gpu(1, 'NVIDIA-L40S', 'L40S', 48), diskGb: 380 },
  { name: 'l40sx4', prettyName: '4x Nvidia L40S', cpus: 48, memoryBytes: 382 * GIB, gpu: gpu(4, 'NVIDIA-L40S', 'L40S', 192), diskGb: 3200 },
  { name: 'l40sx8', prettyName: '8x Nvidia L40S', cpus: 192, memoryBytes: 1534 * GIB, gpu: gpu(8, 'NVIDIA-L40S', 'L40S', 384), diskGb: 6500 },
  { name: 'a10g-small', prettyName: 'Nvidia A10G - small', cpus: 4, memoryBytes: 15 * GIB, gpu: gpu(1, 'NVIDIA-A10G', 'A10G', 24), diskGb: 110 },
  { name: 'a10g-large', prettyName: 'Nvidia A10G - large', cpus: 12, memoryBytes: 46 * GIB, gpu: gpu(1, 'NVIDIA-A10G', 'A10G', 24), diskGb: 200 },
  { name: 'a10g-largex2', prettyName: '2x Nvidia A10G - large', cpus: 24, memoryBytes: 92 * GIB, gpu: gpu(2, 'NVIDIA-A10G', 'A10G', 48), diskGb: 1000 },
  { name: 'a10g-largex4', prettyName: '4x Nvidia A10G - large', cpus: 48, memoryBytes: 184 * GIB, gpu: gpu(4, 'NVIDIA-A10G', 'A10G', 96), diskGb: 2000 },
  { name: 'a100-large', prettyName: 'Nvidia A100 - large', cpus: 12, memoryBytes: 142 * GIB, gpu: gpu(1, 'NVIDIA-A100-SXM4-80GB', 'A100', 80), diskGb: 1000 },
  { name: 'a100x4', prettyName: '4x Nvidia A100', cpus: 48, memoryBytes: 568 * GIB, gpu: gpu(4, 'NVIDIA-A100-SXM4-80GB', 'A100', 320), diskGb: 4000 },
  { name: 'a100x8', prettyName: '8x Nvidia A100', cpus: 96, memoryBytes: 1136 * GIB, gpu: gpu(8, 'NVIDIA-A100-SXM4-80GB', 'A100', 640), diskGb: 8000 },
];

/** GKE's accelerator label values for the Hub's products (`gpu.labelPreset: gke`). */
export const GKE_PRODUCT_VALUES: Readonly<Record<string, string>> = {
  'Tesla-T4': 'nvidia-tesla-t4',
  'NVIDIA-L4': 'nvidia-l4',
  'NVIDIA-L40S': 'nvidia-l40s',
  'NVIDIA-A10G': 'nvidia-a10g',
  'NVIDIA-A100-SXM4-80GB': 'nvidia-a100-80gb',
};

const quantity = z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?(m|[KMGT]i?|[kmgt]i?b?)?$/, 'a quantity like 4, 500m, 16Gi or 15g')]);

const tolerationSchema = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
});

const flavorSchema = z.strictObject({
  prettyName: z.string().optional(),
  cpu: quantity.optional(),
  memory: quantity.optional(),
  requests: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
  gpu: z
    .strictObject({
      count: z.number().int().min(0),
      product: z.string().min(1),
      model: z.string().optional(),
      vramGb: z.number().positive().optional(),
    })
    .nullable()
    .optional(),
  diskGb: z.number().positive().optional(),
  costPerHourUSD: z.number().min(0).optional(),
});

/**
 * The operator's hardware file (`SPACEPORT_HARDWARE_FILE`, YAML or JSON; the chart's `hardware`
 * value, whose JSON schema is generated from this one by scripts/k8s/hardware-schema.ts). Strict: a misspelt
 * key is an error naming it.
 */
export const hardwareFileSchema = z.strictObject({
  /** Which flavors to offer, in order; default: every flavor known here (the runtime may still refuse GPU flavors). */
  offer: z.array(z.string().min(1)).optional(),
  /** Flavors to add, or fields to change on the Hub's. */
  flavors: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a flavor name like t4-small'), flavorSchema).default({}),
  gpu: z
    .strictObject({
      resourceName: z.string().default('nvidia.com/gpu'),
      /** `nvidia`: label nvidia.com/gpu.product with NVIDIA's product names; `gke`: cloud.google.com/gke-accelerator. */
      labelPreset: z.enum(['nvidia', 'gke']).default('nvidia'),
      productLabel: z.string().optional(),
      productValues: z.record(z.string(), z.string()).default({}),
      tolerations: z.array(tolerationSchema).optional(),
      runtimeClassName: z.string().optional(),
      nodeSelector: z.record(z.string(), z.string()).default({}),
    })
    .default({ resourceName: 'nvidia.com/gpu', labelPreset: 'nvidia', productValues: {}, nodeSelector: {} }),
  nodeSelector: z.record(z.string(), z.string()).default({}),
  tolerations: z.array(tolerationSchema).default([]),
  requestRatio: z.strictObject({ cpu: z.number().gt(0).max(1).default(1), memory: z.number().gt(0).max(1).default(1) }).default({ cpu: 1, memory: 1 }),
});

export type HardwareFile = z.output<typeof hardwareFileSchema>;

/** `4`, `500m` → CPUs; `16Gi`, `15g`, `512Mi`, bytes → bytes. */
export function parseCpu(q: number | string): number {
  if (typeof q === 'number') return q;
  return q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q);
}

export function parseMemory(q: number | string): number {
  if (typeof q === 'number') return q;
  const m = /^(\d+(?:\.\d+)?)([KMGT]i?|[kmgt]i?b?)?$/.exec(q);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  const unit = m[2] ?? '';
  const pow = { k: 1, m: 2, g: 3, t: 4 }[unit[0]!.toLowerCase() as 'k'] ?? 0;
  // Kubernetes: `16G` is decimal, `16Gi` binary. Our env settings (`16g`) have always meant binary.
  const decimal = /^[KMGT]$/.test(unit);
  return Math.round(n * (decimal ? 1000 : 1024) ** pow);
}

/**
 * The hardware this installation knows: the Hub's flavors, changed and extended by the operator's
 * file, narrowed to `offer`. Throws with every problem named (the caller reports them as config errors).
 */
export function resolveHardware(file: HardwareFile, cpuBasic?: { cpus: number; memoryBytes: number }): HardwareConfig {
  const problems: string[] = [];
  const known = new Map<string, Flavor>(HUB_FLAVORS.map((f) => [f.name, { ...f }]));
  const operatorSized = new Set<string>();
  const hubBasic = known.get('cpu-basic')!;
  if (cpuBasic) known.set('cpu-basic', { ...hubBasic, ...cpuBasic });
  if (cpuBasic && (cpuBasic.cpus !== hubBasic.cpus || cpuBasic.memoryBytes !== hubBasic.memoryBytes)) operatorSized.add('cpu-basic');
  for (const [name, patch] of Object.entries(file.flavors)) {
    if (patch.cpu !== undefined || patch.memory !== undefined) operatorSized.add(name);
    const base = known.get(name);
    if (!base && (patch.cpu === undefined || patch.memory === undefined)) {
      problems.push(`flavors.${name}: a new flavor needs "cpu" and "memory" (e.g. cpu: 4, memory: 16Gi)`);
      continue;
    }
    const cpus = patch.cpu !== undefined ? parseCpu(patch.cpu) : base!.cpus;
    const memoryBytes = patch.memory !== undefined ? parseMemory(patch.memory) : base!.memoryBytes;
    if (!Number.isFinite(memoryBytes) || memoryBytes <= 0) problems.push(`flavors.${name}.memory: a size like 16Gi`);
    const flavor: Flavor = { ...base, name, cpus, memoryBytes };
    if (patch.prettyName !== undefined) flavor.prettyName = patch.prettyName;
    if (patch.requests) {
      flavor.requests = {
        cpus: patch.requests.cpu !== undefined ? parseCpu(patch.requests.cpu) : cpus,
        memoryBytes: patch.requests.memory !== undefined ? parseMemory(patch.requests.memory) : memoryBytes,
      };
    }
    if (patch.gpu === null || patch.gpu?.count === 0) delete flavor.gpu;
    else if (patch.gpu) {
      flavor.gpu = {
        count: patch.gpu.count,
        product: patch.gpu.product,
        model: patch.gpu.model ?? base?.gpu?.model ?? patch.gpu.product,
        vramGb: patch.gpu.vramGb ?? base?.gpu?.vramGb ?? 0,
      };
    }
    if (patch.diskGb !== undefined) flavor.diskGb = patch.diskGb;
    if (patch.costPerHourUSD !== undefined) flavor.costPerHourUSD = patch.costPerHourUSD;
    known.set(name, flavor);
  }
  const order = file.offer ?? [...known.keys()];
  const flavors: Record<string, Flavor> = {};
  for (const name of order) {
    const f = known.get(name);
    if (!f) problems.push(`offer: "${name}" is not a known flavor; define it under flavors (known: ${[...known.keys()].join(', ')})`);
    else flavors[name] = f;
  }
  if (Object.keys(flavors).length === 0) problems.push('offer: offer at least one flavor');
  if (problems.length > 0) throw new HardwareConfigError(problems);
  const gke = file.gpu.labelPreset === 'gke';
  return {
    flavors,
    gpu: {
      resourceName: file.gpu.resourceName,
      productLabel: file.gpu.productLabel ?? (gke ? 'cloud.google.com/gke-accelerator' : 'nvidia.com/gpu.product'),
      productValues: { ...(gke ? GKE_PRODUCT_VALUES : {}), ...file.gpu.productValues },
      tolerations: file.gpu.tolerations ?? [{ key: file.gpu.resourceName, operator: 'Exists', effect: 'NoSchedule' }],
      ...(file.gpu.runtimeClassName ? { runtimeClassName: file.gpu.runtimeClassName } : {}),
      nodeSelector: file.gpu.nodeSelector,
    },
    nodeSelector: file.nodeSelector,
    tolerations: file.tolerations,
    requestRatio: file.requestRatio,
    operatorSized: [...operatorSized],
  };
}

/** What a Docker engine's host has (`docker info`: NCPU, MemTotal). */
export interface HostResources {
  cpus: number;
  memoryBytes: number;
}

/** The share of the host's memory a built-in flavor may take: cpu-basic a quarter, the others a half. */
export const HOST_MEMORY_SHARE: Readonly<Record<string, number>> = { 'cpu-basic': 0.25 };
const DEFAULT_HOST_MEMORY_SHARE = 0.5;
const SHARE_WORDS: Readonly<Record<number, string>> = { 0.25: 'a quarter', 0.5: 'half' };
const MEMORY_STEP = 256 * 1024 ** 2;

/**
 * A built-in flavor sized to a single host: at most its share of the host's memory (rounded down to
 * 256 MiB) and at most the host's CPUs, never more than the flavor's own figure (the Hub's). A
 * flavor the operator sized, or one that is not built in, keeps its figures. `note` says what was
 * decided, for the log at start.
 */
export function sizeFlavorToHost(f: Flavor, host: HostResources, operatorSized: readonly string[] = []): { flavor: Flavor; note: string } {
  const builtIn = HUB_FLAVORS.some((h) => h.name === f.name);
  const gib = (b: number): string => `${Math.round((b / GIB) * 10) / 10} GiB`;
  if (!builtIn || operatorSized.includes(f.name)) {
    return { flavor: f, note: `${f.name}: ${f.cpus} CPUs, ${gib(f.memoryBytes)} (set by the operator)` };
  }
  const share = HOST_MEMORY_SHARE[f.name] ?? DEFAULT_HOST_MEMORY_SHARE;
  const cap = Math.max(MEMORY_STEP, Math.floor((host.memoryBytes * share) / MEMORY_STEP) * MEMORY_STEP);
  const memoryBytes = Math.min(f.memoryBytes, cap);
  const cpus = host.cpus > 0 ? Math.min(f.cpus, host.cpus) : f.cpus;
  const why =
    memoryBytes < f.memoryBytes
      ? `${SHARE_WORDS[share] ?? `${share * 100}%`} of this host's ${gib(host.memoryBytes)}`
      : `the Hub's figure; this host has ${gib(host.memoryBytes)}`;
  return { flavor: { ...f, cpus, memoryBytes }, note: `${f.name}: ${cpus} CPUs, ${gib(memoryBytes)} (${why})` };
}

export class HardwareConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/** What a flavor asks the scheduler for: its requests, else its limits times the cluster's ratio. */
export function flavorRequests(f: Flavor, ratio: { cpu: number; memory: number } = { cpu: 1, memory: 1 }): { cpus: number; memoryBytes: number } {
  return f.requests ?? { cpus: f.cpus * ratio.cpu, memoryBytes: Math.round(f.memoryBytes * ratio.memory) };
}

function gbText(bytes: number): string {
  return `${Math.round(bytes / GIB)} GB`;
}

/** One entry of `GET /api/spaces/hardware`, in the Hub's shape (`JobHardwareInfo` in huggingface_hub). */
export function hardwareJson(f: Flavor): Record<string, unknown> {
  const perMinuteUSD = (f.costPerHourUSD ?? 0) / 60;
  return {
    name: f.name,
    prettyName: f.prettyName ?? f.name,
    cpu: `${f.cpus} vCPU`,
    ram: gbText(f.memoryBytes),
    ephemeralStorage: f.diskGb !== undefined ? `${f.diskGb} GB` : 'N/A',
    accelerator: f.gpu
      ? { type: 'gpu', model: f.gpu.model, quantity: String(f.gpu.count), vram: `${f.gpu.vramGb} GB`, manufacturer: 'Nvidia' }
      : null,
    unitCostMicroUSD: Math.round(perMinuteUSD * 1e6),
    unitCostUSD: perMinuteUSD,
    unitLabel: 'minute',
  };
}

