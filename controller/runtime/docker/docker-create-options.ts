import type Dockerode from 'dockerode';
import { STORAGE_MOUNT_PATH, baseSubdomain, splitSpaceId, type Flavor, type ReleaseId, type SpaceId } from '../../../core/index.js';
import type { InstanceSpec } from '../runtime.js';

/** Labels the Docker runtime sets on every container it creates (they win over `spec.labels`). */
export const LABELS = {
  managed: 'spaceport.managed',
  /** Which Spaceport install owns the container (its name prefix): installs sharing an engine never see each other's. */
  instance: 'spaceport.instance',
  space: 'spaceport.space',
  release: 'spaceport.release',
  port: 'spaceport.port',
  flavor: 'spaceport.flavor',
  /** On a Space's data volume: the Space's uid (its storage key). */
  spaceUid: 'spaceport.space-uid',
  /** On an app that joins its network sandbox's namespace (snapshots/netns-sandbox.ts): the sandbox's published app port and its network. */
  sandboxPort: 'spaceport.sandbox-port',
  sandboxNetwork: 'spaceport.sandbox-network',
  /** On a network sandbox: the Space it holds the network namespace of (never `managed`: it is no instance). */
  sandboxOf: 'spaceport.sandbox-of',
} as const;

/** Spaces run as this user (as on the Hub); their `/data` belongs to it. */
export const APP_USER = { uid: 1000, gid: 1000 } as const;

export const DEFAULT_NAME_PREFIX = 'spaceport';

/** Appended to a container's name when Spaceport stops it on purpose (see `DockerRuntime.stop`). */
export const STOPPED_SUFFIX = '.stopped';

export interface DockerCreateOptionsInput {
  /** First part of container names, and the value of the `spaceport.instance` label. */
  namePrefix?: string;
  /** CPUs on the engine's host: a flavor asking for more gets this many (Docker refuses more than the host has). */
  hostCpus?: number;
  /** Cap of the writable layer (`StorageOpt.size`), where the storage driver takes one (see `DockerHostSizing`). */
  writableLayerBytes?: number;
  /** Most processes and threads one container may have (a fork bomb stops there). Default {@link DEFAULT_CONTAINER_LIMITS}. */
  pidsLimit?: number;
  /** Rotation of the container's json-file log: size of one file (`10m`) and how many are kept. */
  logMaxSize?: string;
  logMaxFiles?: number;
  /** The Docker network the container joins (the install's Space network); unset: the engine's default bridge. */
  network?: string;
}

/** Defaults of the operator's container settings (`SPACEPORT_CONTAINER_PIDS_LIMIT`, `SPACEPORT_CONTAINER_LOG_*`). */
export const DEFAULT_CONTAINER_LIMITS = { pidsLimit: 1024, logMaxSize: '10m', logMaxFiles: 3 } as const;

function dockerNamePart(text: string): string {
  const safe = text.replace(/[^a-zA-Z0-9_.-]/g, '-');
  return safe.length > 0 ? safe : '-';
}

/** `{prefix}-{subdomain}-{release}`, valid as a Docker name (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`). */
export function containerName(space: SpaceId, release: ReleaseId, namePrefix = DEFAULT_NAME_PREFIX): string {
  const name = `${dockerNamePart(namePrefix)}-${baseSubdomain(space)}-${dockerNamePart(release)}`;
  return /^[a-zA-Z0-9]/.test(name) ? name : `s${name}`;
}

/** `{prefix}-data-{key}`: the named volume that holds a Space's `/data` (the key is its uid, so a rename keeps it). */
export function dataVolumeName(key: string, namePrefix = DEFAULT_NAME_PREFIX): string {
  const name = `${dockerNamePart(namePrefix)}-data-${dockerNamePart(key)}`;
  return /^[a-zA-Z0-9]/.test(name) ? name : `s${name}`;
}

/** Create options of a Space's data volume (the local driver: no size limit, see the README). */
export function dataVolumeOptions(key: string, namePrefix = DEFAULT_NAME_PREFIX): { Name: string; Labels: Record<string, string> } {
  return {
    Name: dataVolumeName(key, namePrefix),
    Labels: { [LABELS.managed]: 'true', [LABELS.instance]: namePrefix, [LABELS.spaceUid]: key },
  };
}

