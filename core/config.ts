import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isIP } from 'node:net';
import YAML from 'yaml';
import { z } from 'zod';
import { HardwareConfigError, hardwareFileSchema, resolveHardware, type Flavor, type HardwareConfig } from './hardware.js';

const bytes = z
  .string()
  .regex(/^\d+(\.\d+)?\s*([kmgt]i?b?)?$/i, 'a size like 512m, 2g or 16Gi')
  .transform(parseBytes);

function parseBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt])?/i.exec(text.trim());
  const n = Number(m?.[1] ?? 0);
  const unit = (m?.[2] ?? '').toLowerCase();
  const pow = { '': 0, k: 1, m: 2, g: 3, t: 4 }[unit] ?? 0;
  return Math.round(n * 1024 ** pow);
}

/** `10.0.0.0/8`, `fd00::/8` or one address. */
function isCidr(text: string): boolean {
  const [net, bits, extra] = text.split('/');
  const family = isIP(net ?? '');
  if (extra !== undefined || family === 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/**
 * What a Space may open connections to on Docker (`SPACEPORT_SPACE_EGRESS`). Never the host, other
 * Spaces or link-local/metadata addresses, whatever the setting, except `all-unfiltered` (no host
 * firewall rules at all: for a host without iptables; Spaces still sit on their own network).
 */
export type SpaceEgress = { kind: 'all' } | { kind: 'none' } | { kind: 'cidrs'; cidrs: string[] } | { kind: 'all-unfiltered' };

export const SPACE_EGRESS_HINT = '"all", "none", "all-unfiltered" or a comma list of networks like 151.101.0.0/16,2a04:4e42::/32';

/** `all`, `none`, `all-unfiltered`, or `10.0.0.0/8,fd00::/8`; undefined when it is none of these. */
export function parseSpaceEgress(text: string): SpaceEgress | undefined {
  const value = text.trim();
  if (value === 'all' || value === 'none' || value === 'all-unfiltered') return { kind: value };
  const cidrs = value.split(',').map((x) => x.trim()).filter(Boolean);
  if (cidrs.length === 0 || !cidrs.every(isCidr)) return undefined;
  return { kind: 'cidrs', cidrs };
}

const list = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

/** Every operator setting, as an environment variable. `spaceport up` flags map onto the same names. */
export const configSchema = z.object({
  SPACEPORT_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  SPACEPORT_HOST: z.string().default('0.0.0.0'),
  SPACEPORT_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+$/i, 'a host name such as localhost or spaces.example.com')
    .default('localhost'),
  /** The endpoint clients use (HF_ENDPOINT); default http://{domain}:{port}. */
  SPACEPORT_PUBLIC_URL: z.url().optional(),
  /**
   * Other host names clients may reach the API by (comma list). Returned URLs use the client's host
   * only when it is one of these, the domain, or loopback; otherwise the public URL.
   */
  SPACEPORT_ALLOWED_HOSTS: list.default([]),
  SPACEPORT_DATA_DIR: z.string().default('.data'),
  /**
   * PostgreSQL for the controller's state instead of SQLite in the data dir (postgres://user:password@host:5432/db).
   * A secret: never logged, and left out of config problems. Unset: SQLite, the embedded default.
   */
  SPACEPORT_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'a PostgreSQL URL such as postgres://spaceport:password@db:5432/spaceport')
    .optional(),
  /** The most one store call to PostgreSQL may block the controller (ms); past it the request gets 503 DatabaseUnavailable. */
  SPACEPORT_DATABASE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /**
   * With PostgreSQL, controller replicas elect a leader (controller/leadership/): the most a dead
   * leader keeps the lead (ms), and how often the others try to take it (ms).
   */
  SPACEPORT_LEADER_LEASE_MS: z.coerce.number().int().min(5000).max(120_000).default(10_000),
  SPACEPORT_LEADER_RETRY_MS: z.coerce.number().int().min(100).max(10_000).default(1000),
  SPACEPORT_ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  SPACEPORT_ADMIN_USER: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/).default('admin'),
  SPACEPORT_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Where Spaces run: docker (one host) or kubernetes (a cluster; images pushed to SPACEPORT_REGISTRY). */
  SPACEPORT_RUNTIME: z.enum(['docker', 'kubernetes'], { error: '"docker" or "kubernetes"' }).default('docker'),
  DOCKER_HOST: z.string().optional(),
  /** The hardware table (flavors offered, GPU labels and taints), YAML or JSON: a file, or the document inline. */
  SPACEPORT_HARDWARE_FILE: z.string().optional(),
  SPACEPORT_HARDWARE: z.string().optional(),
  /** Docker: how many NVIDIA GPUs the engine may hand out (`auto`: ask the engine for an nvidia runtime). */
  SPACEPORT_DOCKER_GPUS: z.union([z.literal('auto'), z.coerce.number().int().min(0)]).default('auto'),
  /** Kubernetes: the namespace Spaces run in, and a kubeconfig (default: in-cluster, then ~/.kube/config). */
  SPACEPORT_K8S_NAMESPACE: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a namespace name').default('spaceport-spaces'),
  SPACEPORT_KUBECONFIG: z.string().optional(),
  /** Kubernetes: storage class of Spaces' persistent /data volumes (default: the cluster's default class). */
  SPACEPORT_STORAGE_CLASS: z.string().optional(),
  /** Kubernetes: dockerconfigjson Secrets in the Spaces namespace that Space pods pull their images with (comma-separated names). */
  SPACEPORT_K8S_IMAGE_PULL_SECRETS: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(,[a-z0-9]([-a-z0-9.]*[a-z0-9])?)*$/, 'Secret names separated by commas, e.g. spaceport-pull')
    .optional(),
  /** Kubernetes: the PriorityClass of Space pods (the chart's scheduling.priorityClasses: placeholders have a lower one, so Spaces preempt them). */
  SPACEPORT_K8S_PRIORITY_CLASS: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a PriorityClass name, e.g. spaceport-spaceport-spaces').optional(),
  /** Where built images are pushed (`host[:port]/prefix`), and the name nodes pull them by (default: the same). */
  SPACEPORT_REGISTRY: z.string().regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._/-]+)?$/, 'a registry like registry.example.com/spaceport or 127.0.0.1:5000/spaceport').optional(),
  SPACEPORT_REGISTRY_PULL: z.string().optional(),
  SPACEPORT_REGISTRY_USERNAME: z.string().optional(),
  SPACEPORT_REGISTRY_PASSWORD: z.string().optional(),
  /** Names this install's containers (several installs can share one Docker engine). */
  SPACEPORT_INSTANCE_NAME: z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'lowercase letters, digits and "-"').default('spaceport'),
  /** Debian mirror for building base images (air-gapped sites point this at their own). */
  SPACEPORT_DEBIAN_MIRROR: z.string().optional(),
  /** npm registry for the Node.js releases static builds use (`node-linux-<arch>`, `npm`). */
  SPACEPORT_NPM_REGISTRY: z.url({ protocol: /^https?$/ }).default('https://registry.npmjs.org/'),
  /**
   * Registry mirrors (`host:port` or `https://host`, comma-separated) that a Space's registry images
   * (`FROM python:3.11`) are pulled through before its build: `{mirror}/library/python:3.11`.
   */
  SPACEPORT_REGISTRY_MIRRORS: list.default([]),
  /** A PEP 691 simple index where the pinned SDK release's upload date is looked up (old pins resolve at that date); `off`: not looked up. */
  SPACEPORT_PYPI_SIMPLE_URL: z.union([z.literal('off'), z.url({ protocol: /^https?$/ })]).default('https://pypi.org/simple'),
  /** Where downloaded Node.js and npm tarballs are cached, by sha512; default {data dir}/cache/node. */
  SPACEPORT_NODE_CACHE: z.string().optional(),
  /** Where debootstrapped root filesystems are cached; default {data dir}/cache/rootfs. */
  SPACEPORT_ROOTFS_CACHE: z.string().optional(),
  /** Resources of the cpu-basic flavor on this host. */
  SPACEPORT_CPU_BASIC_CPUS: z.coerce.number().positive().default(2),
  SPACEPORT_CPU_BASIC_MEMORY: bytes.default(16 * 1024 ** 3),
  /**
   * Python base images per python_version, as JSON, on top of Spaceport's own (3.9, 3.11, 3.13, made
   * from Debian bullseye, bookworm, trixie): e.g. {"3.10":"registry.example.com/python:3.10"}.
   */
  SPACEPORT_PYTHON_IMAGES: z
    .string()
    .transform((s, ctx) => {
      try {
        return z.record(z.string().regex(/^\d+\.\d+$/), z.string().min(1)).parse(JSON.parse(s));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'JSON object of "major.minor" versions to images, like {"3.10":"registry.example.com/python:3.10"}' });
        return z.NEVER;
      }
    })
    .default({}),
  /** The python_version of a Space whose README names none (the Hub's default, 3.10; the nearest image is used). */
  SPACEPORT_DEFAULT_PYTHON: z.string().regex(/^\d+\.\d+$/, 'a version like 3.10').default('3.10'),
  /**
   * What installs a Python Space's packages: uv (one `uv pip install` from a per-owner cache, falling
   * back to pip when uv refuses the requirements) or pip alone (the Hub's installer).
   */
  SPACEPORT_PYTHON_INSTALLER: z.enum(['uv', 'pip']).default('uv'),
  /** Build the base images in the background at start (a fresh install's first push then waits less). */
  SPACEPORT_PREPARE_BASE_IMAGES: z.stringbool().default(true),
  SPACEPORT_BUILD_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  /** A build running longer than this is stopped and fails (BUILD_ERROR, saying so); a new push or a restart cancels one sooner. */
  SPACEPORT_BUILD_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(3600),
  /** CA bundle and proxies handed to image builds (pip and apt inside the build must trust and reach the index). */
  SPACEPORT_BUILD_CA_BUNDLE: z.string().default('/etc/ssl/certs/ca-certificates.crt'),
  SPACEPORT_BUILD_HTTP_PROXY: z.string().optional(),
  SPACEPORT_BUILD_HTTPS_PROXY: z.string().optional(),
  SPACEPORT_BUILD_NO_PROXY: z.string().optional(),
  /** Sleep after this many idle seconds on cpu-basic (-1 = never). The Hub's is 48 h. */
  SPACEPORT_DEFAULT_SLEEP_SECONDS: z.coerce.number().int().min(-1).default(172800),
  /** How long a non-browser request to a waking Space is held before 503. */
  SPACEPORT_WAKE_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  SPACEPORT_WAKE_QUEUE_MAX: z.coerce.number().int().positive().default(1000),
  SPACEPORT_NO_WAKE_PATHS: list.default([]),
  SPACEPORT_NO_WAKE_USER_AGENTS: list.default([]),
  /** How long a replaced release keeps running after traffic moved to the new one (in-flight requests finish). */
  SPACEPORT_DRAIN_MS: z.coerce.number().int().min(0).default(5_000),
  /** Liveness after ready: a ready app is probed (GET /) this often; this many failed probes in a row is a hang, restarted like a crash. */
  SPACEPORT_LIVENESS_PERIOD_SECONDS: z.coerce.number().positive().default(10),
  SPACEPORT_LIVENESS_TIMEOUT_SECONDS: z.coerce.number().positive().default(5),
  SPACEPORT_LIVENESS_FAILURES: z.coerce.number().int().min(1).default(3),
  SPACEPORT_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(300_000),
  /** A proxy replica (`spaceport proxy`): bytes of static trees it keeps, fetched from the controller (least recently used go first). */
  SPACEPORT_PROXY_TREE_CACHE: bytes.default(1024 ** 3),
  /** Allow http:// upstream URLs on loopback (tests). */
  SPACEPORT_ALLOW_LOOPBACK_UPSTREAMS: z.stringbool().default(false),
  /** Shared secret of the controller's `/internal/` API for proxy replicas (`spaceport proxy`); unset = that API answers 404. */
  SPACEPORT_INTERNAL_TOKEN: z.string().min(16, 'at least 16 characters (e.g. openssl rand -hex 32)').optional(),
  /** Route changes the controller keeps so a reconnecting proxy gets only what it missed (else a full snapshot). */
  SPACEPORT_ROUTE_STREAM_BUFFER: z.coerce.number().int().min(1).max(1_000_000).default(4096),
  /**
   * Docker: wake a sleeping Space from a memory snapshot (CRIU) instead of starting it again.
   * `auto`: when `criu check` passes at start (the log says whether snapshots are on and why not);
   * `off`: never. `make up` builds a CRIU that works here (scripts/criu/ensure-criu.sh) and sets SPACEPORT_CRIU.
   */
  SPACEPORT_SNAPSHOTS: z.enum(['auto', 'off'], { error: '"auto" or "off"' }).default('auto'),
  /**
   * Who carries requests to running public Spaces: `node` (Spaceport's own proxy, everything),
   * `haproxy` (HAProxy takes the public port and serves them from a Host map Spaceport drives; the
   * rest falls to Spaceport on loopback: docs/data-plane.md), `auto`, the default (haproxy when the
   * binary runs and this process takes the Spaces' traffic: the controller on Docker, a proxy
   * replica; node otherwise, and when HAProxy does not start). `make up` installs HAProxy
   * (scripts/ensure-haproxy.sh).
   */
  SPACEPORT_DATA_PLANE: z.enum(['node', 'haproxy', 'auto'], { error: '"node", "haproxy" or "auto"' }).default('auto'),
  /** The haproxy binary the native data plane runs (default: `haproxy` on PATH). */
  SPACEPORT_HAPROXY: z.string().min(1).default('haproxy'),
  /** The criu binary snapshots use (default: `criu` on PATH; Debian 12's 3.17 fails its check on current kernels). */
  SPACEPORT_CRIU: z.string().min(1).optional(),
  /** Hours a snapshot stays usable; older ones are deleted (the Space then wakes cold). */
  SPACEPORT_SNAPSHOT_MAX_AGE_HOURS: z.coerce.number().positive().default(24 * 7),
  /** Disk all snapshots may use together (each ≈ its app's memory); the oldest are evicted first past it. */
  SPACEPORT_SNAPSHOT_BUDGET: bytes.default(20 * 1024 ** 3),
  /**
   * Snapshots of at least this many MB restore with lazy pages: the app runs at once and its memory
   * is served on demand by `criu lazy-pages` (userfaultfd) while the rest streams in; smaller ones
   * are read whole before the app runs (docs/benchmarks.md, "Snapshot wake"). 0: always lazy.
   */
  SPACEPORT_SNAPSHOT_LAZY_MB: z.coerce.number().int().min(0).default(256),
  /**
   * With snapshots on, each app joins the network namespace of a small sandbox container of its own
   * (`on`), so a restore skips Docker's network hook (0.15–0.35 s, docs/benchmarks.md); `off`: apps
   * get a network of their own, as without snapshots.
   */
  SPACEPORT_SNAPSHOT_NETNS: z.enum(['on', 'off']).default('on'),
  /** The engine's exec root (dockerd --exec-root): runc's state of its containers is under `runtime-runc/moby` there. */
  SPACEPORT_DOCKER_EXEC_ROOT: z.string().default('/var/run/docker'),
  // ---- the web UI: sign-in for people
  /** The admin's web password, set on start (argon2id hash stored; the value is never logged). */
  SPACEPORT_ADMIN_PASSWORD: z.string().min(8, 'at least 8 characters').optional(),
  /** How long a browser session lasts. */
  SPACEPORT_SESSION_HOURS: z.coerce.number().positive().max(24 * 365).default(168),
  /** Failed password sign-ins allowed per source address and user name in 15 minutes (10× per address across names), then 429. */
  SPACEPORT_SIGNIN_MAX_FAILURES: z.coerce.number().int().min(1).default(10),
  /** OpenID Connect sign-in (Keycloak, Dex, GitLab, Google…): the issuer URL; set with the client id and secret. */
  SPACEPORT_OIDC_ISSUER: z.url().optional(),
  SPACEPORT_OIDC_CLIENT_ID: z.string().min(1).optional(),
  SPACEPORT_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The sign-in button's label. */
  SPACEPORT_OIDC_NAME: z.string().min(1).max(60).default('single sign-on'),
  /** Allow an http:// issuer (tests, a provider on loopback). */
  SPACEPORT_OIDC_ALLOW_HTTP: z.stringbool().default(false),
  /** Origins that may embed Space apps in a frame, besides the hub itself (comma list); unset: any site may. */
  SPACEPORT_EMBED_ORIGINS: list
    .pipe(z.array(z.string().regex(/^https?:\/\/(\*\.)?[a-z0-9.-]+(:(\d+|\*))?$/i, 'origins like https://intranet.example.com or http://*.example.com:8080')))
    .default([]),

  // ── Hardening and housekeeping (issue 10) ──
  /**
   * Networks (CIDRs, comma list) upstream URLs may resolve to besides public addresses, e.g. an
   * internal git server `10.1.2.0/24`. Loopback, private, link-local, CGNAT, multicast and reserved
   * addresses are refused otherwise (loopback also by SPACEPORT_ALLOW_LOOPBACK_UPSTREAMS).
   */
  SPACEPORT_UPSTREAM_ALLOWED_NETWORKS: list.pipe(
    z.array(z.string().refine(isCidr, 'a network like 10.0.0.0/8 or fd00::/8')),
  ).default([]),
  /**
   * Docker: what a Space may connect to. `all` (default): the internet and package registries, never
   * the host, other Spaces or metadata addresses; `none`: no outbound connections (the proxy still
   * reaches the app); a comma list of CIDRs: only those; `all-unfiltered`: no host firewall rules
   * (iptables not needed; Spaces still cannot reach each other, but can reach the host and metadata).
   */
  SPACEPORT_SPACE_EGRESS: z
    .string()
    .transform((s, ctx) => {
      const egress = parseSpaceEgress(s);
      if (egress) return egress;
      ctx.addIssue({ code: 'custom', message: SPACE_EGRESS_HINT });
      return z.NEVER;
    })
    .default({ kind: 'all' }),
  /** Most processes and threads one Space's container may run (Docker `PidsLimit`). */
  SPACEPORT_CONTAINER_PIDS_LIMIT: z.coerce.number().int().min(16).max(1_000_000).default(1024),
  /** Rotation of a container's own log (json-file): size of one file and how many are kept. */
  SPACEPORT_CONTAINER_LOG_MAX_SIZE: z.string().regex(/^\d+[kmg]$/, 'a size like 10m').default('10m'),
  SPACEPORT_CONTAINER_LOG_MAX_FILES: z.coerce.number().int().min(1).max(100).default(3),
  /**
   * Prometheus metrics at /metrics on the hub host: `protected` (loopback clients that came straight
   * in, or `Authorization: Bearer SPACEPORT_METRICS_TOKEN`), `public` (anyone) or `off`.
   */
  SPACEPORT_METRICS: z.enum(['off', 'protected', 'public'], { error: '"protected", "public" or "off"' }).default('protected'),
  SPACEPORT_METRICS_TOKEN: z.string().min(16, 'at least 16 characters (e.g. openssl rand -hex 32)').optional(),
  /** Garbage collection every this many seconds (old images, build cache, build logs); 0 = never. */
  SPACEPORT_GC_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(3600),
  /** Release images kept per Space besides the serving and target ones (the newest builds). */
  SPACEPORT_KEEP_IMAGES_PER_SPACE: z.coerce.number().int().min(0).max(1000).default(3),
  /** Build logs kept per Space. */
  SPACEPORT_KEEP_BUILD_LOGS: z.coerce.number().int().min(1).max(10_000).default(20),
  /** BuildKit cache cap (Docker runtime): pruned down to this at each GC run. */
  SPACEPORT_BUILD_CACHE_MAX: bytes.default(20 * 1024 ** 3),
  /**
   * Request bodies on the hub host (API, LFS, git): no byte for SPACEPORT_BODY_IDLE_SECONDS closes the
   * connection; past SPACEPORT_BODY_GRACE_SECONDS a body must have averaged SPACEPORT_BODY_MIN_RATE
   * bytes a second (a slow-but-steady push keeps going; a trickle is cut).
   */
  SPACEPORT_BODY_IDLE_SECONDS: z.coerce.number().positive().max(3600).default(60),
  SPACEPORT_BODY_GRACE_SECONDS: z.coerce.number().positive().default(300),
  SPACEPORT_BODY_MIN_RATE: bytes.default(16 * 1024),
  /** `git http-backend` processes at once, in all and per client address; more wait SPACEPORT_GIT_QUEUE_SECONDS, then get 503. */
  SPACEPORT_GIT_MAX_PROCESSES: z.coerce.number().int().min(1).max(10_000).default(32),
  SPACEPORT_GIT_MAX_PROCESSES_PER_CLIENT: z.coerce.number().int().min(1).max(10_000).default(8),
  SPACEPORT_GIT_QUEUE_SECONDS: z.coerce.number().min(0).max(600).default(30),
  /**
   * Reverse proxies (CIDRs) in front of the hub, e.g. the Ingress controller's pods: per-client
   * limits then count the address their `X-Forwarded-For` names, not theirs.
   */
  SPACEPORT_TRUSTED_PROXIES: list.pipe(z.array(z.string().refine(isCidr, 'a network like 10.0.0.0/8 or fd00::/8'))).default([]),
  /**
   * The commit API's inline (base64) content: decoded bytes per request and per file (larger files go
   * through LFS, as huggingface_hub sends them past its inline limit), and commit requests read at once.
   */
  SPACEPORT_COMMIT_INLINE_MAX: bytes.default(512 * 1024 ** 2),
  SPACEPORT_COMMIT_INLINE_FILE_MAX: bytes.default(256 * 1024 ** 2),
  SPACEPORT_COMMIT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
});

