// Profile Spaceport's Node proxy under load: the benchmark's backend and proxy (bench/proxy/spaceport-server.ts)
// with `node --cpu-prof`, `wrk -t1 -c50` for SPACEPORT_BENCH_SECONDS (default 10), then where its busy
// CPU went (profile-summary.ts). Usage: npx tsx bench/proxy/profile.ts [output dir]
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { parseWrk } from './parse-wrk.js';
import { processCpuMicros } from './process-cpu.js';
import { renderSummary, summarizeProfile, type CpuProfile } from './profile-summary.js';
import { spawnUntilLine, stopAll } from './processes.js';
import { BENCH_HOST, startBackend } from './targets.js';
import { WRK, requireTools, toolPath } from './tools.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SECONDS = Math.max(1, Math.min(60, Number(process.env.SPACEPORT_BENCH_SECONDS ?? 10)));

function wrk(port: number, seconds: number): string {
  return execFileSync(toolPath(WRK), ['-t1', '-c50', `-d${seconds}s`, '-H', `Host: ${BENCH_HOST}`, `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
}

async function main(): Promise<void> {
  requireTools([WRK], (l) => process.stderr.write(`${l}\n`));
  const out = process.argv[2] ?? (await mkdtemp(path.join(tmpdir(), 'spaceport-proxy-profile-')));
  const backend = await startBackend();
  const { child, line } = await spawnUntilLine(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${out}`, '--import', 'tsx', path.join(here, 'spaceport-server.ts'), String(backend.port), 'bench-app'],
    { cwd: path.resolve(here, '../..') },
  );
  const port = (JSON.parse(line) as { port: number }).port;
  wrk(port, 2); // warm-up
  const cpu0 = processCpuMicros(child.proc.pid!);
  const result = parseWrk(wrk(port, SECONDS));
  const cpuPerReq = (processCpuMicros(child.proc.pid!) - cpu0) / Math.max(1, result.requests);
  await child.stop();
  await backend.child.stop();
  // The main thread's profile is the first (tsx's loader thread writes a second, idle one).
  const file = (await readdir(out)).filter((f) => f.endsWith('.cpuprofile')).sort()[0]!;
  const summary = summarizeProfile(JSON.parse(await readFile(path.join(out, file), 'utf8')) as CpuProfile);
  process.stdout.write(`${result.rps.toFixed(0)} req/s, ${cpuPerReq.toFixed(0)} µs CPU/request, load ${(await readFile('/proc/loadavg', 'utf8')).split(' ')[0]}; profile ${path.join(out, file)}\n\n`);
  process.stdout.write(renderSummary(summary));
}

try {
  await main();
} catch (err) {
  process.stderr.write(`profile failed: ${err instanceof Error ? err.message : String(err)}\n`);
  await stopAll();
  process.exit(1);
}
