/**
 * What a release's Deployment and pods mean as an `InstanceState`. Pure: the informers' cached
 * objects in, our state out (tested without a cluster).
 */
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { CONTAINER_NAME, K8S_ANNOTATIONS } from './kubernetes-manifests.js';
import type { InstanceState } from '../runtime.js';

/** Waiting reasons that will not fix themselves: the release failed to start. */
const FATAL_WAITING = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/** The kubelet restarted the app container in this pod (it exited, or failed its liveness probe): `restarts` times, the latest as `last`. */
export interface KubeletRestarts {
  pod: string;
  restarts: number;
  exitCode: number;
  reason: string;
  finishedAt: number;
}

export type PodVerdict =
  | { kind: 'none' }
  | { kind: 'starting'; restarted?: KubeletRestarts }
  | { kind: 'ready'; ip: string; startedAt?: number; restarted?: KubeletRestarts }
  /** The container ended; `previous`: its output is in the previous container's log (it was restarted). */
  | { kind: 'exited'; exitCode: number; reason: string; previous: boolean; pod: string; restarts: number }
  | { kind: 'failed'; reason: string; capacity?: boolean };

export function startsOf(obj: { metadata?: { annotations?: Record<string, string> } } | undefined): number {
  const n = Number(obj?.metadata?.annotations?.[K8S_ANNOTATIONS.starts] ?? 0);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

/** The pod that stands for the Deployment now: of its current start, not terminating, newest first. */
export function currentPod(deployment: V1Deployment, pods: readonly V1Pod[]): V1Pod | undefined {
  const starts = String(startsOf(deployment));
  const image = deployment.spec?.template.spec?.containers[0]?.image;
  const candidates = pods.filter(
    (p) =>
      !p.metadata?.deletionTimestamp &&
      (p.metadata?.annotations?.[K8S_ANNOTATIONS.starts] ?? '0') === starts &&
      p.spec?.containers[0]?.image === image,
  );
  candidates.sort((a, b) => time(b.metadata?.creationTimestamp) - time(a.metadata?.creationTimestamp));
  return candidates[0];
}

function time(t: Date | string | undefined): number {
  return t ? new Date(t).getTime() : 0;
}

/** Read one pod: ready (with its IP), starting, exited (with the exit), or failed (why it cannot run). */
export function podVerdict(pod: V1Pod | undefined, flavorName: string): PodVerdict {
  if (!pod) return { kind: 'none' };
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    const message = scheduled.message ?? '';
    return { kind: 'failed', reason: unschedulableMessage(flavorName, message), ...(/\bInsufficient\b/.test(message) ? { capacity: true } : {}) };
  }
  const cs = pod.status?.containerStatuses?.find((c) => c.name === CONTAINER_NAME);
  const waiting = cs?.state?.waiting;
  if (waiting?.reason && FATAL_WAITING.has(waiting.reason)) {
    return { kind: 'failed', reason: `${waiting.reason}: ${waiting.message ?? 'the container could not start'}` };
  }
  const terminated = cs?.state?.terminated;
  if (terminated) {
    return { kind: 'exited', exitCode: terminated.exitCode, reason: terminated.reason ?? 'Error', previous: false, pod: pod.metadata!.name!, restarts: cs!.restartCount };
  }
  const last = cs?.lastState?.terminated;
  if (last && (waiting?.reason === 'CrashLoopBackOff' || !cs?.state?.running)) {
    return { kind: 'exited', exitCode: last.exitCode, reason: last.reason ?? 'Error', previous: true, pod: pod.metadata!.name!, restarts: cs!.restartCount };
  }
  if (pod.status?.phase === 'Failed') {
    return { kind: 'failed', reason: `${pod.status.reason ?? 'Failed'}: ${pod.status.message ?? 'the pod failed'}` };
  }
  const restarted: KubeletRestarts | undefined =
    cs && cs.restartCount > 0 && last
      ? { pod: pod.metadata!.name!, restarts: cs.restartCount, exitCode: last.exitCode, reason: last.reason ?? 'Error', finishedAt: time(last.finishedAt) }
      : undefined;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  if (ready && cs?.ready && pod.status?.podIP) {
    const startedAt = cs.state?.running?.startedAt;
    return { kind: 'ready', ip: pod.status.podIP, ...(startedAt ? { startedAt: time(startedAt) } : {}), ...(restarted ? { restarted } : {}) };
  }
  return restarted ? { kind: 'starting', restarted } : { kind: 'starting' };
}

/**
 * How a container ended, as a crash message's head. An app killed by a signal (137: SIGKILL, 143:
 * SIGTERM) that it did not exit from on its own is most often one whose liveness probe got no
 * answer: the kubelet kills it and restarts it in place.
 */
export function exitHead(r: { exitCode: number; reason: string }): string {
  if (r.reason === 'OOMKilled') return 'OOMKilled: the app ran out of memory';
  if (r.exitCode === 137 || r.exitCode === 143) {
    return `The app was killed (exit code ${r.exitCode}): it stopped answering HTTP on its port (liveness probe GET /), or something else stopped it`;
  }
  return `exited with code ${r.exitCode} (${r.reason})`;
}

/** The head of a crash the kubelet restarted in place. */
export function restartHead(r: { exitCode: number; reason: string }): string {
  return `${exitHead(r)}; Kubernetes restarted it`;
}

/**
 * The scheduler's "0/4 nodes are available: 2 Insufficient nvidia.com/gpu, 2 node(s) didn't match
 * Pod's node affinity/selector…" as a message that names the flavor first.
 */
export function unschedulableMessage(flavorName: string, schedulerMessage: string): string {
  const why = schedulerMessage.replace(/\s*preemption:.*$/s, '').trim() || 'no node fits';
  return `No node can run hardware "${flavorName}" now: ${why}`;
}

/** The state of one release from its Deployment and current pod; `tail` is the exited container's last output. */
export function instanceStateFor(deployment: V1Deployment, verdict: PodVerdict, tail?: string): InstanceState {
  if ((deployment.spec?.replicas ?? 1) === 0) return { kind: 'stopped' };
  switch (verdict.kind) {
    case 'none':
    case 'starting':
      return { kind: 'starting' };
    case 'ready':
      return { kind: 'ready' };
    case 'failed':
      return { kind: 'failed', reason: verdict.reason, ...(verdict.capacity ? { capacity: true } : {}) };
    case 'exited': {
      const head = exitHead(verdict);
      return { kind: 'exited', exitCode: verdict.exitCode, reason: tail ? `${head}\n${tail}` : head };
    }
  }
}
