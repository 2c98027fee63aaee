import { spawnSync } from 'node:child_process';

/**
 * A command that the kernel kills when Spaceport dies (`setpriv --pdeathsig KILL`, util-linux, in
 * every Debian). Children Spaceport starts in a session or process group of their own outlive a
 * Spaceport killed with `kill -9` otherwise: a `git http-backend` whose request body ended early then
 * reads its closed stdin in a loop, at full CPU, for ever (seen after the kill-during-push fault
 * test), and HAProxy keeps the public port. Without setpriv (another OS) the command runs as it is.
 */
let setpriv: boolean | undefined;

export function diesWithParent(command: string, args: readonly string[]): [string, string[]] {
  // Tried with the very option (util-linux before 2.33 has setpriv without --pdeathsig).
  setpriv ??= spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore', timeout: 5_000 }).status === 0;
  return setpriv ? ['setpriv', ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, [...args]];
}
