import type { Instance } from '../runtime/runtime.js';
import type { ObservedInstance } from './stage.js';

const DEFAULT_STARTUP_TIMEOUT_MS = 30 * 60_000;

/** `startup_duration_timeout` of a release, as parsed by the builder (`SpaceConfig.startupTimeoutMs`). */
export function startupTimeoutOf(config: Record<string, unknown>): number {
  const v = config.startupTimeoutMs;
  return typeof v === 'number' && v > 0 ? v : DEFAULT_STARTUP_TIMEOUT_MS;
}

export function observe(instance: Instance | undefined): ObservedInstance {
  if (!instance) return { kind: 'absent' };
  const s = instance.state;
  switch (s.kind) {
    case 'exited':
      return { kind: 'exited', reason: s.reason };
    case 'failed':
      return { kind: 'failed', reason: s.reason };
    default:
      return { kind: s.kind };
  }
}
