import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { currentPod, instanceStateFor, podVerdict, restartHead } from './kubernetes-state.js';

const deployment = (replicas: number, starts = 0): V1Deployment => ({
  metadata: { name: 'd', annotations: { 'spaceport.dev/starts': String(starts) } },
  spec: { replicas, selector: {}, template: { spec: { containers: [{ name: 'app', image: 'img' }] } } },
});

const pod = (status: V1Pod['status'], extra: { starts?: number; created?: string; deleting?: boolean; image?: string } = {}): V1Pod => ({
  metadata: {
    name: `p-${extra.created ?? 'x'}`,
    annotations: { 'spaceport.dev/starts': String(extra.starts ?? 0) },
    creationTimestamp: new Date(extra.created ?? '2026-01-01T00:00:00Z'),
    ...(extra.deleting ? { deletionTimestamp: new Date() } : {}),
  },
  spec: { containers: [{ name: 'app', image: extra.image ?? 'img' }] },
  status,
});

describe('kubernetes state', () => {
  it('replicas 0 is stopped whatever the pods say', () => {
    expect(instanceStateFor(deployment(0), { kind: 'none' })).toEqual({ kind: 'stopped' });
  });

  it('a Ready pod with an IP is ready', () => {
    const v = podVerdict(
      pod({ podIP: '10.1.0.5', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'img', imageID: '', state: { running: {} } }] }),
      'cpu-basic',
    );
    expect(v).toMatchObject({ kind: 'ready', ip: '10.1.0.5' });
    expect(instanceStateFor(deployment(1), v)).toEqual({ kind: 'ready' });
  });

  it('Unschedulable names the flavor and the scheduler reason', () => {
    const v = podVerdict(
      pod({ conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: "0/4 nodes are available: 2 Insufficient nvidia.com/gpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling." }] }),
      'a10g-largex4',
    );
    expect(v.kind).toBe('failed');
    const reason = v.kind === 'failed' ? v.reason : '';
    expect(reason).toBe(`No node can run hardware "a10g-largex4" now: 0/4 nodes are available: 2 Insufficient nvidia.com/gpu, 2 node(s) didn't match Pod's node affinity/selector.`);
  });

  it('ImagePullBackOff is a failure with the kubelet message', () => {
    const v = podVerdict(pod({ containerStatuses: [{ name: 'app', ready: false, restartCount: 0, image: 'img', imageID: '', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "img"' } } }] }), 'cpu-basic');
    expect(v).toEqual({ kind: 'failed', reason: 'ImagePullBackOff: Back-off pulling image "img"' });
  });

  it('CrashLoopBackOff and OOMKilled are exits, read from the previous container', () => {
    const crash = podVerdict(
      pod({ containerStatuses: [{ name: 'app', ready: false, restartCount: 2, image: 'img', imageID: '', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] }),
      'cpu-basic',
    );
    expect(crash).toMatchObject({ kind: 'exited', exitCode: 137, reason: 'OOMKilled', previous: true, restarts: 2 });
    expect(instanceStateFor(deployment(1), crash, 'allocating')).toEqual({ kind: 'exited', exitCode: 137, reason: 'OOMKilled: the app ran out of memory\nallocating' });
  });

  it('a container the kubelet restarted in place and that runs again carries its restarts and how the last one ended', () => {
    const running = (ready: boolean) =>
      podVerdict(
        pod({
          podIP: '10.1.0.5',
          conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
          containerStatuses: [
            { name: 'app', ready, restartCount: 2, image: 'img', imageID: '', state: { running: {} }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: new Date('2026-01-01T00:01:00Z') } } },
          ],
        }),
        'cpu-basic',
      );
    const restarted = { pod: 'p-x', restarts: 2, exitCode: 1, reason: 'Error', finishedAt: Date.parse('2026-01-01T00:01:00Z') };
    expect(running(true)).toMatchObject({ kind: 'ready', restarted });
    expect(running(false)).toEqual({ kind: 'starting', restarted });
    expect(restartHead(restarted)).toBe('exited with code 1 (Error); Kubernetes restarted it');
    expect(restartHead({ exitCode: 137, reason: 'Error' })).toContain('liveness probe GET /');
  });

  it('the current pod is of the current start and image, not terminating, newest first', () => {
    const old = pod({}, { starts: 0, created: '2026-01-01T00:00:00Z' });
    const fresh = pod({}, { starts: 1, created: '2026-01-01T00:00:01Z' });
    const dying = pod({}, { starts: 1, created: '2026-01-01T00:00:02Z', deleting: true });
    const otherImage = pod({}, { starts: 1, created: '2026-01-01T00:00:03Z', image: 'old' });
    expect(currentPod(deployment(1, 1), [old, fresh, dying, otherImage])).toBe(fresh);
    expect(currentPod(deployment(1, 2), [old, fresh])).toBeUndefined();
  });
});
