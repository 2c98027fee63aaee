import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `make bench-proxy` must leave nothing running when it fails (issue 10: `spawn nginx ENOENT`
 * crashed it and left its Spaceport and backend running). Every process it starts inherits a
 * marker variable; after the run, no process may carry it.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-bench-cleanup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  left: number[];
}

async function runBench(env: Record<string, string>, opts: { killWhen?: (stderr: string, marker: string) => boolean } = {}): Promise<Outcome> {
  const marker = `SPACEPORT_BENCH_RUN=${randomBytes(6).toString('hex')}`;
  const [key, value] = marker.split('=') as [string, string];
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/proxy/run.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SPACEPORT_BENCH_SECONDS: '1', SPACEPORT_BENCH_REPS: '1', [key]: value, ...env },
  });
  let stderr = '';
  let killed = false;
  child.stdout.resume();
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const poll = setInterval(() => {
    if (!killed && opts.killWhen?.(stderr, marker)) {
      killed = true;
      child.kill('SIGTERM');
    }
  }, 100);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  clearInterval(poll);
  // Children stop before the bench exits; allow the kernel a moment to reap them.
  let left = processesWith(marker);
  for (let i = 0; i < 20 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = processesWith(marker);
  }
  for (const pid of left) process.kill(pid, 'SIGKILL');
  return { code, signal, stderr, left };
}

describe('bench-proxy on failure', () => {
  it('names a missing tool and how to install it, and starts nothing', async () => {
    const r = await runBench({ SPACEPORT_BENCH_NGINX: path.join(dir, 'no-such-nginx'), SPACEPORT_BENCH_INSTALL: '0' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nginx');
    expect(r.stderr).toContain('apt-get install nginx');
    expect(r.left).toEqual([]);
  }, 60_000);

  it('stops its backend and Spaceport when a later step fails', async () => {
    // An "nginx" that exits at once: the backend and the Spaceport proxy are already running then.
    const r = await runBench({ SPACEPORT_BENCH_NGINX: '/bin/false' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bench-proxy failed');
    expect(r.left).toEqual([]);
  }, 120_000);

  it('stops everything it started on SIGTERM', async () => {
    // An "nginx" that never answers: the bench waits for it with the backend and Spaceport running.
    const hang = path.join(dir, 'hanging-nginx');
    writeFileSync(hang, '#!/bin/sh\nexec sleep 600\n');
    chmodSync(hang, 0o755);
    const r = await runBench(
      { SPACEPORT_BENCH_NGINX: hang },
      // Kill once the stand-in nginx runs (then the backend and Spaceport run too).
      { killWhen: (_stderr, marker) => processesWith(marker).some((pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('sleep')) },
    );
    expect(r.code).toBe(143);
    expect(r.left).toEqual([]);
  }, 120_000);
});
