/** Env names the platform sets for every Space (SPACES-SPEC §2) or that the system needs: never a variable or secret. */
const RESERVED_ENV = new Set(['PATH', 'HOME', 'USER', 'HOSTNAME', 'PWD', 'SHELL', 'SYSTEM', 'PORT', 'CPU_CORES', 'MEMORY', 'ACCELERATOR']);
const RESERVED_ENV_PREFIXES = ['SPACE_', 'GRADIO_SERVER_', 'LD_'];

/** Why a name cannot be set by an owner, or undefined when it can. */
export function reservedEnvName(key: string): string | undefined {
  if (RESERVED_ENV.has(key)) return 'the platform sets it for every Space (a wrong value would break the app).';
  const prefix = RESERVED_ENV_PREFIXES.find((p) => key.startsWith(p));
  if (prefix) return `names starting with ${prefix} are set by the platform.`;
  return undefined;
}
