import { describe, expect, it } from 'vitest';
import { find, helmBinary, renderChart, type Manifest } from '../support/helm.js';

/**
 * The proxy Deployment as `helm template` renders it. Its probes: liveness means "this process works"
 * (`/livez`, 200 whenever the proxy answers), readiness "I have routes" (`/healthz`, 503 until the first
 * route snapshot) — one path for both got proxies started while the controller was down killed in a
 * loop (proxy endpoints: test/proxy/proxy-health.test.ts). Its strategy: with hostNetwork the new pod
 * needs the old one's host port, so the old pod must go first (an upgrade on the test cluster:
 * test/k8s/helm-chart.test.ts).
 */
const REGISTRY = 'registry.push=registry.example.com/spaceport';

async function proxyDeployment(set: string[] = []): Promise<Manifest> {
  const { manifests } = await renderChart(helmBinary(), { namespace: 'spaceport', set: [REGISTRY, ...set] });
  const d = find(manifests, 'Deployment', '-proxy');
  if (!d) throw new Error('no proxy Deployment rendered');
  return d;
}

function container(d: Manifest, name: string): { livenessProbe: { httpGet: { path: string; port: string } }; readinessProbe: { httpGet: { path: string; port: string } } } {
  return d.spec.template.spec.containers.find((c: { name: string }) => c.name === name);
}

describe('chart: the proxy Deployment', () => {
  it('points liveness at /livez and readiness at /healthz (different paths)', async () => {
    const proxy = container(await proxyDeployment(), 'proxy');
    expect(proxy.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'http' });
    expect(proxy.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(proxy.livenessProbe.httpGet.path).not.toBe(proxy.readinessProbe.httpGet.path);
  });

  it('lets the old pod go first with hostNetwork (maxSurge 0, maxUnavailable 1)', async () => {
    const d = await proxyDeployment(['proxy.hostNetwork=true']);
    expect(d.spec.template.spec.hostNetwork).toBe(true);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
  });

  it("keeps Kubernetes' default rolling update without hostNetwork", async () => {
    const d = await proxyDeployment();
    expect(d.spec.strategy).toBeUndefined();
  });

  it('takes proxy.strategy as given when set', async () => {
    const d = await proxyDeployment(['proxy.hostNetwork=true', 'proxy.strategy.type=Recreate']);
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
  });
});