/** The name a container gets while it is stopped on purpose. */
export function stoppedContainerName(space: SpaceId, release: ReleaseId, namePrefix = DEFAULT_NAME_PREFIX): string {
  return `${containerName(space, release, namePrefix)}${STOPPED_SUFFIX}`;
}

/** `16Gi`, `512Mi`: the form the Hub uses for the `MEMORY` env var. */
export function formatMemory(bytes: number): string {
  const gi = 1024 ** 3;
  const mi = 1024 ** 2;
  if (bytes >= gi && bytes % gi === 0) return `${bytes / gi}Gi`;
  return `${Math.round(bytes / mi)}Mi`;
}

export function effectiveCpus(flavor: Flavor, hostCpus?: number): number {
  return hostCpus !== undefined && hostCpus > 0 ? Math.min(flavor.cpus, hostCpus) : flavor.cpus;
}

/**
 * The identity and hardware variables the Hub injects into every Space (SPACES-SPEC §2) that follow
 * from the spec alone. `spec.env` wins over these (the controller adds SPACE_HOST, SPACE_TITLE, user
 * variables and secrets there).
 */
export function runtimeEnv(spec: InstanceSpec, cpus: number): Record<string, string> {
  const { owner, name } = splitSpaceId(spec.space);
  return {
    SYSTEM: 'spaces',
    SPACE_ID: spec.space,
    SPACE_AUTHOR_NAME: owner,
    SPACE_REPO_NAME: name,
    ACCELERATOR: spec.flavor.name.startsWith('cpu') ? 'none' : spec.flavor.name,
    CPU_CORES: String(cpus),
    MEMORY: formatMemory(spec.flavor.memoryBytes),
  };
}

/** Docker create options for one release of a Space. Pure: tested without a daemon. */
export function dockerCreateOptions(
  spec: InstanceSpec,
  opts: DockerCreateOptionsInput = {},
): Dockerode.ContainerCreateOptions {
  const namePrefix = opts.namePrefix ?? DEFAULT_NAME_PREFIX;
  const cpus = effectiveCpus(spec.flavor, opts.hostCpus);
  const portKey = `${spec.port}/tcp`;
  const env = { ...runtimeEnv(spec, cpus), ...spec.env };
  return {
    name: containerName(spec.space, spec.release, namePrefix),
    Image: spec.image,
    User: `${APP_USER.uid}:${APP_USER.gid}`,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ExposedPorts: { [portKey]: {} },
    Labels: {
      ...spec.labels,
      [LABELS.managed]: 'true',
      [LABELS.instance]: namePrefix,
      [LABELS.space]: spec.space,
      [LABELS.release]: spec.release,
      [LABELS.port]: String(spec.port),
      [LABELS.flavor]: spec.flavor.name,
    },
    HostConfig: {
      Init: true,
      NanoCpus: Math.round(cpus * 1e9),
      Memory: spec.flavor.memoryBytes,
      ...(spec.flavor.gpu && spec.flavor.gpu.count > 0
        ? { DeviceRequests: [{ Driver: 'nvidia', Count: spec.flavor.gpu.count, Capabilities: [['gpu']] }] }
        : {}),
      MemorySwap: spec.flavor.memoryBytes,
      ...(opts.writableLayerBytes ? { StorageOpt: { size: String(opts.writableLayerBytes) } } : {}),
      // Hardening: bounded processes, no capabilities, no setuid gains; the engine's default seccomp
      // profile applies because SecurityOpt never names another (never `seccomp=unconfined`).
      PidsLimit: opts.pidsLimit ?? DEFAULT_CONTAINER_LIMITS.pidsLimit,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      Privileged: false,
      PortBindings: { [portKey]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
      ...(opts.network ? { NetworkMode: opts.network } : {}),
      ...(spec.storage
        ? { Mounts: [{ Type: 'volume' as const, Source: dataVolumeName(spec.storage.key, namePrefix), Target: STORAGE_MOUNT_PATH }] }
        : {}),
      // The reconciler restarts with backoff; Docker must not restart on its own.
      RestartPolicy: { Name: 'no' },
      LogConfig: {
        Type: 'json-file',
        Config: {
          'max-size': opts.logMaxSize ?? DEFAULT_CONTAINER_LIMITS.logMaxSize,
          'max-file': String(opts.logMaxFiles ?? DEFAULT_CONTAINER_LIMITS.logMaxFiles),
        },
      },
    },
  };
}
