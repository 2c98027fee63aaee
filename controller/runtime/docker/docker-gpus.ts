import type Dockerode from 'dockerode';
import type { Flavor } from '../../../core/index.js';

/**
 * How many NVIDIA GPUs a Docker engine can hand to containers: 0 unless the engine has the `nvidia`
 * runtime (the NVIDIA container toolkit), then `setting` if it is a number, else 1 per `/dev/nvidiaN`
 * the engine reports through its info (at least 1).
 */
export async function detectDockerGpus(docker: Dockerode, setting: 'auto' | number): Promise<number> {
  if (typeof setting === 'number') return setting;
  const info = (await docker.info()) as { Runtimes?: Record<string, unknown>; GenericResources?: unknown[] };
  const hasNvidia = Object.keys(info.Runtimes ?? {}).some((r) => r.startsWith('nvidia'));
  if (!hasNvidia) return 0;
  return Math.max(1, (info.GenericResources ?? []).length);
}

/** Why this engine cannot run a flavor (its GPUs), naming the flavor; undefined when it can. */
export function refuseGpuFlavor(flavor: Flavor, gpus: number): string | undefined {
  if (!flavor.gpu || flavor.gpu.count === 0) return undefined;
  const wants = `${flavor.gpu.count} NVIDIA ${flavor.gpu.model} GPU${flavor.gpu.count > 1 ? 's' : ''}`;
  if (gpus === 0) {
    return `Hardware "${flavor.name}" needs ${wants}, and this installation's Docker engine has no GPUs (no nvidia runtime; install the NVIDIA container toolkit, or run Spaceport on Kubernetes with a GPU node pool).`;
  }
  if (flavor.gpu.count > gpus) return `Hardware "${flavor.name}" needs ${wants}; this Docker engine has ${gpus}.`;
  return undefined;
}
