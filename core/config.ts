import path from 'node:path';
import { z } from 'zod';

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
  SPACEPORT_DATA_DIR: z.string().default('.data'),
  SPACEPORT_ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  SPACEPORT_ADMIN_USER: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/).default('admin'),
  SPACEPORT_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Where Spaces run. One host: docker (the Kubernetes runtime is not built yet). */
  SPACEPORT_RUNTIME: z.enum(['docker'], { error: 'only "docker" is available on this version' }).default('docker'),
  DOCKER_HOST: z.string().optional(),
  /** Names this install's containers (several installs can share one Docker engine). */
  SPACEPORT_INSTANCE_NAME: z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'lowercase letters, digits and "-"').default('spaceport'),
  /** Debian mirror for building base images (air-gapped sites point this at their own). */
  SPACEPORT_DEBIAN_MIRROR: z.string().optional(),
  /** Where debootstrapped root filesystems are cached; default {data dir}/cache/rootfs. */
  SPACEPORT_ROOTFS_CACHE: z.string().optional(),
  /** Resources of the cpu-basic flavor on this host. */
  SPACEPORT_CPU_BASIC_CPUS: z.coerce.number().positive().default(2),
  SPACEPORT_CPU_BASIC_MEMORY: bytes.default(16 * 1024 ** 3),
  /** Base image for Python SDKs per python_version, as JSON; missing images are built from Debian packages. */
  SPACEPORT_PYTHON_IMAGES: z
    .string()
    .transform((s, ctx) => {
      try {
        return z.record(z.string(), z.string()).parse(JSON.parse(s));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'JSON object like {"3.11":"spaceport/python:3.11"}' });
        return z.NEVER;
      }
    })
    .default({ '3.11': 'spaceport/python:3.11' }),
  SPACEPORT_DEFAULT_PYTHON: z.string().default('3.11'),
  SPACEPORT_BUILD_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
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
  SPACEPORT_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(300_000),
  /** Allow http:// upstream URLs on loopback (tests). */
  SPACEPORT_ALLOW_LOOPBACK_UPSTREAMS: z.stringbool().default(false),
});

export type RawConfig = z.output<typeof configSchema>;

export interface Flavor {
  name: string;
  cpus: number;
  memoryBytes: number;
}

export interface Config extends RawConfig {
  dataDir: string;
  publicUrl: string;
  flavors: Record<string, Flavor>;
}

export type ConfigResult = { ok: true; config: Readonly<Config> } | { ok: false; problems: string[] };

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
      problems: result.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message} (got ${JSON.stringify(picked[String(i.path[0])] ?? null)})`),
    };
  }
  const raw = result.data;
  const dataDir = path.resolve(raw.SPACEPORT_DATA_DIR);
  const portPart = raw.SPACEPORT_PORT === 80 ? '' : `:${raw.SPACEPORT_PORT}`;
  const publicUrl = (raw.SPACEPORT_PUBLIC_URL ?? `http://${raw.SPACEPORT_DOMAIN}${portPart}`).replace(/\/+$/, '');
  const config: Config = {
    ...raw,
    dataDir,
    publicUrl,
    flavors: {
      'cpu-basic': { name: 'cpu-basic', cpus: raw.SPACEPORT_CPU_BASIC_CPUS, memoryBytes: raw.SPACEPORT_CPU_BASIC_MEMORY },
    },
  };
  return { ok: true, config: Object.freeze(config) };
}

/** For tests: a config from a few overrides, or throw listing the problems. */
export function testConfig(overrides: Record<string, string> = {}): Readonly<Config> {
  const r = parseConfig(overrides);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.config;
}
