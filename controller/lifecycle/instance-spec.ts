import { STORAGE_HF_HOME, STORAGE_TIERS, type Flavor } from '../../core/index.js';
import { sdkTraits } from '../../templates/index.js';
import type { InstanceSpec, StorageSpec } from '../runtime/runtime.js';
import type { ReleaseRecord, SettingRecord, SpaceRecord } from '../store/records.js';

export interface InstanceSpecInput {
  space: SpaceRecord;
  release: ReleaseRecord;
  flavor: Flavor;
  domain: string;
  /** The port visitors reach Spaces on, when not the scheme's default: SPACE_HOST carries it. */
  publicPort?: number;
  variables: SettingRecord[];
  secrets: SettingRecord[];
}

function formatMemory(bytes: number): string {
  const gi = bytes / 1024 ** 3;
  return Number.isInteger(gi) ? `${gi}Gi` : `${Math.round(bytes / 1024 ** 2)}Mi`;
}

/** `alice-demo.example.com`, with `:port` when Spaces are served on another port than 80 or 443. */
export function spaceHostFor(subdomain: string, domain: string, port?: number): string {
  return port === undefined || port === 0 || port === 80 || port === 443 ? `${subdomain}.${domain}` : `${subdomain}.${domain}:${port}`;
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
    SPACE_HOST: spaceHostFor(space.subdomain, input.domain, input.publicPort),
    SPACE_CREATOR_USER_ID: space.owner,
    ACCELERATOR: 'none',
    CPU_CORES: String(flavor.cpus),
    MEMORY: formatMemory(flavor.memoryBytes),
    PORT: String(release.port),
  };
  Object.assign(env, sdkTraits(space.sdk).runEnv(release.port));
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
