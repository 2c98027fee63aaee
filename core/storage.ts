/**
 * The Hub's persistent storage tiers (SPACES-SPEC §3), in decimal bytes as the Hub sold them:
 * small 20 GB, medium 150 GB, large 1 TB. Listed smallest first: a tier can be upgraded, never
 * downgraded (delete the storage, then ask for the smaller tier).
 */
export const STORAGE_TIERS = {
  small: 20e9,
  medium: 150e9,
  large: 1e12,
} as const satisfies Record<string, number>;

export type StorageTier = keyof typeof STORAGE_TIERS;

export const STORAGE_TIER_NAMES = Object.keys(STORAGE_TIERS) as StorageTier[];

/** Where persistent storage is mounted in a Space's container. */
export const STORAGE_MOUNT_PATH = '/data';

/** Where Hugging Face libraries keep their caches when a Space has storage (the Hub's advice), unless the owner set `HF_HOME`. */
export const STORAGE_HF_HOME = '/data/.huggingface';

export function isStorageTier(value: unknown): value is StorageTier {
  return typeof value === 'string' && Object.hasOwn(STORAGE_TIERS, value);
}

/** Whether going from `from` to `to` makes the storage smaller (refused: the Hub only upgrades). */
export function isStorageDowngrade(from: StorageTier, to: StorageTier): boolean {
  return STORAGE_TIERS[to] < STORAGE_TIERS[from];
}
