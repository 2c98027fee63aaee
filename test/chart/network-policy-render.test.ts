import { describe, expect, it } from 'vitest';
import { hardwareFileSchema, resolveHardware } from '../../core/index.js';
import { renderDeployment } from '../../controller/runtime/kubernetes/kubernetes-manifests.js';
import { find, helmBinary, renderChart, run, CHART_DIR, KUBE_VERSION, type Manifest } from '../support/helm.js';

/**
 * The chart's NetworkPolicy for Space pods, as `helm template` renders it: it selects exactly the pods
 * the controller's Kubernetes runtime makes (the same pure renderer), admits only this release's proxy
 * and controller pods on the named `app` port, and lets Spaces out to DNS and the internet but not to
 * the cluster's internal ranges or cloud metadata. Enforcement on a real node: test/k8s/network-policy.test.ts.
 */
const REGISTRY = 'registry.push=registry.example.com/spaceport';
const hw = resolveHardware(hardwareFileSchema.parse({}));

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

/** Does a LabelSelector (matchLabels, and In expressions, all the chart uses) select these labels? */
function selects(sel: Selector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpr = (sel.matchExpressions ?? []).every((e) => {
    if (e.operator !== 'In') throw new Error(`operator ${e.operator} not understood by this test`);
    return e.values!.includes(labels[e.key]!);
  });
  return byLabels && byExpr;
}

async function policies(set: string[] = [], namespace = 'spaceport'): Promise<{ manifests: Manifest[]; policy: Manifest | undefined }> {
  const { manifests } = await renderChart(helmBinary(), { namespace, set: [REGISTRY, ...set] });
  return { manifests, policy: find(manifests, 'NetworkPolicy', '-spaces') };
}

/** A Space pod's labels and its container ports, as KubernetesRuntime renders them for install `instance`. */
function spacePod(instance: string): { labels: Record<string, string>; ports: { name: string; containerPort: number }[] } {
  const d = renderDeployment(
    { namespace: 'spaces', instance, gpu: hw.gpu, nodeSelector: {}, tolerations: [] },
    {
      spec: { space: 'alice/priv' as never, release: 'r_1' as never, image: 'img', port: 7860, env: {}, flavor: hw.flavors['cpu-basic']! },
      replicas: 1,
      starts: 0,
      anchor: { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u' },
    },
  ) as unknown as { spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: { ports: { name: string; containerPort: number }[] }[] } } } };
  return { labels: d.spec.template.metadata.labels, ports: d.spec.template.spec.containers[0]!.ports };
}

