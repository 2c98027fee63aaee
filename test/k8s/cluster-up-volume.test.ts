/**
 * `make cluster-up` after `helm uninstall` (issue 18): the controller's hostPath volume was left
 * `Released` with the deleted claim's uid, so the new install's claim stayed Pending and the install
 * timed out printing only Pending pods. scripts/k8s/lib/release-volume.sh makes the volume Available
 * to the claim again, and explains a stuck install with the Warning events of what is not running.
 * Both run here against the test cluster, as spaceport-cluster.sh runs them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, run } from '../support/helm.js';
import { waitFor } from '../support/http.js';
import { useTestCluster, type TestCluster } from '../support/k8s-cluster.js';

const LIB = join(REPO_ROOT, 'scripts/k8s/lib/release-volume.sh');

describe('cluster-up: the controller volume and a stuck install', () => {
  let cluster: TestCluster;
  let ns: string | undefined;
  let dir: string | undefined;
  let pv: string | undefined;

  /** Run one of the lib's functions, with kubectl_ as spaceport-cluster.sh defines it. */
  const lib = async (...args: string[]) => {
    const script = `set -euo pipefail; source "$1"; shift; kubectl_() { "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" "$@"; }; "$@"`;
    const r = await run('bash', ['-c', script, 'lib', LIB, ...args], {
      env: { ...process.env, KUBECTL: join(cluster.toolsBin, 'kubectl'), KUBECONFIG_FILE: cluster.kubeconfigPath },
      timeoutMs: 60_000,
    });
    if (r.code !== 0) throw new Error(`${args[0]} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  const claim = (name: string) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: ns },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'spaceport-test-released', resources: { requests: { storage: '1Gi' } } },
    });
  const phase = async (kind: string, name: string, namespace?: string) =>
    cluster.kubectl(['get', kind, name, ...(namespace ? ['-n', namespace] : []), '-o', 'jsonpath={.status.phase}']);

  beforeAll(async () => {
    cluster = await useTestCluster();
    ns = await cluster.createNamespace('sp-released');
    dir = await mkdtemp(join(tmpdir(), 'spaceport-released-pv-'));
    pv = `${ns}-data`;
  });

  afterAll(async () => {
    if (ns) await cluster.deleteNamespace(ns).catch(() => undefined);
    if (pv) await cluster.kubectl(['delete', 'pv', pv, '--ignore-not-found', '--wait=false']).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('binds the controller claim again after an uninstall left the volume Released', async () => {
    const args = ['ensure_claimed_pv', pv!, dir!, ns!, 'sp-controller', 'spaceport-test-released', '1Gi'];
    await lib(...args);
    await cluster.kubectl(['apply', '-f', '-'], claim('sp-controller'));
    await waitFor('the first claim Bound', async () => ((await phase('pvc', 'sp-controller', ns)) === 'Bound' ? true : undefined), 60_000, 500);

    // What `helm uninstall` does to the claim.
    await cluster.kubectl(['delete', 'pvc', 'sp-controller', '-n', ns!, '--wait=true', '--timeout=60s']);
    await waitFor('the volume Released', async () => ((await phase('pv', pv!)) === 'Released' ? true : undefined), 60_000, 500);

    // What the next `make cluster-up` does.
    await lib(...args);
    await cluster.kubectl(['apply', '-f', '-'], claim('sp-controller'));
    await waitFor('the new claim Bound to the same volume', async () => ((await phase('pvc', 'sp-controller', ns)) === 'Bound' ? true : undefined), 60_000, 500);
    expect(await cluster.kubectl(['get', 'pvc', 'sp-controller', '-n', ns!, '-o', 'jsonpath={.spec.volumeName}'])).toBe(pv);
  }, 200_000);

  it('says why an install is stuck: the Warning events of its Pending pods and claims', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'stuck', namespace: ns },
      spec: {
        nodeSelector: { 'spaceport.dev/no-such-pool': 'x' },
        containers: [{ name: 'c', image: 'example.invalid/none:1' }],
      },
    };
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(pod));
    await cluster.kubectl(['apply', '-f', '-'], claim('unbound'));
    const out = await waitFor(
      'FailedScheduling in the explanation',
      async () => {
        const text = await lib('explain_pending', ns!);
        return /FailedScheduling/.test(text) ? text : undefined;
      },
      60_000,
      1000,
    );
    expect(out).toContain('pod stuck is Pending');
    expect(out).toMatch(/didn't match Pod's node affinity\/selector/);
    expect(out).toContain('claim unbound is Pending');
  }, 120_000);
});
