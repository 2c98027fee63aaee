import { z } from 'zod';
import { configSchema } from '../core/index.js';

/**
 * The settings of `spaceport proxy` (a proxy-only process), as environment variables: the
 * controller's URL and shared token, plus the controller's own proxy settings (same names, same
 * rules, same defaults: taken from its schema).
 */
export const proxyConfigSchema = configSchema
  .pick({
    SPACEPORT_PORT: true,
    SPACEPORT_HOST: true,
    SPACEPORT_DOMAIN: true,
    SPACEPORT_LOG_LEVEL: true,
    SPACEPORT_WAKE_TIMEOUT_MS: true,
    SPACEPORT_WAKE_QUEUE_MAX: true,
    SPACEPORT_NO_WAKE_PATHS: true,
    SPACEPORT_NO_WAKE_USER_AGENTS: true,
    SPACEPORT_UPSTREAM_TIMEOUT_MS: true,
    SPACEPORT_PROXY_TREE_CACHE: true,
    SPACEPORT_METRICS: true,
    SPACEPORT_METRICS_TOKEN: true,
    SPACEPORT_DATA_PLANE: true,
    SPACEPORT_HAPROXY: true,
  })
  .extend({
    /** The controller's hub port, e.g. http://spaceport-controller:8080. */
    SPACEPORT_CONTROLLER_URL: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL of the controller, e.g. http://spaceport-controller:8080' }),
    /** Shared secret: the same value as the controller's SPACEPORT_INTERNAL_TOKEN. */
    SPACEPORT_INTERNAL_TOKEN: z.string({ error: "required: the controller's SPACEPORT_INTERNAL_TOKEN" }).min(16, 'at least 16 characters (e.g. openssl rand -hex 32)'),
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
