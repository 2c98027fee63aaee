import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** A program a benchmark runs, the Debian package that has it, and the variable that overrides its path. */
export interface Tool {
  name: string;
  apt: string;
  env: string;
}

export const NGINX: Tool = { name: 'nginx', apt: 'nginx', env: 'SPACEPORT_BENCH_NGINX' };
export const HAPROXY: Tool = { name: 'haproxy', apt: 'haproxy', env: 'SPACEPORT_BENCH_HAPROXY' };
export const WRK: Tool = { name: 'wrk', apt: 'wrk', env: 'SPACEPORT_BENCH_WRK' };

/** The path a tool runs from: its override, else its name (looked up on PATH). */
export function toolPath(tool: Tool): string {
  return process.env[tool.env] || tool.name;
}

function findExecutable(cmd: string): string | undefined {
  const candidates = cmd.includes('/') ? [cmd] : (process.env.PATH ?? '').split(':').filter(Boolean).map((d) => path.join(d, cmd));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Make sure every tool can run before anything starts: a missing one is installed with apt when we
 * are root on a Debian host (as `.ci/run` does; `SPACEPORT_BENCH_INSTALL=0` forbids it), otherwise
 * the error names the package and the command that installs it.
 */
export function requireTools(tools: Tool[], log: (line: string) => void): void {
  const missing = tools.filter((t) => findExecutable(toolPath(t)) === undefined);
  if (missing.length === 0) return;
  const overridden = missing.filter((t) => process.env[t.env]);
  const pkgs = missing.map((t) => t.apt);
  const canInstall =
    overridden.length === 0 && process.getuid?.() === 0 && process.env.SPACEPORT_BENCH_INSTALL !== '0' && findExecutable('apt-get') !== undefined;
  if (canInstall) {
    log(`installing ${pkgs.join(' ')} (apt-get) for the benchmark`);
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    const r = spawnSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status === 0 && missing.every((t) => findExecutable(toolPath(t)) !== undefined)) return;
  }
  const lines = missing.map((t) =>
    process.env[t.env] ? `${t.name}: ${t.env}=${process.env[t.env]} is not an executable` : `${t.name}: not found on PATH (Debian package "${t.apt}")`,
  );
  throw new Error(`the benchmark needs ${missing.map((t) => t.name).join(' and ')}:\n  ${lines.join('\n  ')}\ninstall with: apt-get install ${pkgs.join(' ')} (or set ${missing.map((t) => t.env).join(' / ')})`);
}
