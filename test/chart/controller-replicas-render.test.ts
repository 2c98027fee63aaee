import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { find, helmBinary, renderChart, type Manifest } from '../support/helm.js';

/**
 * Several controller replicas (issue 18, chart item 4): only with PostgreSQL and a data volume all of
 * them mount; then a rolling update that keeps one serving and a PodDisruptionBudget. One replica
 * (the default) renders as before: Recreate, no budget.
 */
const REGISTRY = 'registry.push=registry.example.com/spaceport';
const DB = { url: 'postgres://spaceport:pw@db.example.com:5432/spaceport' };
const SHARED = { accessModes: ['ReadWriteMany'] };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spaceport-chart-replicas-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function render(values: Record<string, unknown>): Promise<Manifest[]> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, YAML.stringify(values));
  return (await renderChart(helmBinary(), { namespace: 'spaceport', valuesFiles: [file], set: [REGISTRY] })).manifests;
}

describe('chart: controller replicas', () => {
  it('one replica by default: Recreate, no PodDisruptionBudget', async () => {
    const manifests = await render({});
    const d = find(manifests, 'Deployment', '-controller')!;
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    expect(find(manifests, 'PodDisruptionBudget', '-controller')).toBeUndefined();
    expect(d.spec.template.spec.containers[0]).not.toHaveProperty('lifecycle');
  });

  it('two replicas on PostgreSQL and a shared volume: rolling one at a time, a budget keeping one, the lease passed on', async () => {
    const manifests = await render({ controller: { replicas: 2, database: { ...DB, leaderLeaseMs: 15000 }, persistence: SHARED } });
    const d = find(manifests, 'Deployment', '-controller')!;
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    const pdb = find(manifests, 'PodDisruptionBudget', '-controller')!;
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
    const env = (d.spec.template.spec.containers as { name: string; env: { name: string; value?: string }[] }[]).find((c) => c.name === 'controller')!.env;
    expect(env.find((e) => e.name === 'SPACEPORT_LEADER_LEASE_MS')?.value).toBe('15000');
    const pvc = find(manifests, 'PersistentVolumeClaim', '-controller')!;
    expect(pvc.spec.accessModes).toEqual(['ReadWriteMany']);
  });

  it('two replicas: a stopping one keeps serving while its endpoint goes (preStop sleep), or not with 0', async () => {
    // Without it, test/k8s/controller-replicas.test.ts saw a rolling upgrade refuse 3 reads (300 ms) at
    // the pod that had stopped while the client still had its address.
    const two = { replicas: 2, database: DB, persistence: SHARED };
    const d = find(await render({ controller: two }), 'Deployment', '-controller')!;
    expect(d.spec.template.spec.containers[0].lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '5'] } } });
    const none = find(await render({ controller: { ...two, preStopSleepSeconds: 0 } }), 'Deployment', '-controller')!;
    expect(none.spec.template.spec.containers[0]).not.toHaveProperty('lifecycle');
  });

  it('refuses two replicas on SQLite, or on a volume only one pod can mount, naming the fix', async () => {
    await expect(render({ controller: { replicas: 2, persistence: SHARED } })).rejects.toThrow(/controller\.database\.url/);
    await expect(render({ controller: { replicas: 2, database: DB } })).rejects.toThrow(/ReadWriteMany/);
    await expect(render({ controller: { replicas: 0 } })).rejects.toThrow(/replicas/);
  });
});
