import { STORAGE_HF_HOME, STORAGE_TIERS, type Flavor } from '../../core/index.js';
import type { InstanceSpec, StorageSpec } from '../runtime/runtime.js';
import type { ReleaseRecord, SettingRecord, SpaceRecord } from '../store/records.js';

export interface InstanceSpecInput {
  space: SpaceRecord;
  release: ReleaseRecord;
  flavor: Flavor;
  domain: string;
  variables: SettingRecord[];
  secrets: SettingRecord[];
}

function formatMemory(bytes: number): string {
  const gi = bytes / 1024 ** 3;
  return Number.isInteger(gi) ? `${gi}Gi` : `${Math.round(bytes / 1024 ** 2)}Mi`;
}

/**
 * The env and resources of one release, as on the Hub (SPACES-SPEC §2): identity and hardware
 * variables, then the owner's variables, then secrets (runtime only, never in an image).
 */
export function instanceSpecFor(input: InstanceSpecInput): InstanceSpec {
  const { space, release, flavor } = input;
  const config = release.config;
  const env: Record<string, string> = {
    SYSTEM: 'spaces',
    SPACE_ID: space.id,
    SPACE_AUTHOR_NAME: space.owner,
    SPACE_REPO_NAME: space.name,
    SPACE_TITLE: typeof config.title === 'string' ? config.title : space.name,
    SPACE_HOST: `${space.subdomain}.${input.domain}`,
    SPACE_CREATOR_USER_ID: space.owner,
    ACCELERATOR: 'none',
    CPU_CORES: String(flavor.cpus),
    MEMORY: formatMemory(flavor.memoryBytes),
    PORT: String(release.port),
  };
  if (space.sdk === 'gradio') {
    env.GRADIO_SERVER_NAME = '0.0.0.0';
    env.GRADIO_SERVER_PORT = String(release.port);
  }
  for (const v of input.variables) env[v.key] = v.value;
  for (const s of input.secrets) env[s.key] = s.value;
  const storage = storageSpecFor(space);
  // The Hub's advice for Spaces with storage: keep the Hugging Face caches on /data.
  if (storage && env.HF_HOME === undefined) env.HF_HOME = STORAGE_HF_HOME;
  return {
    space: space.id,
    release: release.id,
    image: release.image,
    port: release.port,
    env,
    secretKeys: input.secrets.map((s) => s.key),
    flavor,
    labels: { 'spaceport.commit': release.commit },
    ...(storage ? { storage } : {}),
  };
}

/** The Space's persistent storage, keyed by its uid (a rename keeps the data), sized as the Hub's tier. */
export function storageSpecFor(space: Pick<SpaceRecord, 'uid' | 'storageTier'>): StorageSpec | undefined {
  if (!space.storageTier) return undefined;
  return { key: space.uid, tier: space.storageTier, sizeBytes: STORAGE_TIERS[space.storageTier] };
}