describe('helm chart: the NetworkPolicy of Space pods', () => {
  it('is on by default, selects the Space pods of this install only, and admits only its proxy and controller pods on the app port', async () => {
    const { manifests, policy } = await policies([`controller.instanceName=prod`]);
    expect(policy, 'a NetworkPolicy named {fullname}-spaces').toBeDefined();
    expect(policy!.metadata.namespace).toBe('spaceport');
    expect(policy!.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const pod = spacePod('prod');
    expect(selects(policy!.spec.podSelector, pod.labels)).toBe(true);
    expect(selects(policy!.spec.podSelector, spacePod('another-install').labels)).toBe(false);
    // The chart's own pods are no Space pods.
    for (const name of ['-controller', '-proxy']) {
      expect(selects(policy!.spec.podSelector, find(manifests, 'Deployment', name)!.spec.template.metadata.labels), name).toBe(false);
    }

    expect(policy!.spec.ingress).toHaveLength(1);
    const [rule] = policy!.spec.ingress as { from: (Selector & { podSelector: Selector; namespaceSelector: Selector })[]; ports: { port: string }[] }[];
    expect(rule!.ports).toEqual([{ port: 'app', protocol: 'TCP' }]);
    expect(pod.ports.map((p) => p.name)).toContain('app');
    expect(rule!.from).toHaveLength(1);
    const from = rule!.from[0]!;
    expect(selects(from.namespaceSelector, { 'kubernetes.io/metadata.name': 'spaceport' })).toBe(true);
    expect(selects(from.namespaceSelector, { 'kubernetes.io/metadata.name': 'other' })).toBe(false);
    for (const name of ['-controller', '-proxy']) {
      expect(selects(from.podSelector, find(manifests, 'Deployment', name)!.spec.template.metadata.labels), name).toBe(true);
    }
    expect(selects(from.podSelector, pod.labels)).toBe(false);
    expect(selects(from.podSelector, find(manifests, 'Deployment', '-builder')!.spec.template.metadata.labels)).toBe(false);
    // Another release's proxy is not ours.
    const other = await policies(['controller.instanceName=prod'], 'spaceport');
    const otherProxy = { ...find(other.manifests, 'Deployment', '-proxy')!.spec.template.metadata.labels, 'app.kubernetes.io/instance': 'other' };
    expect(selects(from.podSelector, otherProxy)).toBe(false);
  });

  it('lets Spaces out to DNS and the internet, not to private, shared, link-local or unique-local ranges', async () => {
    const { policy } = await policies();
    const egress = policy!.spec.egress as { to?: { ipBlock?: { cidr: string; except?: string[] } }[]; ports?: { port: number; protocol: string }[] }[];
    expect(egress[0]).toEqual({ ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] });
    const blocks = egress.slice(1).flatMap((r) => r.to ?? []).map((t) => t.ipBlock);
    expect(blocks).toEqual([
      { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16'] },
      { cidr: '::/0', except: ['fc00::/7', 'fe80::/10'] },
    ]);
    expect(egress.slice(1).every((r) => r.ports === undefined)).toBe(true);
  });

  it('opens more with networkPolicy.spaces values, and renders nothing with networkPolicy.enabled=false', async () => {
    const open = await policies([
      'networkPolicy.spaces.egressAllowRules.privateIPs=true',
      'networkPolicy.spaces.egressAllowRules.cloudMetadataServer=true',
      'networkPolicy.spaces.egressAllowRules.dnsPortsAnywhere=false',
      'networkPolicy.spaces.egressAllowRules.nonPrivateIPs=false',
      'networkPolicy.spaces.extraEgress[0].to[0].namespaceSelector.matchLabels.mirror=pypi',
      'networkPolicy.spaces.extraEgress[0].ports[0].port=3141',
      'networkPolicy.spaces.extraIngress[0].from[0].ipBlock.cidr=192.0.2.0/24',
    ]);
    const egress = open.policy!.spec.egress as { to: { ipBlock?: { cidr: string } }[] }[];
    expect(egress.map((r) => r.to.map((t) => t.ipBlock?.cidr ?? 'selector'))).toEqual([
      ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'],
      ['169.254.169.254/32', 'fd00:ec2::254/128'],
      ['selector'],
    ]);
    expect(open.policy!.spec.egress[2]).toEqual({ to: [{ namespaceSelector: { matchLabels: { mirror: 'pypi' } } }], ports: [{ port: 3141 }] });
    expect(open.policy!.spec.ingress[1]).toEqual({ from: [{ ipBlock: { cidr: '192.0.2.0/24' } }] });

    const closed = await policies(['networkPolicy.spaces.egressAllowRules.dnsPortsAnywhere=false', 'networkPolicy.spaces.egressAllowRules.nonPrivateIPs=false']);
    expect(closed.policy!.spec.policyTypes).toContain('Egress');
    expect(closed.policy!.spec.egress ?? []).toEqual([]);

    expect((await policies(['networkPolicy.enabled=false'])).policy).toBeUndefined();
  });

  it('lives in spaces.namespace and admits the proxy from the release namespace', async () => {
    const { policy } = await policies(['spaces.namespace=spaces']);
    expect(policy!.metadata.namespace).toBe('spaces');
    expect(policy!.spec.ingress[0].from[0].namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'spaceport' } });
  });

  it("keeps the dind builder's build steps away from cloud metadata and its engine port for the controller", async () => {
    const { manifests } = await policies(['builder.dind.networkPolicy.extraEgress[0].to[0].ipBlock.cidr=169.254.1.1/32']);
    const policy = find(manifests, 'NetworkPolicy', '-builder')!;
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(selects(policy.spec.podSelector, find(manifests, 'Deployment', '-builder')!.spec.template.metadata.labels)).toBe(true);
    expect(selects(policy.spec.ingress[0].from[0].podSelector, find(manifests, 'Deployment', '-controller')!.spec.template.metadata.labels)).toBe(true);
    expect(selects(policy.spec.ingress[0].from[0].podSelector, spacePod('sp').labels)).toBe(false);
    const blocks = (policy.spec.egress as { to?: { ipBlock: { cidr: string; except?: string[] } }[] }[]).map((r) => r.to?.map((t) => t.ipBlock));
    expect(blocks).toEqual([
      undefined,
      [{ cidr: '0.0.0.0/0', except: ['169.254.0.0/16'] }, { cidr: '::/0', except: ['fe80::/10', 'fd00:ec2::254/128'] }],
      [{ cidr: '169.254.1.1/32' }],
    ]);
  });

  it('refuses a misspelt networkPolicy value (values.schema.json)', async () => {
    const r = await run(helmBinary(), ['template', 'sp', CHART_DIR, '--kube-version', KUBE_VERSION, '--set', REGISTRY, '--set', 'networkPolicy.spaces.egressAllowRules.privateIps=true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/privateIps|additional properties/i);
  });
});
