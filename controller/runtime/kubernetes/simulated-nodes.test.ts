import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { isSimulatedNode, startedWithoutRuntime } from './simulated-nodes.js';

describe('simulated nodes', () => {
  it('a node kwok manages is simulated (its annotation, or the type=kwok label); others are not', () => {
    expect(isSimulatedNode({ metadata: { annotations: { 'kwok.x-k8s.io/node': 'fake' } } })).toBe(true);
    expect(isSimulatedNode({ metadata: { labels: { type: 'kwok' } } })).toBe(true);
    expect(isSimulatedNode({ metadata: { name: 'gpu-1', labels: { 'nvidia.com/gpu.product': 'Tesla-T4' } } })).toBe(false);
  });

  it('a running container without a container id was not started by a kubelet', () => {
    const pod = (containerID?: string): V1Pod => ({
      status: { containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'i', imageID: '', state: { running: {} }, ...(containerID ? { containerID } : {}) }] },
    });
    expect(startedWithoutRuntime(pod(), 'app')).toBe(true);
    expect(startedWithoutRuntime(pod('containerd://abc'), 'app')).toBe(false);
    expect(startedWithoutRuntime({ status: {} }, 'app')).toBe(false);
  });
});
