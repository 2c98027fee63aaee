/**
 * `make cluster-up` on a fresh machine (issue 18, the one-machine trial): it failed after 43 minutes of
 * building the Kubernetes tools on a missing `docker-registry`, and on a taken port only after that.
 * Now a preflight (ports, root, disk, memory) runs before anything is installed or built, then the
 * missing Debian packages are installed (scripts/ensure-test-packages.sh k8s), then the tools are built.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, run } from '../support/helm.js';

const SCRIPT = join(REPO_ROOT, 'scripts/k8s/spaceport-cluster.sh');

describe('make cluster-up: prerequisites before building', () => {
  let holder: net.Server;
  let port: number;
  let state: string;
  beforeAll(async () => {
    holder = net.createServer();
    await new Promise<void>((res) => holder.listen(0, '127.0.0.1', res));
    port = (holder.address() as net.AddressInfo).port;
    state = await mkdtemp(join(tmpdir(), 'spaceport-preflight-'));
  });
  afterAll(async () => {
    await new Promise((res) => holder.close(res));
    await rm(state, { recursive: true, force: true });
  });

  it('stops on a taken port before installing or building anything, naming the fix', async () => {
    const r = await run('bash', [SCRIPT, 'preflight'], { env: { ...process.env, SPACEPORT_CLUSTER_PORT: String(port), SPACEPORT_CLUSTER_STATE: state } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`port ${port} is taken`);
    expect(r.stderr).toContain('SPACEPORT_CLUSTER_PORT=<free port>');
    expect(r.stderr).toContain('nothing was installed or built');
    const free = await run('bash', [SCRIPT, 'preflight'], { env: { ...process.env, SPACEPORT_CLUSTER_PORT: String(port + 2), SPACEPORT_CLUSTER_STATE: state } });
    expect(free.stderr).not.toContain(`port ${port} is taken`);
  });

  it('runs the preflight first, then the packages, then the tool build', async () => {
    const r = await run('make', ['-n', '--no-print-directory', '-C', REPO_ROOT, 'cluster-up']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle));
    expect(lines[0]).toContain('spaceport-cluster.sh preflight');
    expect(at('ensure-test-packages.sh k8s')).toBeGreaterThan(0);
    expect(at('build-tools.sh')).toBeGreaterThan(at('ensure-test-packages.sh k8s'));
    expect(at('spaceport-cluster.sh up')).toBeGreaterThan(at('build-tools.sh'));
  });

  it('installs every Debian package the cluster needs (the k8s tier of ensure-test-packages.sh)', () => {
    const text = readFileSync(join(REPO_ROOT, 'scripts/ensure-test-packages.sh'), 'utf8');
    const tier = /^k8s_tier\(\) \{\n([\s\S]*?)^\}/m.exec(text)?.[1] ?? '';
    const packages = [...tier.matchAll(/^\s*want (\S+)/gm)].map((m) => m[1]);
    // What the cluster scripts run: the node (containerd, runc, CNI), the registry, the pause image,
    // the certificates, kube-router's firewall.
    for (const p of ['containerd', 'runc', 'containernetworking-plugins', 'docker-registry', 'gcc', 'libc6-dev', 'openssl', 'ipset', 'iptables']) {
      expect(packages, p).toContain(p);
    }
  });
});
