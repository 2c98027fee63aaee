/**
 * How a k8s-tier test on the host reaches the test cluster's real node and its pods, and lends a
 * release what the cluster lacks: the pod bridge's gateway address (where a pod reaches the host), a
 * TCP forwarder on it, a pod's processes on the host (to kill one), one request to a pod at a time,
 * and a hostPath PersistentVolume bound to the controller's claim (no storage provisioner here).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from './http.js';
import type { TestCluster } from './k8s-cluster.js';

/** The first address after the subnet's network address: the bridge's, as host-local IPAM sets it. */
export function gatewayOf(cidr: string): string {
  const [base] = cidr.split('/');
  const parts = base!.split('.').map(Number);
  parts[3] = parts[3]! + 1;
  return parts.join('.');
}

/** The host PIDs of a pod's processes (its containers carry HOSTNAME=<pod>), but the pause process. */
export function processesOf(pod: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const env = readFileSync(`/proc/${d}/environ`, 'utf8').split('\0');
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      return env.includes(`HOSTNAME=${pod}`) && !cmd.startsWith('/pause') ? [Number(d)] : [];
    } catch {
      return [];
    }
  });
}

export function hostHas(address: string): boolean {
  return Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address === address));
}

export function freePortOn(host: string): Promise<number> {
  return new Promise((res, rej) => {
    const srv = net.createServer().listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

/** A TCP forwarder from `host:port` to `target` (TLS passes through untouched). */
export function forward(host: string, target: { host: string; port: number }): Promise<net.Server> {
  return new Promise((res, rej) => {
    const srv = net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end);
      upstream.on('error', end);
    });
    srv.listen(0, host, () => res(srv));
    srv.on('error', rej);
  });
}

export interface AskOptions {
  port: number;
  path: string;
  method?: string;
  token?: string;
  host?: string;
  body?: unknown;
  timeoutMs?: number;
}

/** One request, a fresh connection each (no keep-alive to a pod that died): test/support/http.ts's, to the pod's IP. */
export async function ask(ip: string, opts: AskOptions): Promise<{ status: number; body: string }> {
  const r = await request({ ...opts, address: ip, timeoutMs: opts.timeoutMs ?? 5_000 });
  return { status: r.status, body: r.body };
}

/** A hostPath PersistentVolume (a temp directory, 0777) bound to the controller's claim `claim` in `ns`. */
export interface ClaimVolume {
  name: string;
  dir: string;
  remove(): Promise<void>;
}

export async function hostPathVolumeFor(cluster: TestCluster, o: { ns: string; claim: string; accessMode: 'ReadWriteOnce' | 'ReadWriteMany'; prefix: string }): Promise<ClaimVolume> {
  const dir = await mkdtemp(join(tmpdir(), `${o.prefix}-pv-`));
  await chmod(dir, 0o777);
  const name = `${o.ns}-data`;
  const pv = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, labels: { 'spaceport.dev/test': 'true' } },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: [o.accessMode],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: 'spaceport-test-local',
      hostPath: { path: dir, type: 'Directory' },
      claimRef: { namespace: o.ns, name: o.claim },
    },
  };
  await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(pv));
  return {
    name,
    dir,
    remove: async () => {
      await cluster.kubectl(['delete', 'pv', name, '--ignore-not-found', '--wait=false']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
