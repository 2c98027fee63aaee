/**
 * Two controller replicas from the chart (`controller.replicas: 2`) against PostgreSQL, on the test
 * cluster's real node: exactly one leads (`spaceport_leader`). The leader goes twice while a client
 * calls the API through the controller Service every 100 ms (reads of the Space's runtime, and one in
 * five a write of its sleep time, which a follower hands to the leader; the last one written is what
 * is read after): its pod force-deleted (`kubectl delete pod --grace-period=0 --force`: the kubelet
 * still stops it gracefully within its minimum grace, the replica lets go of the lock), then the next
 * leader's process killed with SIGKILL on the node (its PostgreSQL session ends with the process; the
 * kubelet restarts the container). Each time the other replica leads within
 * the lease, the API keeps answering ("keeps answering": no stretch of failed requests — no answer,
 * or a 5xx — as long as the lease; reads are answered by any replica), a push made after the failover
 * is served, and no Space is reconciled by both. Two observables: each replica's /metrics, scraped
 * with every request (`spaceport_leader`, and `spaceport_reconcile_passes_total`, one per pass of one
 * Space): never two replicas leading at once, and no pass counted on a replica while it follows (the
 * follower's counter is 0 before the failover, the leader's not, so the check is not empty); and the
 * logs: a replica starts leader-only work only in a newer term, after the old leader's work stopped
 * or its process died, and logs no Space's stage before. Last, a `helm upgrade` rolls both replicas
 * (RollingUpdate, one at a time) and not one request fails: the chart's preStop sleep keeps a stopping
 * replica serving while its endpoint goes.
 *
 * What stands in for what an operator has, and why:
 * - PostgreSQL: a server of the test's own on the host (Debian's package, test/support/postgres-server.ts),
 *   over TCP with a password, as a managed database (RDS, Cloud SQL) is reached from a cluster. It
 *   listens on the pod bridge's gateway address only (reachable from this node's pods and the host,
 *   nothing else) and accepts logins from the pod subnet only. A PostgreSQL pod would need an image
 *   built from Debian packages and a volume of its own, and would test the database's pod, not ours.
 * - The Kubernetes API: the test cluster's apiserver listens on loopback, which a pod's network cannot
 *   reach, and with two replicas on one node `controller.hostNetwork` would put both on one host port.
 *   A forwarder of the test's own on the gateway address passes TCP to the apiserver (TLS end to end,
 *   the pod's ServiceAccount token); `controller.hostAliases` names it `kubernetes.default.svc`, a
 *   name the apiserver's certificate holds, as the in-cluster Service would be on a real cluster.
 * - The shared data volume (git repos, build logs, the secret key): a hostPath PersistentVolume with
 *   ReadWriteMany. Both replicas run on the one real node, so one directory is honestly shared; on
 *   several nodes an operator needs a ReadWriteMany class (NFS, CephFS, EFS, Filestore).
 * - The Service: this cluster has no kube-proxy, so the client does what kube-proxy does: each request
 *   goes to one of the Service's ready endpoints (its EndpointSlices, re-read every 100 ms).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { commitFiles, git, makeWorkTree } from '../support/git-client.js';
import { CHART_DIR, buildControllerImage, helm, helmBinary, run } from '../support/helm.js';
import { waitFor } from '../support/http.js';
import { readClusterEnv, useTestCluster, type TestCluster } from '../support/k8s-cluster.js';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.js';

const RUN = randomBytes(3).toString('hex');
const RELEASE = 'spr';
const PORT = 8080;
const LEASE_MS = 10_000;
const SVC = `${RELEASE}-spaceport-controller`;
const site = (text: string) => ({ 'README.md': '---\ntitle: Replicas\nsdk: static\n---\n', 'index.html': `<p>${text}</p>\n` });

interface Answer {
  at: number;
  /** A read of the Space's runtime, or a write of its sleep time (forwarded to the leader as a kick). */
  kind: 'read' | 'write';
  seconds?: number;
  pod: string;
  status: number;
  body: string;
  error?: string;
}

/** One scrape of one replica's /metrics, taken with each request of the client. */
interface Sample {
  at: number;
  pod: string;
  leads: boolean;
  passes: number;
}

