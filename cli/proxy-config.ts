import { z } from 'zod';

const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

/** The settings of `spaceport proxy` (a proxy-only process), as environment variables. */
export const proxyConfigSchema = z.object({
  /** The controller's hub port, e.g. http://spaceport-controller:8080. */
  SPACEPORT_CONTROLLER_URL: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL of the controller, e.g. http://spaceport-controller:8080' }),
  /** Shared secret: the same value as the controller's SPACEPORT_INTERNAL_TOKEN. */
  SPACEPORT_INTERNAL_TOKEN: z.string({ error: 'required: the controller\'s SPACEPORT_INTERNAL_TOKEN' }).min(16, 'at least 16 characters (e.g. openssl rand -hex 32)'),
  SPACEPORT_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  SPACEPORT_HOST: z.string().default('0.0.0.0'),
  SPACEPORT_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+$/i, 'a host name such as localhost or spaces.example.com')
    .default('localhost'),
  SPACEPORT_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SPACEPORT_WAKE_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  SPACEPORT_WAKE_QUEUE_MAX: z.coerce.number().int().positive().default(1000),
  SPACEPORT_NO_WAKE_PATHS: list.default([]),
  SPACEPORT_NO_WAKE_USER_AGENTS: list.default([]),
  SPACEPORT_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(300_000),
});

export type ProxyConfig = z.output<typeof proxyConfigSchema>;

export type ProxyConfigResult = { ok: true; config: Readonly<ProxyConfig> } | { ok: false; problems: string[] };

/** Parse the environment once. Every problem names the variable and what it should be; the token is never echoed. */
export function parseProxyConfig(env: Record<string, string | undefined>): ProxyConfigResult {
  const picked: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('SPACEPORT_') && v !== undefined && v !== '') picked[k] = v;
  }
  const result = proxyConfigSchema.safeParse(picked);
  if (!result.success) {
    return {
      ok: false,
      problems: result.error.issues.map((i) => {
        const key = String(i.path[0] ?? '');
        const got = key === 'SPACEPORT_INTERNAL_TOKEN' ? (picked[key] ? '(hidden)' : 'nothing') : JSON.stringify(picked[key] ?? null);
        return `${key || '(config)'}: ${i.message} (got ${got})`;
      }),
    };
  }
  return { ok: true, config: Object.freeze(result.data) };
}
