import { readFile, rm, writeFile } from 'node:fs/promises';

/**
 * An HAProxy left by an earlier Spaceport that died without stopping it (kill -9, a crash, the host's
 * OOM killer): it runs in its own session, so it outlives its parent and keeps the public port.
 * Spaceport notes each HAProxy it starts in `<dir>/haproxy.pid`; before starting one it stops the one
 * noted there, only when that process still runs HAProxy on this same config file (a pid reused by an
 * unrelated process is left alone).
 */
export function pidFileOf(dir: string): string {
  return `${dir}/haproxy.pid`;
}

/** The pid noted in the pid file when that process is an HAProxy on `config`, else undefined. */
async function staleHaproxy(dir: string, config: string): Promise<number | undefined> {
  const text = await readFile(pidFileOf(dir), 'utf8').catch(() => '');
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const args = cmdline.split('\0');
  return /(^|\/)haproxy$/.test(args[0] ?? '') && args.includes(config) ? pid : undefined;
}

/** Send a signal; false when the process is gone (it may exit between our look and the signal). */
function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stop a stale HAProxy of this directory (SIGTERM, SIGKILL after `graceMs`) and wait until it is
 * gone, so that the port and socket are free. Returns its pid, or undefined when there was none.
 */
export async function stopStaleHaproxy(dir: string, config: string, graceMs = 2_000): Promise<number | undefined> {
  const pid = await staleHaproxy(dir, config);
  if (pid === undefined) {
    await rm(pidFileOf(dir), { force: true });
    return undefined;
  }
  signal(pid, 'SIGTERM');
  const hard = Date.now() + graceMs;
  while (signal(pid, 0)) {
    if (Date.now() > hard) signal(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 20));
  }
  await rm(pidFileOf(dir), { force: true });
  return pid;
}

export async function notePid(dir: string, pid: number): Promise<void> {
  await writeFile(pidFileOf(dir), `${pid}\n`, { mode: 0o600 });
}
