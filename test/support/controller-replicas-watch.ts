/**
 * What test/k8s/controller-replicas.test.ts watches of the controller replicas it installs: their pods
 * and the Service's ready endpoints, each replica's role from its /metrics (`spaceport_leader`,
 * `spaceport_reconcile_passes_total`), each pod's log (pino JSON) while it lives, and a client that
 * calls the API through the Service every 100 ms (as kube-proxy would pick an endpoint), scraping every
 * replica with each request. The assertions stay in the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ask as askPod } from './k8s-host-reach.js';
import type { TestCluster } from './k8s-cluster.js';

export interface Answer {
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
export interface Sample {
  at: number;
  pod: string;
  leads: boolean;
  passes: number;
}

export interface Pod {
  name: string;
  ip: string;
  ready: boolean;
}

export interface ReplicaWatchOptions {
  cluster: TestCluster;
  ns: string;
  /** The controller Service. */
  service: string;
  port: number;
  leaseMs: number;
  /** The admin token (the client's calls) and the metrics token (the scrapes), once the release has them. */
  tokens: () => { api: string; metrics: string };
}

export function watchReplicas(o: ReplicaWatchOptions) {
  const ask = (ip: string, opts: Omit<Parameters<typeof askPod>[1], 'port'>) => askPod(ip, { ...opts, port: o.port });
  const logStreams: ChildProcess[] = [];
  /** Each pod's log lines (pino JSON), read while it lives. */
  const logs = new Map<string, string[]>();
  const pods = async (): Promise<Pod[]> => {
    const list = JSON.parse(await o.cluster.kubectl(['get', 'pods', '-n', o.ns, '-l', 'app.kubernetes.io/component=controller', '-o', 'json'])) as {
      items: Array<{ metadata: { name: string; deletionTimestamp?: string }; status: { podIP?: string; containerStatuses?: Array<{ ready: boolean }> } }>;
    };
    return list.items
      .filter((p) => !p.metadata.deletionTimestamp && p.status.podIP)
      .map((p) => ({ name: p.metadata.name, ip: p.status.podIP!, ready: p.status.containerStatuses?.[0]?.ready === true }));
  };
  /** The Service's ready endpoints, as kube-proxy reads them. */
  const endpoints = async (): Promise<Array<{ ip: string; pod: string }>> => {
    const list = JSON.parse(await o.cluster.kubectl(['get', 'endpointslices', '-n', o.ns, '-l', `kubernetes.io/service-name=${o.service}`, '-o', 'json'])) as {
      items: Array<{ endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean }; targetRef?: { name: string } }> }>;
    };
    return list.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).map((e) => ({ ip: e.addresses[0]!, pod: e.targetRef?.name ?? '?' })));
  };
  /** One scrape of a replica: whether it leads, and the reconcile passes it ran (one Space each). */
  const roleOf = async (p: Pod): Promise<{ leads: boolean; passes: number } | undefined> => {
    const r = await ask(p.ip, { path: '/metrics', token: o.tokens().metrics, timeoutMs: 2_000 }).catch(() => undefined);
    const leader = r?.status === 200 ? /^spaceport_leader (\d)/m.exec(r.body) : null;
    if (!leader) return undefined;
    return { leads: leader[1] === '1', passes: Number(/^spaceport_reconcile_passes_total (\d+)/m.exec(r!.body)?.[1] ?? 0) };
  };
  const leads = async (p: Pod): Promise<boolean | undefined> => (await roleOf(p))?.leads;
  const follow = (pod: string) => {
    const lines: string[] = [];
    logs.set(pod, lines);
    const child = spawn(join(o.cluster.toolsBin, 'kubectl'), ['--kubeconfig', o.cluster.kubeconfigPath, 'logs', '-f', '-n', o.ns, pod], { stdio: ['ignore', 'pipe', 'ignore'] });
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
              ? { path: '/api/spaces/admin/site/sleeptime', method: 'POST', body: { seconds }, token: o.tokens().api, timeoutMs: 2_000 }
              : { path: '/api/spaces/admin/site/runtime', token: o.tokens().api, timeoutMs: 2_000 };
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
      leaseMs: o.leaseMs,
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


  return { pods, endpoints, roleOf, leads, follow, entries, startClient, summarize, ask, close: () => logStreams.forEach((c) => c.kill()) };
}
