import type { Config } from '../../core/index.js';
import type { SpaceRecord } from '../store/records.js';

/** Idle seconds before sleep: the Space's own setting, else the operator default on cpu-basic, else never (-1). */
export function sleepSecondsFor(space: Pick<SpaceRecord, 'sleepSeconds' | 'hardware'>, config: Pick<Config, 'SPACEPORT_DEFAULT_SLEEP_SECONDS'>): number {
  if (space.sleepSeconds !== undefined) return space.sleepSeconds;
  return space.hardware === 'cpu-basic' ? config.SPACEPORT_DEFAULT_SLEEP_SECONDS : -1;
}
