import { describe, expect, it } from 'vitest';
import { parseProxyConfig } from '../../cli/proxy-config.js';
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

  it("gives each proxy what it needs to fetch static trees from the controller: its URL, the internal token, and a bounded cache (proxy.staticTreeCache)", async () => {
    type Env = { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } };
    const envOf = async (set: string[] = []) =>
      (await proxyDeployment(set)).spec.template.spec.containers.find((c: { name: string }) => c.name === 'proxy').env as Env[];
    const env = await envOf();
    const byName = (name: string, list = env) => list.find((e) => e.name === name);
    expect(byName('SPACEPORT_CONTROLLER_URL')?.value).toMatch(/^http:\/\/.+-controller\.spaceport\.svc:\d+$/);
    expect(byName('SPACEPORT_INTERNAL_TOKEN')?.valueFrom?.secretKeyRef.key).toBeTruthy();
    expect(byName('SPACEPORT_PROXY_TREE_CACHE')?.value).toBe('1g');
    expect(byName('SPACEPORT_PROXY_TREE_CACHE', await envOf(['proxy.staticTreeCache=300Mi']))?.value).toBe('300Mi');
    // The same value parses in the proxy's own config (cli/proxy-config.ts), as its bytes.
    const parsed = parseProxyConfig({ SPACEPORT_CONTROLLER_URL: 'http://c:8080', SPACEPORT_INTERNAL_TOKEN: 'x'.repeat(32), SPACEPORT_PROXY_TREE_CACHE: '300Mi' });
    expect(parsed.ok && parsed.config.SPACEPORT_PROXY_TREE_CACHE).toBe(300 * 1024 ** 2);
    await expect(proxyDeployment(['proxy.staticTreeCache=lots'])).rejects.toThrow(/staticTreeCache/);
  });

  it('takes proxy.strategy as given when set', async () => {
    const d = await proxyDeployment(['proxy.hostNetwork=true', 'proxy.strategy.type=Recreate']);
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it("bounds the proxy's /tmp (the tree cache) with a sizeLimit, so a full cache cannot fill the node's disk", async () => {
    const tmpOf = async (set: string[] = []) =>
      (await proxyDeployment(set)).spec.template.spec.volumes.find((v: { name: string }) => v.name === 'tmp') as { emptyDir: { sizeLimit: string } };
    expect((await tmpOf()).emptyDir).toEqual({ sizeLimit: '2Gi' });
    expect((await tmpOf(['proxy.tmpSizeLimit=5Gi'])).emptyDir.sizeLimit).toBe('5Gi');
    await expect(proxyDeployment(['proxy.tmpSizeLimit=5g'])).rejects.toThrow(/tmpSizeLimit/);
  });
});
