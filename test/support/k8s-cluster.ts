/**
 * The real Kubernetes test cluster (scripts/k8s/cluster.sh) as our tests see it: reuse a running one,
 * else bring one up; run kubectl; make and delete namespaces; push images to its registry.
 *
 * The cluster: etcd, kube-apiserver, controller-manager and scheduler on loopback; four kwok nodes
 * (`kwok-cpu-{0,1}`, `kwok-gpu-t4-{0,1}`, tainted `spaceport.dev/simulated=true:NoSchedule`, the GPU ones
 * also `nvidia.com/gpu=present:NoSchedule`); one real node `localhost` (containerd + kubelet, no taints)
 * whose pods the host reaches at their pod IP; a plain-HTTP image registry it pulls from.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Dockerode from 'dockerode';
import { ensureTestImage, TEST_IMAGE } from './test-image.js';

export const CLUSTER_SCRIPT = resolve(fileURLToPath(import.meta.url), '../../../scripts/k8s/cluster.sh');

/** What `cluster.sh up` writes to `$SPACEPORT_K8S_STATE/env.json`. */
export interface ClusterEnv {
  kubeconfig: string;
  server: string;
  registry: string;
  realNode: string;
  toolsBin: string;
  kwokNodes: { cpu: string[]; gpu: string[] };
  podSubnet: string;
  stateDir: string;
}

export interface TestCluster {
  kubeconfigPath: string;
  server: string;
  registry: string;
  toolsBin: string;
  realNode: string;
  kwokNodes: { cpu: string[]; gpu: string[] };
  /** `kubectl --kubeconfig <admin> ...args`; resolves stdout, rejects with a KubectlError. */
  kubectl(args: string[], stdin?: string): Promise<string>;
  /** A fresh namespace `${prefix}-xxxxxx` whose default service account exists (pods can be created). */
  createNamespace(prefix: string): Promise<string>;
  /** Delete the namespace and wait until it is gone (pods are given 1 s to stop). */
  deleteNamespace(ns: string): Promise<void>;
  /** Tag `localRef` as `${registry}/${repo}`, push it, return `${registry}/${repo}@sha256:…`. */
  pushImage(localRef: string, repo: string): Promise<string>;
}

export class KubectlError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`kubectl ${args.join(' ')} failed (${exitCode}): ${stderr.trim().slice(-2000)}`);
  }
}

export function k8sStateDir(): string {
  return process.env.SPACEPORT_K8S_STATE ?? '/tmp/spaceport-k8s';
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const REPO = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], opts: { stdin?: string; timeoutMs?: number; echoStderr?: boolean } = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: opts.timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (opts.echoStderr) process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

/** Run `cluster.sh up|down|status`; its progress lines go to our stderr. */
export async function runClusterScript(command: 'up' | 'down' | 'status'): Promise<string> {
  const r = await run('bash', [CLUSTER_SCRIPT, command], { echoStderr: true, timeoutMs: 20 * 60_000 });
  if (r.code !== 0 && command !== 'status') {
    throw new Error(`cluster.sh ${command} failed (${r.code}): ${r.stderr.trim().slice(-3000)}`);
  }
  return r.stdout;
}

