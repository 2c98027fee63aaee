import { describe, expect, it } from 'vitest';
import { CHART_DIR, helmBinary, run, toolVersions } from '../support/helm.js';

/**
 * helm as scripts/k8s/build-tools.sh builds it, with the flags of helm's own Makefile: it reports its
 * version, and its default Kubernetes version (what `helm template` assumes with no cluster to ask)
 * comes from its client-go, not helm's fallback v1.20 that the chart's `kubeVersion` refuses.
 */
describe('helm from the tools cache', () => {
  const bin = helmBinary();

  it('reports the version of versions.env', async () => {
    const r = await run(bin, ['version', '--template', '{{ .Version }} {{ .GitTreeState }}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`${toolVersions().HELM_VERSION} clean`);
  });

  it('renders the chart without --kube-version', async () => {
    const r = await run(bin, ['template', 'sp', CHART_DIR, '--set', 'registry.push=registry.example.com/spaceport']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('kind: Deployment');
  });
});
