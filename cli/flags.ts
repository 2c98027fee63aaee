/** `spaceport up` flags: each maps onto the environment variable of the same setting. */
const FLAG_TO_ENV: Record<string, string> = {
  port: 'SPACEPORT_PORT',
  host: 'SPACEPORT_HOST',
  domain: 'SPACEPORT_DOMAIN',
  'public-url': 'SPACEPORT_PUBLIC_URL',
  'data-dir': 'SPACEPORT_DATA_DIR',
  'admin-token': 'SPACEPORT_ADMIN_TOKEN',
  'admin-user': 'SPACEPORT_ADMIN_USER',
  'log-level': 'SPACEPORT_LOG_LEVEL',
  runtime: 'SPACEPORT_RUNTIME',
  'default-sleep-seconds': 'SPACEPORT_DEFAULT_SLEEP_SECONDS',
  'build-concurrency': 'SPACEPORT_BUILD_CONCURRENCY',
};

export type FlagResult = { ok: true; env: Record<string, string> } | { ok: false; problem: string };

/** `--port 9000` or `--port=9000` → `{SPACEPORT_PORT: '9000'}`; an unknown flag names the known ones. */
export function flagsToEnv(args: string[]): FlagResult {
  const env: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const name = m?.[1];
    const key = name ? FLAG_TO_ENV[name] : undefined;
    if (!m || !key) {
      return { ok: false, problem: `Unknown option "${arg}". Options: ${Object.keys(FLAG_TO_ENV).map((f) => `--${f}`).join(', ')}.` };
    }
    const value = m[2] ?? args[++i];
    if (value === undefined) return { ok: false, problem: `Option --${name} needs a value.` };
    env[key] = value;
  }
  return { ok: true, env };
}