export async function readClusterEnv(stateDir = k8sStateDir()): Promise<ClusterEnv | undefined> {
  let text: string;
  try {
    text = await readFile(join(stateDir, 'env.json'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as ClusterEnv;
}

async function kubectlRun(env: ClusterEnv, args: string[], stdin?: string, timeoutMs = 120_000): Promise<Run> {
  return run(join(env.toolsBin, 'kubectl'), ['--kubeconfig', env.kubeconfig, ...args], { stdin, timeoutMs });
}

/** Does the cluster described by `env` answer `/readyz`? */
export async function clusterAnswers(env: ClusterEnv): Promise<boolean> {
  try {
    const r = await kubectlRun(env, ['get', '--raw', '/readyz', '--request-timeout=5s'], undefined, 10_000);
    return r.code === 0 && r.stdout.trim() === 'ok';
  } catch {
    return false;
  }
}

/** A running cluster if one answers, else `cluster.sh up`. `started` says whether this call started it. */
export async function ensureCluster(): Promise<{ env: ClusterEnv; started: boolean }> {
  const existing = await readClusterEnv();
  if (existing && (await clusterAnswers(existing))) return { env: existing, started: false };
  await runClusterScript('up');
  const env = await readClusterEnv();
  if (!env) throw new Error(`cluster.sh up succeeded but wrote no ${join(k8sStateDir(), 'env.json')}`);
  return { env, started: true };
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function followPush(docker: Dockerode, stream: NodeJS.ReadableStream, ref: string): Promise<string> {
  type Event = { error?: string; errorDetail?: { message?: string }; aux?: { Digest?: string } };
  const events: Event[] = await new Promise((res, rej) =>
    docker.modem.followProgress(stream, (err: Error | null, out: unknown[]) => (err ? rej(err) : res(out as Event[]))),
  );
  const failed = events.find((e) => e.error || e.errorDetail);
  if (failed) throw new Error(`pushing ${ref} failed: ${failed.error ?? failed.errorDetail?.message}`);
  const digest = events.find((e) => e.aux?.Digest)?.aux?.Digest;
  if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`pushing ${ref}: the registry reported no digest`);
  return digest;
}

export function makeTestCluster(env: ClusterEnv, docker: Dockerode = new Dockerode()): TestCluster {
  const kubectl = async (args: string[], stdin?: string): Promise<string> => {
    const r = await kubectlRun(env, args, stdin);
    if (r.code !== 0) throw new KubectlError(args, r.code, r.stderr);
    return r.stdout;
  };
  return {
    kubeconfigPath: env.kubeconfig,
    server: env.server,
    registry: env.registry,
    toolsBin: env.toolsBin,
    realNode: env.realNode,
    kwokNodes: env.kwokNodes,
    kubectl,

    async createNamespace(prefix) {
      const ns = `${prefix}-${randomBytes(3).toString('hex')}`;
      if (ns.length > 63 || !DNS_LABEL.test(ns)) throw new Error(`namespace prefix ${JSON.stringify(prefix)} is not a DNS label`);
      await kubectl(['create', 'namespace', ns]);
      await kubectl(['label', 'namespace', ns, 'spaceport.dev/test=true']);
      // The ServiceAccount admission plugin refuses pods until the controller made `default`.
      await waitFor(`serviceaccount default in ${ns}`, 30_000, async () => (await kubectlRun(env, ['get', 'serviceaccount', 'default', '-n', ns, '-o', 'name'])).code === 0);
      return ns;
    },

    async deleteNamespace(ns) {
      if (!DNS_LABEL.test(ns)) throw new Error(`not a namespace name: ${JSON.stringify(ns)}`);
      await kubectl(['delete', 'pods', '--all', '-n', ns, '--grace-period=1', '--wait=false', '--ignore-not-found']);
      await kubectl(['delete', 'namespace', ns, '--ignore-not-found', '--wait=true', '--timeout=120s']);
    },

    async pushImage(localRef, repo) {
      if (!REPO.test(repo)) throw new Error(`not a repository name: ${JSON.stringify(repo)}`);
      const image = docker.getImage(localRef);
      const id = (await image.inspect()).Id.replace(/^sha256:/, '');
      const target = `${env.registry}/${repo}`;
      const tag = id.slice(0, 16);
      await image.tag({ repo: target, tag });
      const stream = await docker.getImage(`${target}:${tag}`).push({ authconfig: { serveraddress: env.registry } });
      const digest = await followPush(docker, stream, `${target}:${tag}`);
      return `${target}@${digest}`;
    },
  };
}

/** The cluster for this test file: the running one (globalSetup brings it up), else a fresh `up`. */
export async function useTestCluster(): Promise<TestCluster> {
  const { env } = await ensureCluster();
  return makeTestCluster(env);
}

/** Build the contract test app image (test/support/test-image.ts) and push it; returns the digest reference. */
export async function pushTestImage(cluster?: TestCluster, docker: Dockerode = new Dockerode()): Promise<string> {
  const c = cluster ?? (await useTestCluster());
  await ensureTestImage(docker);
  return c.pushImage(TEST_IMAGE, 'spaceport-test/busybox');
}