export type RawConfig = z.output<typeof configSchema>;

export type { Flavor } from './hardware.js';

export interface Config extends RawConfig {
  dataDir: string;
  publicUrl: string;
  /** Every flavor this installation knows (the runtime may refuse some: GPU flavors on a Docker engine without GPUs). */
  flavors: Record<string, Flavor>;
  hardware: HardwareConfig;
}

/** The operator's hardware document: SPACEPORT_HARDWARE (inline) or SPACEPORT_HARDWARE_FILE, YAML or JSON. */
function readHardware(raw: RawConfig): { ok: true; hardware: HardwareConfig } | { ok: false; problems: string[] } {
  const setting = raw.SPACEPORT_HARDWARE !== undefined ? 'SPACEPORT_HARDWARE' : 'SPACEPORT_HARDWARE_FILE';
  let doc: unknown = {};
  try {
    if (raw.SPACEPORT_HARDWARE !== undefined) doc = YAML.parse(raw.SPACEPORT_HARDWARE) ?? {};
    else if (raw.SPACEPORT_HARDWARE_FILE !== undefined) doc = YAML.parse(readFileSync(raw.SPACEPORT_HARDWARE_FILE, 'utf8')) ?? {};
  } catch (err) {
    return { ok: false, problems: [`${setting}: cannot read it as YAML or JSON (${(err as Error).message})`] };
  }
  const parsed = hardwareFileSchema.safeParse(doc);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => `${setting}: ${i.path.join('.') || '(document)'}: ${i.message}`) };
  }
  try {
    return { ok: true, hardware: resolveHardware(parsed.data, { cpus: raw.SPACEPORT_CPU_BASIC_CPUS, memoryBytes: raw.SPACEPORT_CPU_BASIC_MEMORY }) };
  } catch (err) {
    if (err instanceof HardwareConfigError) return { ok: false, problems: err.problems.map((p) => `${setting}: ${p}`) };
    throw err;
  }
}

