// Threat: an app (or a dependency it installs) escalates inside its container: setuid binaries,
// capabilities, a fork bomb that starves the host, a log that fills the disk, syscalls outside the
// engine's default seccomp profile.
import { describe, expect, it } from 'vitest';
import { hardwareFileSchema, resolveHardware, toSpaceId, type ReleaseId } from '../../core/index.js';
import { DEFAULT_CONTAINER_LIMITS, dockerCreateOptions } from './docker/docker-create-options.js';
import { renderDeployment } from './kubernetes/kubernetes-manifests.js';
import type { InstanceSpec } from './runtime.js';

const spec: InstanceSpec = {
  space: toSpaceId('alice', 'demo'),
  release: 'r1' as ReleaseId,
  image: 'spaceport/alice-demo:1',
  port: 7860,
  env: {},
  flavor: { name: 'cpu-basic', cpus: 2, memoryBytes: 2 * 1024 ** 3 },
};

describe('container hardening (Docker create options)', () => {
  it('runs non-root, without capabilities or privilege gains, and never unconfined', () => {
    const opts = dockerCreateOptions(spec);
    expect(opts.User).toBe('1000:1000');
    expect(opts.HostConfig?.CapDrop).toEqual(['ALL']);
    expect(opts.HostConfig?.CapAdd ?? []).toEqual([]);
    expect(opts.HostConfig?.Privileged).toBe(false);
    expect(opts.HostConfig?.SecurityOpt).toContain('no-new-privileges:true');
    // The engine's default seccomp (and AppArmor) profile: nothing names another one.
    const securityOpt: string[] = opts.HostConfig?.SecurityOpt ?? [];
    expect(securityOpt.filter((o) => /seccomp|apparmor|label/i.test(o))).toEqual([]);
  });

  it('limits processes and rotates the log, by default and as the operator sets', () => {
    expect(dockerCreateOptions(spec).HostConfig).toMatchObject({
      PidsLimit: DEFAULT_CONTAINER_LIMITS.pidsLimit,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    });
    expect(dockerCreateOptions(spec, { pidsLimit: 256, logMaxSize: '1m', logMaxFiles: 2 }).HostConfig).toMatchObject({
      PidsLimit: 256,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } },
    });
  });
});

describe('container hardening (Kubernetes pod template)', () => {
  it('RuntimeDefault seccomp, non-root, no privilege escalation, no capabilities, no service account token', () => {
    const gpu = resolveHardware(hardwareFileSchema.parse({})).gpu;
    const d = renderDeployment(
      { namespace: 'spaces', instance: 'spaceport', gpu, nodeSelector: {}, tolerations: [] },
      { spec, replicas: 1, starts: 0, anchor: { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u-1' } },
    );
    const pod = (d.spec as { template: { spec: Record<string, any> } }).template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.hostPID ?? false).toBe(false);
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of pod.containers as Record<string, any>[]) {
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] } });
      expect(c.securityContext.capabilities.add ?? []).toEqual([]);
    }
  });
});
