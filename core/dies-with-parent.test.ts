import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../test/support/http.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('diesWithParent', () => {
  it('a command started through it dies when its parent is killed with SIGKILL', async () => {
    // A parent process that starts `sleep 60` through diesWithParent, prints its pid, and waits.
    const script = `import { spawn } from 'node:child_process';
import { diesWithParent } from './core/dies-with-parent.ts';
const [cmd, args] = diesWithParent('sleep', ['60']);
const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
process.stdout.write(String(child.pid) + '\\n');
setInterval(() => undefined, 1000);`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(d.toString()))));
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    await waitFor('the child gone', async () => (alive(pid) ? undefined : true), 5_000, 20);
  });
});
