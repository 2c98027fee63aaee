import { z } from 'zod';
import { STORAGE_TIER_NAMES, type StorageTier } from '../../core/index.js';

/** The Hub's storage tiers in request bodies (`POST …/storage`, `storageTier` on create). */
export const storageTierSchema = z.enum(STORAGE_TIER_NAMES as [StorageTier, ...StorageTier[]], {
  error: `must be one of ${STORAGE_TIER_NAMES.join(', ')} (20 GB, 150 GB, 1 TB)`,
});
