import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseWrk, type WrkResult } from './parse-wrk.js';
import { BENCH_HOST } from './targets.js';
import { WRK, toolPath } from './tools.js';

const run = promisify(execFile);

/**
 * One wrk run against `port` with the bench Space's Host header. A measured run's errors (non-2xx,
 * socket errors) throw unless `allowErrors` (a warm-up on a busy machine; a run that counts them).
 */
export async function wrk(port: number, args: string[], seconds: number, o: { allowErrors?: boolean; host?: string } = {}): Promise<WrkResult> {
  const { stdout } = await run(
    toolPath(WRK),
    [...args, `-d${seconds}s`, '-H', `Host: ${o.host ?? BENCH_HOST}`, `http://127.0.0.1:${port}/`],
    { timeout: (seconds + 30) * 1000 },
  );
  const result = parseWrk(stdout);
  if (result.errors > 0 && !o.allowErrors) throw new Error(`wrk saw ${result.errors} errors against port ${port}:\n${stdout}`);
  return result;
}