export type ConfigResult = { ok: true; config: Readonly<Config> } | { ok: false; problems: string[] };

/** Settings whose value is a secret: a problem with one names it without echoing the value. */
const SECRET_SETTINGS = new Set(['SPACEPORT_DATABASE_URL', 'SPACEPORT_ADMIN_TOKEN', 'SPACEPORT_INTERNAL_TOKEN', 'SPACEPORT_METRICS_TOKEN', 'SPACEPORT_OIDC_CLIENT_SECRET']);

/** Parse the environment once. Every problem names the variable and what it should be. */
export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  const picked: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if ((k.startsWith('SPACEPORT_') || k === 'DOCKER_HOST') && v !== undefined && v !== '') picked[k] = v;
  }
  const result = configSchema.safeParse(picked);
  if (!result.success) {
    return {
      ok: false,
      problems: result.error.issues.map((i) => {
        const key = String(i.path[0]);
        const got = SECRET_SETTINGS.has(key) ? '(a secret, not shown)' : JSON.stringify(picked[key] ?? null);
        return `${i.path.join('.') || '(config)'}: ${i.message} (got ${got})`;
      }),
    };
  }
  const raw = result.data;
  const hw = readHardware(raw);
  if (!hw.ok) return { ok: false, problems: hw.problems };
  if (raw.SPACEPORT_RUNTIME === 'kubernetes' && !raw.SPACEPORT_REGISTRY) {
    return { ok: false, problems: ['SPACEPORT_REGISTRY: the kubernetes runtime needs a registry to push images to and pull them from (e.g. registry.example.com/spaceport)'] };
  }
  const oidcSet = [raw.SPACEPORT_OIDC_ISSUER, raw.SPACEPORT_OIDC_CLIENT_ID, raw.SPACEPORT_OIDC_CLIENT_SECRET].filter((v) => v !== undefined).length;
  if (oidcSet !== 0 && oidcSet !== 3) {
    return { ok: false, problems: ['SPACEPORT_OIDC_ISSUER, SPACEPORT_OIDC_CLIENT_ID and SPACEPORT_OIDC_CLIENT_SECRET: set all three for OpenID Connect sign-in, or none'] };
  }
  if (raw.SPACEPORT_LEADER_RETRY_MS * 2 > raw.SPACEPORT_LEADER_LEASE_MS) {
    return { ok: false, problems: ['SPACEPORT_LEADER_RETRY_MS: at most half of SPACEPORT_LEADER_LEASE_MS, or a follower may not take over within the lease'] };
  }
  const dataDir = path.resolve(raw.SPACEPORT_DATA_DIR);
  const portPart = raw.SPACEPORT_PORT === 80 ? '' : `:${raw.SPACEPORT_PORT}`;
  const publicUrl = (raw.SPACEPORT_PUBLIC_URL ?? `http://${raw.SPACEPORT_DOMAIN}${portPart}`).replace(/\/+$/, '');
  const config: Config = {
    ...raw,
    dataDir,
    publicUrl,
    flavors: hw.hardware.flavors,
    hardware: hw.hardware,
  };
  return { ok: true, config: Object.freeze(config) };
}

/** For tests: a config from a few overrides, or throw listing the problems. */
export function testConfig(overrides: Record<string, string> = {}): Readonly<Config> {
  const r = parseConfig(overrides);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.config;
}
