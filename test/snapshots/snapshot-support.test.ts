import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { detectSnapshotSupport } from '../../controller/runtime/docker/snapshots/index.js';

// The real CRIU that `make up` builds (scripts/criu/ensure-criu.sh: instant once cached, ~1–5 min cold),
// and Debian 12's own criu 3.17, on this host's kernel.

it('the CRIU Spaceport builds passes criu check here, so snapshots are on', async () => {
  const criu = execFileSync('bash', ['scripts/criu/ensure-criu.sh'], { encoding: 'utf8', timeout: 15 * 60_000 }).trim();
  expect(criu).toMatch(/criu-4\.1\.1-p[0-9a-f]{12}\/bin\/criu$/);
  expect(await detectSnapshotSupport({ setting: 'auto', runtime: 'docker', criu })).toEqual({ kind: 'on', criu, version: '4.1.1' });
}, 16 * 60_000);

it("Debian 12's criu 3.17 fails criu check on this kernel: snapshots off, with CRIU's reason", async () => {
  expect(existsSync('/usr/sbin/criu')).toBe(true);
  const r = await detectSnapshotSupport({ setting: 'auto', runtime: 'docker', criu: '/usr/sbin/criu' });
  expect(r).toMatchObject({ kind: 'off', reason: expect.stringMatching(/^criu check failed \(CRIU 3\.17\.1\): Error \(criu\/vdso\.c:\d+\): vdso/) });
});

it('a missing CRIU turns snapshots off and names the way to get one', async () => {
  const r = await detectSnapshotSupport({ setting: 'auto', runtime: 'docker', criu: '/nonexistent/criu' });
  expect(r).toMatchObject({ kind: 'off', reason: expect.stringContaining('scripts/criu/ensure-criu.sh') });
});

it("CRIU finds its kernel probe cache where /run is not a tmpfs (seeded by ensure-criu.sh), so a dump or restore does not probe the kernel again", () => {
  const criu = execFileSync('bash', ['scripts/criu/ensure-criu.sh'], { encoding: 'utf8', timeout: 15 * 60_000 }).trim();
  const dir = mkdtempSync('/tmp/spaceport-kdat-');
  try {
    execFileSync(criu, ['check', '-v4', '-o', path.join(dir, 'check.log')], { stdio: 'pipe' });
    const log = readFileSync(path.join(dir, 'check.log'), 'utf8');
    expect(log).toContain('Loaded kdat cache from /run/criu.kdat');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 16 * 60_000);
