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
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { commitFiles, git, makeWorkTree } from '../support/git-client.js';
import { CHART_DIR, buildControllerImage, helm, helmBinary, run } from '../support/helm.js';
import { waitFor } from '../support/http.js';
import { readClusterEnv, useTestCluster, type TestCluster } from '../support/k8s-cluster.js';
import { startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { watchReplicas, type Answer, type Pod, type Sample } from '../support/controller-replicas-watch.js';
import { forward, freePortOn, gatewayOf, hostHas, hostPathVolumeFor, processesOf, type ClaimVolume } from '../support/k8s-host-reach.js';

const RUN = randomBytes(3).toString('hex');
const RELEASE = 'spr';
const PORT = 8080;
const LEASE_MS = 10_000;
const SVC = `${RELEASE}-spaceport-controller`;
const site = (text: string) => ({ 'README.md': '---\ntitle: Replicas\nsdk: static\n---\n', 'index.html': `<p>${text}</p>\n` });

describe('two controller replicas against PostgreSQL: the leader killed', () => {
  let cluster: TestCluster;
  let bin: string;
  let ns: string;
  let gateway: string;
  let pg: PostgresServer | undefined;
  let apiForward: net.Server | undefined;
  let volume: ClaimVolume | undefined;
  let token: string;
  let metricsToken: string;
  /** The leader term of the latest failover. */
  let lastTerm = 0;
  let work: string | undefined;
  let watch: ReturnType<typeof watchReplicas>;

  /** The last sleep time written (and answered 200) is what every replica now reads. */
  const expectLastWriteKept = async (answers: Answer[], p: Pod) => {
    const last = answers.filter((a) => a.kind === 'write' && a.status === 200).at(-1)!;
    const rt = JSON.parse((await watch.ask(p.ip, { path: '/api/spaces/admin/site/runtime', token })).body) as { gcTimeout: number | null };
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
    watch = watchReplicas({ cluster, ns, service: SVC, port: PORT, leaseMs: LEASE_MS, tokens: () => ({ api: token, metrics: metricsToken }) });

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

    volume = await hostPathVolumeFor(cluster, { ns, claim: SVC, accessMode: 'ReadWriteMany', prefix: 'spaceport-replicas' });

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
    const valuesFile = join(volume.dir, '..', `${ns}-values.yaml`);
    await writeFile(valuesFile, YAML.stringify(values));
    try {
      await helm(bin, ['install', RELEASE, CHART_DIR, '-n', ns, '--kubeconfig', cluster.kubeconfigPath, '-f', valuesFile, '--wait', '--timeout', '5m'], { timeoutMs: 6 * 60_000 });
    } catch (err) {
      const state = await cluster.kubectl(['get', 'pods,pvc', '-n', ns, '-o', 'wide']).catch((e: Error) => e.message);
      const names = (await watch.pods().catch(() => [])).map((p) => p.name);
      const tails = await Promise.all(names.map((n) => cluster.kubectl(['logs', '-n', ns, n, '--tail=30']).catch((e: Error) => e.message)));
      throw new Error(`${(err as Error).message}\n${state}\n${tails.join('\n---\n')}`);
    } finally {
      await rm(valuesFile, { force: true });
    }
    const secret = JSON.parse(await cluster.kubectl(['get', 'secret', `${RELEASE}-spaceport`, '-n', ns, '-o', 'jsonpath={.data}'])) as Record<string, string>;
    token = Buffer.from(secret['admin-token']!, 'base64').toString('utf8');
    metricsToken = Buffer.from(secret['metrics-token']!, 'base64').toString('utf8');
    for (const p of await watch.pods()) watch.follow(p.name);
  }, 15 * 60_000);

  afterAll(async () => {
    watch?.close();
    if (ns) await run(bin, ['uninstall', RELEASE, '-n', ns, '--kubeconfig', cluster.kubeconfigPath, '--wait', '--timeout', '60s']);
    if (ns) await cluster.deleteNamespace(ns).catch(() => undefined);
    await volume?.remove();
    if (work) await rm(work, { recursive: true, force: true });
    apiForward?.close();
    pg?.stop();
  }, 180_000);

  it('one replica leads; the other follows and serves the API; a static Space is served', async () => {
    const both = await waitFor('two Ready controller pods', async () => {
      const ps = await watch.pods();
      return ps.length === 2 && ps.every((p) => p.ready) ? ps : undefined;
    }, 120_000, 500);
    const roles = await waitFor('each replica reporting spaceport_leader', async () => {
      const r = await Promise.all(both.map(watch.leads));
      return r.every((x) => x !== undefined) ? r : undefined;
    }, 30_000, 500);
    expect(roles.filter(Boolean)).toHaveLength(1);
    for (const p of both) expect((await watch.ask(p.ip, { path: '/api/whoami-v2', token })).status).toBe(200);

    const [ep] = await watch.endpoints();
    expect((await watch.ask(ep!.ip, { path: '/api/repos/create', method: 'POST', token, body: { name: 'site', type: 'space', sdk: 'static' } })).status).toBe(200);
    work = await makeWorkTree(site(`one ${RUN}`));
    const push = await git(['push', '--force', `http://user:${token}@${ep!.ip}:${PORT}/spaces/admin/site`, 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    for (const p of both) {
      await waitFor(`the site served by ${p.name}`, async () => ((await watch.ask(p.ip, { path: '/', host: `admin-site.localhost:${PORT}` })).body.includes(`one ${RUN}`) ? true : undefined), 120_000, 250);
    }
    // The observable the failover checks rest on: the leader logs each Space's stage, the follower none.
    const [leader, follower] = roles[0] ? both : [both[1]!, both[0]!];
    await waitFor('the leader logging the site\'s stage', async () => (watch.entries(leader!.name).some((e) => e.msg === 'stage' && e.space === 'admin/site') ? true : undefined), 30_000, 200);
    expect(watch.entries(follower!.name).filter((e) => e.msg === 'stage' || e.msg === 'leader-only work starts')).toEqual([]);
    expect((await watch.roleOf(leader!))!.passes).toBeGreaterThan(0);
    expect((await watch.roleOf(follower!))!.passes).toBe(0);
  }, 300_000);

  it('the leader force-deleted: the API keeps answering, the other replica leads within the lease, a later push is served', async () => {
    const before = await watch.pods();
    const roles = await Promise.all(before.map(watch.leads));
    const leader = before[roles.indexOf(true)]!;
    const follower = before[roles.indexOf(false)]!;

    const client = await watch.startClient(before);
    await new Promise((r) => setTimeout(r, 1_000));

    const killedAt = Date.now();
    await cluster.kubectl(['delete', 'pod', '-n', ns, leader.name, '--grace-period=0', '--force', '--wait=false']);
    await waitFor('the follower leading', async () => ((await watch.leads(follower)) === true ? true : undefined), LEASE_MS + 10_000, 100);
    const newLeaderAfterMs = Date.now() - killedAt;

    // A change after the failover: a push through the Service, reconciled by the new leader.
    await commitFiles(work!, site(`two ${RUN}`), 'v2');
    // Through the Service, to a ready replica other than the deleted one (its endpoint can outlast its pod by a moment).
    const pushEp = await waitFor('an endpoint besides the deleted pod', async () => (await watch.endpoints()).find((e) => e.pod !== leader.name), 10_000, 100);
    const push = await git(['push', '--force', `http://user:${token}@${pushEp.ip}:${PORT}/spaces/admin/site`, 'main'], work!);
    expect(push.code, push.stderr).toBe(0);
    await waitFor('the pushed site served', async () => ((await watch.ask(follower.ip, { path: '/', host: `admin-site.localhost:${PORT}` })).body.includes(`two ${RUN}`) ? true : undefined), 120_000, 250);
    // Keep polling until the replacement pod serves too.
    const replacement = await waitFor('a replacement pod Ready', async () => {
      const ps = await watch.pods();
      const fresh = ps.find((p) => p.name !== follower.name && p.name !== leader.name);
      return fresh?.ready ? fresh : undefined;
    }, 180_000, 500);
    watch.follow(replacement.name);
    await new Promise((r) => setTimeout(r, 2_000));
    const { failed, gapMs, report, samples } = watch.summarize('force-delete', await client.stop(), killedAt, { newLeaderAfterMs });
    expectOneReconcilerAtATime(samples, follower.name);
    expect(newLeaderAfterMs).toBeLessThan(LEASE_MS + 2_000);
    expect(gapMs, JSON.stringify(report)).toBeLessThan(LEASE_MS);
    // Every answer but those failures is the Space's runtime, from both replicas before and after.
    for (const a of report.answers.filter((x) => !failed.includes(x))) expect(a.status, JSON.stringify(a)).toBe(200);
    await expectLastWriteKept(report.answers, follower);
    expect(await watch.leads(replacement)).toBe(false);

    // No Space reconciled by both: leader-only work runs on one replica at a time, in term order.
    const termsOf = (pod: string) => watch.entries(pod).filter((e) => e.msg === 'leader-only work starts');
    const oldStarts = termsOf(leader.name);
    const newStarts = termsOf(follower.name);
    expect(oldStarts).toHaveLength(1);
    expect(newStarts).toHaveLength(1);
    expect(newStarts[0]!.term).toBeGreaterThan(oldStarts[0]!.term!);
    // The force-deleted pod still got SIGTERM from the kubelet: its leader-only work stopped (and its
    // lock went) before the new term's started; after that it only finished stopping, touching no Space.
    const oldStops = watch.entries(leader.name).filter((e) => e.msg === 'leader-only work stops');
    expect(oldStops.length).toBeGreaterThan(0);
    expect(oldStops[0]!.time).toBeLessThanOrEqual(newStarts[0]!.time);
    expect(watch.entries(leader.name).filter((e) => e.time > oldStops[0]!.time && e.space !== undefined)).toEqual([]);
    // The follower logged no Space's stage before its term; the replacement none at all.
    const stageLines = (pod: string) => watch.entries(pod).filter((e) => e.msg === 'stage');
    expect(stageLines(follower.name).filter((e) => e.time < newStarts[0]!.time)).toEqual([]);
    expect(termsOf(replacement.name)).toEqual([]);
    lastTerm = newStarts[0]!.term!;
  }, 600_000);

  it('the leader killed with SIGKILL on the node: the other replica leads within the lease, the killed one comes back following', async () => {
    const before = await watch.pods();
    const roles = await Promise.all(before.map(watch.leads));
    expect(roles.filter(Boolean)).toHaveLength(1);
    const leader = before[roles.indexOf(true)]!;
    const follower = before[roles.indexOf(false)]!;
    const pids = processesOf(leader.name);
    expect(pids.length).toBeGreaterThan(0);

    const client = await watch.startClient(before);
    await new Promise((r) => setTimeout(r, 1_000));
    const killedAt = Date.now();
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await waitFor('the follower leading', async () => ((await watch.leads(follower)) === true ? true : undefined), LEASE_MS + 10_000, 100);
    const newLeaderAfterMs = Date.now() - killedAt;

    await commitFiles(work!, site(`three ${RUN}`), 'v3');
    const push = await git(['push', '--force', `http://user:${token}@${follower.ip}:${PORT}/spaces/admin/site`, 'main'], work!);
    expect(push.code, push.stderr).toBe(0);
    await waitFor('the pushed site served', async () => ((await watch.ask(follower.ip, { path: '/', host: `admin-site.localhost:${PORT}` })).body.includes(`three ${RUN}`) ? true : undefined), 120_000, 250);
    // The kubelet restarts the killed container in its pod: it comes back as a follower.
    await waitFor('the killed replica back, following', async () => ((await watch.leads(leader)) === false ? true : undefined), 180_000, 500);
    await new Promise((r) => setTimeout(r, 2_000));
    const { failed, gapMs, report, samples } = watch.summarize('SIGKILL', await client.stop(), killedAt, { newLeaderAfterMs });
    expectOneReconcilerAtATime(samples, follower.name);
    expect(newLeaderAfterMs).toBeLessThan(LEASE_MS + 2_000);
    expect(gapMs, JSON.stringify(report)).toBeLessThan(LEASE_MS);
    for (const a of report.answers.filter((x) => !failed.includes(x))) expect(a.status, JSON.stringify(a)).toBe(200);
    await expectLastWriteKept(report.answers, follower);
    const starts = watch.entries(follower.name).filter((e) => e.msg === 'leader-only work starts');
    expect(starts).toHaveLength(1);
    expect(starts[0]!.term).toBeGreaterThan(lastTerm);
    // Nothing of the killed process after its kill (its log ends there), and no Space stage on the new
    // leader before its term.
    expect(watch.entries(leader.name).filter((e) => e.time > killedAt)).toEqual([]);
    expect(watch.entries(follower.name).filter((e) => e.msg === 'stage' && e.time < starts[0]!.time)).toEqual([]);
  }, 600_000);

  it('a helm upgrade rolls both replicas one at a time: every request answered, one leader at a time', async () => {
    const before = await watch.pods();
    expect(before).toHaveLength(2);
    const client = await watch.startClient(before);
    await new Promise((r) => setTimeout(r, 1_000));
    const startedAt = Date.now();
    await helm(bin, ['upgrade', RELEASE, CHART_DIR, '-n', ns, '--kubeconfig', cluster.kubeconfigPath, '--reuse-values', '--set', 'controller.logLevel=debug', '--wait', '--timeout', '5m'], {
      timeoutMs: 6 * 60_000,
    });
    const after = await waitFor('two new Ready pods, one leading', async () => {
      const ps = await watch.pods();
      if (ps.length !== 2 || !ps.every((p) => p.ready && !before.some((b) => b.name === p.name))) return undefined;
      const roles = await Promise.all(ps.map(watch.leads));
      return roles.filter((x) => x === true).length === 1 && roles.includes(false) ? ps : undefined;
    }, 180_000, 500);
    const rolledMs = Date.now() - startedAt;
    const { failed, report, samples } = watch.summarize('helm upgrade', await client.stop(), startedAt, { rolledMs });
    // A graceful roll loses nothing: each stopping pod keeps serving while its endpoint goes (the
    // chart's preStop sleep; without it 3 reads in 300 ms were refused by a pod that had stopped).
    expect(failed, JSON.stringify(report)).toEqual([]);
    for (const a of report.answers) expect(a.status, JSON.stringify(a)).toBe(200);
    const byTick = new Map<number, number>();
    for (const x of samples) if (x.leads) byTick.set(x.at, (byTick.get(x.at) ?? 0) + 1);
    expect(Math.max(0, ...byTick.values())).toBeLessThanOrEqual(1);
    await expectLastWriteKept(report.answers, after[0]!);
    await waitFor('the site served by the new pods', async () => ((await watch.ask(after[1]!.ip, { path: '/', host: `admin-site.localhost:${PORT}` })).body.includes(`three ${RUN}`) ? true : undefined), 60_000, 250);
  }, 600_000);
});
