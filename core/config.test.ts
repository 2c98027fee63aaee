import { expect, it } from 'vitest';
import { parseConfig } from './config.js';

it('gives the defaults of a fresh install', () => {
  const r = parseConfig({});
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  expect(r.config).toMatchObject({ SPACEPORT_PORT: 8080, SPACEPORT_DOMAIN: 'localhost', publicUrl: 'http://localhost:8080', SPACEPORT_DEFAULT_SLEEP_SECONDS: 172800 });
  expect(r.config.flavors['cpu-basic']).toMatchObject({ name: 'cpu-basic', cpus: 2, memoryBytes: 16 * 1024 ** 3 });
  expect(Object.keys(r.config.flavors)).toContain('t4-small');
  expect(r.config.SPACEPORT_RUNTIME).toBe('docker');
  expect(Object.isFrozen(r.config)).toBe(true);
});

it('reports every problem by variable name, with the value', () => {
  const r = parseConfig({ SPACEPORT_PORT: 'eighty', SPACEPORT_ADMIN_TOKEN: 'short', SPACEPORT_CPU_BASIC_MEMORY: 'lots', SPACEPORT_PYTHON_IMAGES: '{nope' });
  expect(r.ok).toBe(false);
  if (r.ok) return;
  const text = r.problems.join('\n');
  for (const name of ['SPACEPORT_PORT', 'SPACEPORT_ADMIN_TOKEN', 'SPACEPORT_CPU_BASIC_MEMORY', 'SPACEPORT_PYTHON_IMAGES']) expect(text).toContain(name);
  expect(text).toContain('"eighty"');
  expect(r.problems).toHaveLength(4);
});

it('reads SPACEPORT_DATABASE_URL (unset: SQLite) and never echoes it, or another secret setting, in a problem', () => {
  const none = parseConfig({});
  expect(none.ok && none.config.SPACEPORT_DATABASE_URL).toBeUndefined();
  const ok = parseConfig({ SPACEPORT_DATABASE_URL: 'postgres://sp:pw@db:5432/sp', SPACEPORT_DATABASE_TIMEOUT_MS: '2500' });
  expect(ok.ok && [ok.config.SPACEPORT_DATABASE_URL, ok.config.SPACEPORT_DATABASE_TIMEOUT_MS]).toEqual(['postgres://sp:pw@db:5432/sp', 2500]);
  const bad = parseConfig({ SPACEPORT_DATABASE_URL: 'mysql://root:hunter2@db/sp', SPACEPORT_ADMIN_TOKEN: 'short-hunter3' });
  expect(bad.ok).toBe(false);
  const text = bad.ok ? '' : bad.problems.join('\n');
  expect(text).toContain('SPACEPORT_DATABASE_URL');
  expect(text).toContain('SPACEPORT_ADMIN_TOKEN');
  expect(text).not.toMatch(/hunter2|hunter3/);
});

it('reads sizes, lists and the public URL', () => {
  const r = parseConfig({ SPACEPORT_CPU_BASIC_MEMORY: '512m', SPACEPORT_NO_WAKE_PATHS: '/healthz, /ping', SPACEPORT_PORT: '80', SPACEPORT_DOMAIN: 'spaces.example.com', OTHER: 'ignored' });
  expect(r.ok && r.config.SPACEPORT_CPU_BASIC_MEMORY).toBe(512 * 1024 ** 2);
  expect(r.ok && r.config.SPACEPORT_NO_WAKE_PATHS).toEqual(['/healthz', '/ping']);
  expect(r.ok && r.config.publicUrl).toBe('http://spaces.example.com');
});

it('reads SPACEPORT_SPACE_EGRESS (all by default, none, all-unfiltered or CIDRs) and names it with the fix when it is none of these', () => {
  const egress = (value?: string) => {
    const r = parseConfig(value === undefined ? {} : { SPACEPORT_SPACE_EGRESS: value });
    return r.ok ? r.config.SPACEPORT_SPACE_EGRESS : r.problems.join('\n');
  };
  expect(egress()).toEqual({ kind: 'all' });
  expect(egress('none')).toEqual({ kind: 'none' });
  expect(egress('all-unfiltered')).toEqual({ kind: 'all-unfiltered' });
  expect(egress('151.101.0.0/16, 2a04:4e42::/32')).toEqual({ kind: 'cidrs', cidrs: ['151.101.0.0/16', '2a04:4e42::/32'] });
  for (const bad of ['everything', '10.0.0.0/33', ' , ', 'all,10.0.0.0/8']) expect(egress(bad)).toMatch(/^SPACEPORT_SPACE_EGRESS: .*"all", "none", "all-unfiltered" or a comma list of networks/);
});

it('reads SPACEPORT_SNAPSHOTS (auto by default, or off) and SPACEPORT_CRIU, and names the setting when it is neither', () => {
  const d = parseConfig({});
  expect(d.ok && d.config.SPACEPORT_SNAPSHOTS).toBe('auto');
  expect(d.ok && d.config.SPACEPORT_CRIU).toBeUndefined();
  const off = parseConfig({ SPACEPORT_SNAPSHOTS: 'off', SPACEPORT_CRIU: '/opt/criu/bin/criu' });
  expect(off.ok && [off.config.SPACEPORT_SNAPSHOTS, off.config.SPACEPORT_CRIU]).toEqual(['off', '/opt/criu/bin/criu']);
  const bad = parseConfig({ SPACEPORT_SNAPSHOTS: 'yes' });
  expect(!bad.ok && bad.problems.join('\n')).toMatch(/SPACEPORT_SNAPSHOTS: "auto" or "off"/);
});

it('reads the leader lease and retry (ms), and refuses a retry longer than half the lease', () => {
  const d = parseConfig({});
  expect(d.ok && [d.config.SPACEPORT_LEADER_LEASE_MS, d.config.SPACEPORT_LEADER_RETRY_MS]).toEqual([10_000, 1000]);
  const bad = parseConfig({ SPACEPORT_LEADER_LEASE_MS: '5000', SPACEPORT_LEADER_RETRY_MS: '3000' });
  expect(bad.ok ? [] : bad.problems).toEqual([expect.stringContaining('SPACEPORT_LEADER_RETRY_MS')]);
  const low = parseConfig({ SPACEPORT_LEADER_LEASE_MS: '500' });
  expect(low.ok ? [] : low.problems).toEqual([expect.stringContaining('SPACEPORT_LEADER_LEASE_MS')]);
});