interface Pod {
  name: string;
  ip: string;
  ready: boolean;
}

/** The first address after the subnet's network address: the bridge's, as host-local IPAM sets it. */
function gatewayOf(cidr: string): string {
  const [base] = cidr.split('/');
  const parts = base!.split('.').map(Number);
  parts[3] = parts[3]! + 1;
  return parts.join('.');
}

/** The host PIDs of a pod's processes (its containers carry HOSTNAME=<pod>), but the pause process. */
function processesOf(pod: string): number[] {
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

function hostHas(address: string): boolean {
  return Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address === address));
}

function freePortOn(host: string): Promise<number> {
  return new Promise((res, rej) => {
    const srv = net.createServer().listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

/** A TCP forwarder from `host:port` to `target` (TLS passes through untouched). */
function forward(host: string, target: { host: string; port: number }): Promise<net.Server> {
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

/** One request, a fresh connection each (no keep-alive to a pod that died). */
function ask(ip: string, opts: { path: string; method?: string; token?: string; host?: string; body?: unknown; timeoutMs?: number }): Promise<{ status: number; body: string }> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: ip,
        port: PORT,
        path: opts.path,
        method: opts.method ?? 'GET',
        agent: false,
        timeout: opts.timeoutMs ?? 5_000,
        headers: {
          ...(opts.host ? { host: opts.host } : {}),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

describe('two controller replicas against PostgreSQL: the leader killed', () => {
  let cluster: TestCluster;
  let bin: string;
  let ns: string;
  let gateway: string;
  let pg: PostgresServer | undefined;
  let apiForward: net.Server | undefined;
  let pvDir: string | undefined;
  let pvName: string | undefined;
  let token: string;
  let metricsToken: string;
  /** The leader term of the latest failover. */
  let lastTerm = 0;
  let work: string | undefined;
  const logStreams: ChildProcess[] = [];
  /** Each pod's log lines (pino JSON), read while it lives. */
  const logs = new Map<string, string[]>();

  const pods = async (): Promise<Pod[]> => {
    const list = JSON.parse(await cluster.kubectl(['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/component=controller', '-o', 'json'])) as {
      items: Array<{ metadata: { name: string; deletionTimestamp?: string }; status: { podIP?: string; containerStatuses?: Array<{ ready: boolean }> } }>;
    };
    return list.items
      .filter((p) => !p.metadata.deletionTimestamp && p.status.podIP)
      .map((p) => ({ name: p.metadata.name, ip: p.status.podIP!, ready: p.status.containerStatuses?.[0]?.ready === true }));
  };
  /** The Service's ready endpoints, as kube-proxy reads them. */
  const endpoints = async (): Promise<Array<{ ip: string; pod: string }>> => {
    const list = JSON.parse(await cluster.kubectl(['get', 'endpointslices', '-n', ns, '-l', `kubernetes.io/service-name=${SVC}`, '-o', 'json'])) as {
      items: Array<{ endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean }; targetRef?: { name: string } }> }>;
    };
    return list.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).map((e) => ({ ip: e.addresses[0]!, pod: e.targetRef?.name ?? '?' })));
  };
  /** One scrape of a replica: whether it leads, and the reconcile passes it ran (one Space each). */
  const roleOf = async (p: Pod): Promise<{ leads: boolean; passes: number } | undefined> => {
    const r = await ask(p.ip, { path: '/metrics', token: metricsToken, timeoutMs: 2_000 }).catch(() => undefined);
    const leader = r?.status === 200 ? /^spaceport_leader (\d)/m.exec(r.body) : null;
    if (!leader) return undefined;
    return { leads: leader[1] === '1', passes: Number(/^spaceport_reconcile_passes_total (\d+)/m.exec(r!.body)?.[1] ?? 0) };
  };
  const leads = async (p: Pod): Promise<boolean | undefined> => (await roleOf(p))?.leads;
  const follow = (pod: string) => {
    const lines: string[] = [];
    logs.set(pod, lines);
    const child = spawn(join(cluster.toolsBin, 'kubectl'), ['--kubeconfig', cluster.kubeconfigPath, 'logs', '-f', '-n', ns, pod], { stdio: ['ignore', 'pipe', 'ignore'] });
    let rest = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (c: string) => {
      const all = rest + c;
      const split = all.split('\n');
      rest = split.pop() ?? '';
      lines.push(...split);
    });
    logStreams.push(child);
  };
  const entries = (pod: string) =>
    (logs.get(pod) ?? []).flatMap((l) => {
      try {
        return [JSON.parse(l) as { time: number; msg: string; term?: number; space?: string }];
      } catch {
        return [];
      }
    });

  /** The client: every 100 ms, a read through the Service (a ready endpoint, as kube-proxy picks one). */
  const startClient = async (watched: Pod[]) => {
    const answers: Answer[] = [];
    const samples: Sample[] = [];
    let polling = true;
    let current = await endpoints();
    const refresh = (async () => {
      while (polling) {
        current = await endpoints().catch(() => current);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const poll = (async () => {
      while (polling) {
        const at = Date.now();
        const ep = current[Math.floor(Math.random() * current.length)];
        // One request in five a write: a new sleep time, recorded and handed to the leader.
        void Promise.all(watched.map(async (p) => ({ pod: p.name, role: await roleOf(p) }))).then((r) => {
          for (const { pod, role } of r) if (role) samples.push({ at, pod, ...role });
        });
        const kind = answers.length % 5 === 4 ? 'write' : 'read';
        const seconds = kind === 'write' ? 3600 + answers.length : undefined;
        if (!ep) answers.push({ at, kind, seconds, pod: '-', status: 0, body: '', error: 'no ready endpoint' });
        else {
          const req =
            kind === 'write'
              ? { path: '/api/spaces/admin/site/sleeptime', method: 'POST', body: { seconds }, token, timeoutMs: 2_000 }
              : { path: '/api/spaces/admin/site/runtime', token, timeoutMs: 2_000 };
          answers.push(
            await ask(ep.ip, req).then(
              (r) => ({ at, kind, seconds, pod: ep.pod, status: r.status, body: r.body }),
              (err: Error) => ({ at, kind, seconds, pod: ep.pod, status: 0, body: '', error: err.message }),
            ),
          );
        }
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - at))));
      }
    })();
    return {
      stop: async () => {
        polling = false;
        await Promise.all([poll, refresh]);
        await new Promise((r) => setTimeout(r, 2_500));
        return { answers, samples };
      },
    };
  };
  /** Failed answers (no answer, or 5xx) and the span from the first to the last of them. */
  const summarize = (how: string, { answers, samples }: { answers: Answer[]; samples: Sample[] }, killedAt: number, times: Record<string, number>) => {
    const failed = answers.filter((a) => a.status === 0 || a.status >= 500);
    const gapMs = failed.length ? failed[failed.length - 1]!.at - failed[0]!.at + 100 : 0;
    const figures = {
      leaseMs: LEASE_MS,
      requests: answers.length,
      writes: answers.filter((a) => a.kind === 'write').length,
      failed: failed.length,
      failedSpanMs: gapMs,
      ...times,
      scrapes: samples.length,
      failures: failed.slice(0, 10).map((a) => ({ t: a.at - killedAt, kind: a.kind, pod: a.pod, status: a.status, error: a.error })),
    };
    process.stderr.write(`controller-replicas ${how}: ${JSON.stringify(figures)}\n`);
    return { failed, gapMs, report: { ...figures, answers }, samples };
  };

  /** The last sleep time written (and answered 200) is what every replica now reads. */
  const expectLastWriteKept = async (answers: Answer[], p: Pod) => {
    const last = answers.filter((a) => a.kind === 'write' && a.status === 200).at(-1)!;
    const rt = JSON.parse((await ask(p.ip, { path: '/api/spaces/admin/site/runtime', token })).body) as { gcTimeout: number | null };
    expect(rt.gcTimeout).toBe(last.seconds);
  };

  /**
   * No Space reconciled by both, from the scrapes: at no instant do two replicas say they lead, and a
   * replica's pass counter never moves while it says it follows. The new leader does run passes.
   */
  const expectOneReconcilerAtATime = (samples: Sample[], newLeader: string) => {
    const byTick = new Map<number, Sample[]>();
    for (const x of samples) byTick.set(x.at, [...(byTick.get(x.at) ?? []), x]);
    for (const [at, tick] of byTick) expect(tick.filter((x) => x.leads).length, `${at}: ${JSON.stringify(tick)}`).toBeLessThanOrEqual(1);
    const byPod = new Map<string, Sample[]>();
    for (const x of [...samples].sort((a, b) => a.at - b.at)) byPod.set(x.pod, [...(byPod.get(x.pod) ?? []), x]);
    for (const list of byPod.values()) {
      for (let i = 1; i < list.length; i++) {
        const [a, b] = [list[i - 1]!, list[i]!];
        if (!a.leads && !b.leads) expect(b.passes, `${b.pod} ran a pass while following`).toBeLessThanOrEqual(a.passes);
      }
    }
    const mine = byPod.get(newLeader) ?? [];
    expect(mine.at(-1)!.leads).toBe(true);
    expect(mine.at(-1)!.passes).toBeGreaterThan(mine.find((x) => x.leads)!.passes);
  };

  beforeAll(async () => {
    cluster = await useTestCluster();
    bin = helmBinary(cluster.toolsBin);
    const env = await readClusterEnv();
    if (!env) throw new Error('no test cluster env');
    gateway = gatewayOf(env.podSubnet);
    ns = await cluster.createNamespace('sp-replicas');

    // The bridge (and its gateway address) exists once a pod has run on the node.
    if (!hostHas(gateway)) {
      const pause = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bridge', namespace: ns }, spec: { nodeName: cluster.realNode, containers: [{ name: 'pause', image: 'spaceport.local/pause:1', imagePullPolicy: 'Never' }] } };
      await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(pause));
      await waitFor(`the bridge address ${gateway}`, async () => (hostHas(gateway) ? true : undefined), 60_000, 200);
    }

    const local = await buildControllerImage();
    const [repository, digest] = (await cluster.pushImage(local, 'spaceport/controller')).split('@');
    pg = startPostgresServer({ host: gateway, port: await freePortOn(gateway), allowCidr: env.podSubnet });
    const api = new URL(cluster.server);
    apiForward = await forward(gateway, { host: api.hostname, port: Number(api.port) });
    const apiPort = (apiForward.address() as net.AddressInfo).port;

    pvDir = await mkdtemp(join(tmpdir(), 'spaceport-replicas-pv-'));
    await chmod(pvDir, 0o777);
    pvName = `${ns}-data`;
    const pv = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName, labels: { 'spaceport.dev/test': 'true' } },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: 'spaceport-test-local',
        hostPath: { path: pvDir, type: 'Directory' },
        claimRef: { namespace: ns, name: SVC },
      },
    };
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(pv));

    const values = {
      domain: 'localhost',
      hub: { publicUrl: `http://localhost:${PORT}` },
      image: { repository, digest },
      registry: { push: `${cluster.registry}/spaceport` },
      builder: { mode: 'external', hostSocket: true, hostSocketGroup: statSync('/var/run/docker.sock').gid },
      controller: {
        replicas: 2,
        port: PORT,
        apiServer: `https://kubernetes.default.svc:${apiPort}`,
        hostAliases: [{ ip: gateway, hostnames: ['kubernetes.default.svc'] }],
        database: { url: pg.url, leaderLeaseMs: LEASE_MS },
        persistence: { storageClass: 'spaceport-test-local', size: '1Gi', accessModes: ['ReadWriteMany'], keep: false },
        resources: { requests: { cpu: '100m', memory: '256Mi' } },
      },
      proxy: { enabled: false },
    };
    const valuesFile = join(pvDir, '..', `${ns}-values.yaml`);
    await writeFile(valuesFile, YAML.stringify(values));
    try {
      await helm(bin, ['install', RELEASE, CHART_DIR, '-n', ns, '--kubeconfig', cluster.kubeconfigPath, '-f', valuesFile, '--wait', '--timeout', '5m'], { timeoutMs: 6 * 60_000 });
    } catch (err) {
      const state = await cluster.kubectl(['get', 'pods,pvc', '-n', ns, '-o', 'wide']).catch((e: Error) => e.message);
      const names = (await pods().catch(() => [])).map((p) => p.name);
      const tails = await Promise.all(names.map((n) => cluster.kubectl(['logs', '-n', ns, n, '--tail=30']).catch((e: Error) => e.message)));
      throw new Error(`${(err as Error).message}\n${state}\n${tails.join('\n---\n')}`);
    } finally {
      await rm(valuesFile, { force: true });
    }
    const secret = JSON.parse(await cluster.kubectl(['get', 'secret', `${RELEASE}-spaceport`, '-n', ns, '-o', 'jsonpath={.data}'])) as Record<string, string>;
    token = Buffer.from(secret['admin-token']!, 'base64').toString('utf8');
    metricsToken = Buffer.from(secret['metrics-token']!, 'base64').toString('utf8');
    for (const p of await pods()) follow(p.name);
  }, 15 * 60_000);

  afterAll(async () => {
    for (const c of logStreams) c.kill();
    if (ns) await run(bin, ['uninstall', RELEASE, '-n', ns, '--kubeconfig', cluster.kubeconfigPath, '--wait', '--timeout', '60s']);
    if (ns) await cluster.deleteNamespace(ns).catch(() => undefined);
    if (pvName) await cluster.kubectl(['delete', 'pv', pvName, '--ignore-not-found', '--wait=false']).catch(() => undefined);
    if (pvDir) await rm(pvDir, { recursive: true, force: true });
    if (work) await rm(work, { recursive: true, force: true });
    apiForward?.close();
    pg?.stop();
  }, 180_000);

  it('one replica leads; the other follows and serves the API; a static Space is served', async () => {
    const both = await waitFor('two Ready controller pods', async () => {
      const ps = await pods();
      return ps.length === 2 && ps.every((p) => p.ready) ? ps : undefined;
    }, 120_000, 500);
    const roles = await waitFor('each replica reporting spaceport_leader', async () => {
      const r = await Promise.all(both.map(leads));
      return r.every((x) => x !== undefined) ? r : undefined;
    }, 30_000, 500);
    expect(roles.filter(Boolean)).toHaveLength(1);
    for (const p of both) expect((await ask(p.ip, { path: '/api/whoami-v2', token })).status).toBe(200);

    const [ep] = await endpoints();
    expect((await ask(ep!.ip, { path: '/api/repos/create', method: 'POST', token, body: { name: 'site', type: 'space', sdk: 'static' } })).status).toBe(200);
    work = await makeWorkTree(site(`one ${RUN}`));
    const push = await git(['push', '--force', `http://user:${token}@${ep!.ip}:${PORT}/spaces/admin/site`, 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    for (const p of both) {
      await waitFor(`the site served by ${p.name}`, async () => ((await ask(p.ip, { path: '/', host: `admin-site.localhost:${PORT}` })).body.includes(`one ${RUN}`) ? true : undefined), 120_000, 250);
    }
    // The observable the failover checks rest on: the leader logs each Space's stage, the follower none.
    const [leader, follower] = roles[0] ? both : [both[1]!, both[0]!];
    await waitFor('the leader logging the site\'s stage', async () => (entries(leader!.name).some((e) => e.msg === 'stage' && e.space === 'admin/site') ? true : undefined), 30_000, 200);
    expect(entries(follower!.name).filter((e) => e.msg === 'stage' || e.msg === 'leader-only work starts')).toEqual([]);
    expect((await roleOf(leader!))!.passes).toBeGreaterThan(0);
    expect((await roleOf(follower!))!.passes).toBe(0);
  }, 300_000);

  it('the leader force-deleted: the API keeps answering, the other replica leads within the lease, a later push is served', async () => {
    const before = await pods();
    const roles = await Promise.all(before.map(leads));
    const leader = before[roles.indexOf(true)]!;
    const follower = before[roles.indexOf(false)]!;

    const client = await startClient(before);
    await new Promise((r) => setTimeout(r, 1_000));

    const killedAt = Date.now();
    await cluster.kubectl(['delete', 'pod', '-n', ns, leader.name, '--grace-period=0', '--force', '--wait=false']);
    await waitFor('the follower leading', async () => ((await leads(follower)) === true ? true : undefined), LEASE_MS + 10_000, 100);
    const newLeaderAfterMs = Date.now() - killedAt;

    // A change after the failover: a push through the Service, reconciled by the new leader.
    await commitFiles(work!, site(`two ${RUN}`), 'v2');
    const pushEp = (await endpoints())[0]!;
    const push = await git(['push', '--force', `http://user:${token}@${pushEp.ip}:${PORT}/spaces/admin/site`, 'main'], work!);
    expect(push.code, push.stderr).toBe(0);
    await waitFor('the pushed site served', async () => ((await ask(follower.ip, { path: '/', host: `admin-site.localhost:${PORT}` })).body.includes(`two ${RUN}`) ? true : undefined), 120_000, 250);
    // Keep polling until the replacement pod serves too.
    const replacement = await waitFor('a replacement pod Ready', async () => {
      const ps = await pods();
      const fresh = ps.find((p) => p.name !== follower.name && p.name !== leader.name);
      return fresh?.ready ? fresh : undefined;
    }, 180_000, 500);
    follow(replacement.name);
    await new Promise((r) => setTimeout(r, 2_000));
    const { failed, gapMs, report, samples } = summarize('force-delete', await client.stop(), killedAt, { newLeaderAfterMs });
    expectOneReconcilerAtATime(samples, follower.name);
    expect(newLeaderAfterMs).toBeLessThan(LEASE_MS + 2_000);
    expect(gapMs, JSON.stringify(report)).toBeLessThan(LEASE_MS);
    // Every answer but those failures is the Space's runtime, from both replicas before and after.
    for (const a of report.answers.filter((x) => !failed.includes(x))) expect(a.status, JSON.stringify(a)).toBe(200);
    await expectLastWriteKept(report.answers, follower);
    expect(await leads(replacement)).toBe(false);

    // No Space reconciled by both: leader-only work runs on one replica at a time, in term order.
    const termsOf = (pod: string) => entries(pod).filter((e) => e.msg === 'leader-only work starts');
    const oldStarts = termsOf(leader.name);
    const newStarts = termsOf(follower.name);
    expect(oldStarts).toHaveLength(1);
    expect(newStarts).toHaveLength(1);
    expect(newStarts[0]!.term).toBeGreaterThan(oldStarts[0]!.term!);
    // The force-deleted pod still got SIGTERM from the kubelet: its leader-only work stopped (and its
    // lock went) before the new term's started; after that it only finished stopping, touching no Space.
    const oldStops = entries(leader.name).filter((e) => e.msg === 'leader-only work stops');
    expect(oldStops.length).toBeGreaterThan(0);
    expect(oldStops[0]!.time).toBeLessThanOrEqual(newStarts[0]!.time);
    expect(entries(leader.name).filter((e) => e.time > oldStops[0]!.time && e.space !== undefined)).toEqual([]);
    // The follower logged no Space's stage before its term; the replacement none at all.
    const stageLines = (pod: string) => entries(pod).filter((e) => e.msg === 'stage');
    expect(stageLines(follower.name).filter((e) => e.time < newStarts[0]!.time)).toEqual([]);
    expect(termsOf(replacement.name)).toEqual([]);
    lastTerm = newStarts[0]!.term!;
  }, 600_000);

  it('the leader killed with SIGKILL on the node: the other replica leads within the lease, the killed one comes back following', async () => {
    const before = await pods();
    const roles = await Promise.all(before.map(leads));
    expect(roles.filter(Boolean)).toHaveLength(1);
    const leader = before[roles.indexOf(true)]!;
    const follower = before[roles.indexOf(false)]!;
    const pids = processesOf(leader.name);
    expect(pids.length).toBeGreaterThan(0);

    const client = await startClient(before);
    await new Promise((r) => setTimeout(r, 1_000));
    const killedAt = Date.now();
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await waitFor('the follower leading', async () => ((await leads(follower)) === true ? true : undefined), LEASE_MS + 10_000, 100);
    const newLeaderAfterMs = Date.now() - killedAt;

    await commitFiles(work!, site(`three ${RUN}`), 'v3');
    const push = await git(['push', '--force', `http://user:${token}@${follower.ip}:${PORT}/spaces/admin/site`, 'main'], work!);
    expect(push.code, push.stderr).toBe(0);
    await waitFor('the pushed site served', async () => ((await ask(follower.ip, { path: '/', host: `admin-site.localhost:${PORT}` })).body.includes(`three ${RUN}`) ? true : undefined), 120_000, 250);
    // The kubelet restarts the killed container in its pod: it comes back as a follower.
    await waitFor('the killed replica back, following', async () => ((await leads(leader)) === false ? true : undefined), 180_000, 500);
    await new Promise((r) => setTimeout(r, 2_000));
    const { failed, gapMs, report, samples } = summarize('SIGKILL', await client.stop(), killedAt, { newLeaderAfterMs });
    expectOneReconcilerAtATime(samples, follower.name);
    expect(newLeaderAfterMs).toBeLessThan(LEASE_MS + 2_000);
    expect(gapMs, JSON.stringify(report)).toBeLessThan(LEASE_MS);
    for (const a of report.answers.filter((x) => !failed.includes(x))) expect(a.status, JSON.stringify(a)).toBe(200);
    await expectLastWriteKept(report.answers, follower);
    const starts = entries(follower.name).filter((e) => e.msg === 'leader-only work starts');
    expect(starts).toHaveLength(1);
    expect(starts[0]!.term).toBeGreaterThan(lastTerm);
    // Nothing of the killed process after its kill (its log ends there), and no Space stage on the new
    // leader before its term.
    expect(entries(leader.name).filter((e) => e.time > killedAt)).toEqual([]);
    expect(entries(follower.name).filter((e) => e.msg === 'stage' && e.time < starts[0]!.time)).toEqual([]);
  }, 600_000);

  it('a helm upgrade rolls both replicas one at a time: every request answered, one leader at a time', async () => {
    const before = await pods();
    expect(before).toHaveLength(2);
    const client = await startClient(before);
    await new Promise((r) => setTimeout(r, 1_000));
    const startedAt = Date.now();
    await helm(bin, ['upgrade', RELEASE, CHART_DIR, '-n', ns, '--kubeconfig', cluster.kubeconfigPath, '--reuse-values', '--set', 'controller.logLevel=debug', '--wait', '--timeout', '5m'], {
      timeoutMs: 6 * 60_000,
    });
    const after = await waitFor('two new Ready pods, one leading', async () => {
      const ps = await pods();
      if (ps.length !== 2 || !ps.every((p) => p.ready && !before.some((b) => b.name === p.name))) return undefined;
      const roles = await Promise.all(ps.map(leads));
      return roles.filter((x) => x === true).length === 1 && roles.includes(false) ? ps : undefined;
    }, 180_000, 500);
    const rolledMs = Date.now() - startedAt;
    const { failed, report, samples } = summarize('helm upgrade', await client.stop(), startedAt, { rolledMs });
    // A graceful roll loses nothing: each stopping pod keeps serving while its endpoint goes (the
    // chart's preStop sleep; without it 3 reads in 300 ms were refused by a pod that had stopped).
    expect(failed, JSON.stringify(report)).toEqual([]);
    for (const a of report.answers) expect(a.status, JSON.stringify(a)).toBe(200);
    const byTick = new Map<number, number>();
    for (const x of samples) if (x.leads) byTick.set(x.at, (byTick.get(x.at) ?? 0) + 1);
    expect(Math.max(0, ...byTick.values())).toBeLessThanOrEqual(1);
    await expectLastWriteKept(report.answers, after[0]!);
    await waitFor('the site served by the new pods', async () => ((await ask(after[1]!.ip, { path: '/', host: `admin-site.localhost:${PORT}` })).body.includes(`three ${RUN}`) ? true : undefined), 60_000, 250);
  }, 600_000);
});
