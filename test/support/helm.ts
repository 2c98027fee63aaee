/**
 * helm and the chart (helm/spaceport) for the k8s suites: run helm by argv, render the chart with a
 * values variant, build the controller image (scripts/k8s/build-controller-image.sh).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const CHART_DIR = join(REPO_ROOT, 'helm/spaceport');
/** The Kubernetes version of the test cluster: `helm template` has no cluster to ask. */
export const KUBE_VERSION = '1.34.4';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { stdin?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 120_000, env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
    // A command that exits without reading its input closes the pipe first (EPIPE): not a failure of the run.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.stdin ?? '');
  });
}

/** scripts/k8s/versions.env as a map (`NAME=value` lines). */
export function toolVersions(): Record<string, string> {
  const text = readFileSync(join(REPO_ROOT, 'scripts/k8s/versions.env'), 'utf8');
  return Object.fromEntries([...text.matchAll(/^([A-Z0-9_]+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** helm from the test cluster's tools, else from the tools cache (scripts/k8s/build-tools.sh). */
export function helmBinary(toolsBin?: string): string {
  const v = toolVersions();
  const candidates = [
    ...(toolsBin ? [join(toolsBin, 'helm')] : []),
    join(process.env.SPACEPORT_TOOLS_CACHE ?? join(homedir(), '.cache/spaceport-tools'), `helm-${v.HELM_VERSION}-b${v.HELM_BUILD}/bin/helm`),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`helm not found (looked at ${candidates.join(', ')}). Fix: make k8s-tools`);
  return found;
}

export async function helm(bin: string, args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await run(bin, args, opts);
  if (r.code !== 0) throw new Error(`helm ${args.join(' ')} failed (${r.code}):\n${r.stderr.trim().slice(-3000)}`);
  return r.stdout;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: any;
}

/** `helm template` of the chart: the YAML text and its documents. */
export async function renderChart(
  bin: string,
  opts: { release?: string; namespace: string; valuesFiles?: string[]; set?: string[] },
): Promise<{ text: string; manifests: Manifest[] }> {
  const args = ['template', opts.release ?? 'sp', CHART_DIR, '--namespace', opts.namespace, '--kube-version', KUBE_VERSION];
  for (const f of opts.valuesFiles ?? []) args.push('-f', f);
  for (const s of opts.set ?? []) args.push('--set', s);
  const text = await helm(bin, args);
  const manifests = YAML.parseAllDocuments(text)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
  return { text, manifests };
}

export function find(manifests: Manifest[], kind: string, nameSuffix: string): Manifest | undefined {
  return manifests.find((m) => m.kind === kind && m.metadata.name.endsWith(nameSuffix));
}

/** Build (or reuse) the controller image; returns its local reference. A cold build takes ~3 min. */
export async function buildControllerImage(): Promise<string> {
  const r = await run('bash', [join(REPO_ROOT, 'scripts/k8s/build-controller-image.sh')], { timeoutMs: 15 * 60_000 });
  if (r.code !== 0) throw new Error(`build-controller-image.sh failed (${r.code}):\n${r.stderr.trim().slice(-3000)}`);
  const ref = r.stdout.trim().split('\n').pop() ?? '';
  if (!/^spaceport\/controller:[\w.-]+$/.test(ref)) throw new Error(`build-controller-image.sh printed no image reference: ${JSON.stringify(r.stdout.slice(-300))}`);
  return ref;
}
