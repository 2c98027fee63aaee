import { describe, expect, it } from 'vitest';
import { SDK_LAYER_NOTICE, UV_FALLBACK_NOTICE, cutoffFallbackNotice, renderTemplate, type RepoFiles, type TemplateInput } from './index.js';

// Issue 16 item 3 (a changed requirements.txt reinstalls only what changed) and issue 19 (an install
// that fails at the SDK release's date is tried once more at the commit's), as rendered Dockerfiles.
const FILES: RepoFiles = { packagesTxt: false, preRequirements: false, requirements: true, packageJson: false, packageLock: false };
const SDK_DATE = '2024-10-30T20:12:13+00:00';
const COMMIT = '2026-11-20T08:00:00+00:00';

function render(over: Partial<TemplateInput> = {}): string[] {
  const input: TemplateInput = {
    sdk: 'gradio',
    pythonImage: 'spaceport/python:3.11',
    nodeImage: 'spaceport/node:bookworm',
    appFile: 'app.py',
    files: FILES,
    sdkVersion: '5.50.0',
    packageCutoff: COMMIT,
    pipCacheId: 'spaceport-pip-aaaa',
    uvCacheId: 'spaceport-uv-bbbb',
    pythonInstaller: 'uv',
    ...over,
  };
  return renderTemplate(input).dockerfile!.split('\n');
}
const sdkLayerOf = (d: string[]) => d.findIndex((l) => l.includes("'gradio==5.50.0' 'spaces'") && !l.includes('requirements.txt'));
const requirementsStepOf = (d: string[]) => d.findIndex((l) => l.includes('-r /tmp/spaceport/requirements.txt'));

describe('the SDK layer under requirements.txt (issue 16)', () => {
  it('installs the SDK and spaces before requirements.txt is copied, at the cutoff’s day, without the pip cache, then imports it', () => {
    const d = render();
    const sdk = sdkLayerOf(d);
    const copy = d.findIndex((l) => l.startsWith('COPY --chown=1000:1000 app/requirements.txt'));
    expect(sdk).toBeGreaterThan(0);
    expect(copy).toBeGreaterThan(sdk);
    expect(requirementsStepOf(d)).toBeGreaterThan(copy);
    const line = d[sdk]!;
    expect(line).toContain("--exclude-newer '2026-11-20T00:00:00+00:00' 'gradio==5.50.0' 'spaces' || echo");
    expect(line).toContain(SDK_LAYER_NOTICE);
    // The SDK layer runs gradio's warm start (a Blocks app launched once on loopback: templates/gradio/warm-start.ts).
    expect(line).toMatch(/timeout 300 python -c 'exec\(.*demo\.launch\(/);
    expect(line).not.toContain('spaceport-pip-aaaa');
    expect(line).not.toContain('--upgrade');
  });

  it('is the same line for another requirements.txt and another commit of the same day (so BuildKit reuses it)', () => {
    const a = render();
    const b = render({ packageCutoff: '2026-11-20T17:45:01+00:00', requirementsWithoutSdk: 'six\n' });
    expect(a[sdkLayerOf(a)]).toBe(b[sdkLayerOf(b)]);
    expect(a.slice(0, sdkLayerOf(a) + 1)).toEqual(b.slice(0, sdkLayerOf(b) + 1));
  });

  it('has the requirements step resolve SDK, spaces and requirements together at the exact cutoff with --upgrade (the one-run result)', () => {
    const step = render()[requirementsStepOf(render())]!;
    expect(step).toContain(`uv pip install --python /home/user/.venv/bin/python --index-strategy unsafe-best-match --upgrade --exclude-newer '${COMMIT}' -r /tmp/spaceport/requirements.txt 'gradio==5.50.0' 'spaces' || `);
  });

  it('keeps what pre-requirements.txt installed (no --upgrade) when there is one, as pip does on the Hub', () => {
    const d = render({ files: { ...FILES, preRequirements: true } });
    expect(sdkLayerOf(d)).toBeGreaterThan(d.findIndex((l) => l.includes('-r /tmp/spaceport/pre-requirements.txt')));
    expect(d[requirementsStepOf(d)]).toContain(`--index-strategy unsafe-best-match --exclude-newer '${COMMIT}' -r /tmp/spaceport/requirements.txt`);
  });

  it('installs pre-requirements.txt at the SDK layer’s cutoff too, so a requirements change keeps both layers', () => {
    const a = render({ files: { ...FILES, preRequirements: true } });
    const b = render({ files: { ...FILES, preRequirements: true }, packageCutoff: '2026-11-20T17:45:01+00:00' });
    expect(a.find((l) => l.includes('-r /tmp/spaceport/pre-requirements.txt'))).toContain("--exclude-newer '2026-11-20T00:00:00+00:00' -r /tmp/spaceport/pre-requirements.txt");
    expect(a.slice(0, sdkLayerOf(a) + 1)).toEqual(b.slice(0, sdkLayerOf(b) + 1));
    // With an SDK-date cutoff too: the commit date (the retry's) is not in the layers below the SDK layer.
    const c = render({ files: { ...FILES, preRequirements: true }, packageCutoff: SDK_DATE, fallbackCutoff: COMMIT });
    const d = render({ files: { ...FILES, preRequirements: true }, packageCutoff: SDK_DATE, fallbackCutoff: '2026-11-21T08:00:00+00:00' });
    expect(c.slice(0, sdkLayerOf(c) + 1)).toEqual(d.slice(0, sdkLayerOf(d) + 1));
  });

  it('with local requirements the SDK layer still comes before the code', () => {
    const d = render({ localRequirements: true });
    const copyCode = d.findIndex((l) => l.startsWith('COPY --chown=1000:1000 app/ '));
    expect(sdkLayerOf(d)).toBeGreaterThan(0);
    expect(sdkLayerOf(d)).toBeLessThan(copyCode);
  });

  it('is there without requirements.txt too (adding one later keeps it), the second step then installing SDK and spaces at the exact cutoff', () => {
    const none = render({ files: { ...FILES, requirements: false } });
    const withReqs = render();
    expect(none[sdkLayerOf(none)]).toBe(withReqs[sdkLayerOf(withReqs)]);
    const second = none.filter((l) => l.includes("'gradio==5.50.0'"))[1]!;
    expect(second).toContain(`--upgrade --exclude-newer '${COMMIT}' 'gradio==5.50.0' 'spaces' || `);
  });

  it('is not there without a cutoff (newest packages: a cached layer would pin them) nor with pip', () => {
    const latest = render({ packageCutoff: undefined });
    expect(latest.filter((l) => l.includes("'gradio==5.50.0'"))).toHaveLength(1);
    const pip = render({ pythonInstaller: 'pip' });
    expect(pip.filter((l) => l.includes("'gradio==5.50.0'"))).toHaveLength(1);
  });
});

describe('the commit-date fallback of an SDK-date cutoff (issue 19)', () => {
  const notice = cutoffFallbackNotice(SDK_DATE, COMMIT);

  it('tries uv at the SDK date, then uv at the commit date after a notice (keeping what is installed: no --upgrade), then pip the same way', () => {
    const step = render({ packageCutoff: SDK_DATE, fallbackCutoff: COMMIT })[requirementsStepOf(render())]!;
    const order = [
      `--exclude-newer '${SDK_DATE}' -r`,
      notice.slice(0, 60),
      `--index-strategy unsafe-best-match --exclude-newer '${COMMIT}' -r`,
      UV_FALLBACK_NOTICE,
      `--upgrade-strategy eager --uploaded-prior-to '${SDK_DATE}' -r`,
      `--uploaded-prior-to '${COMMIT}' -r`,
      'Spaceport: installed Python',
    ].map((s) => step.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(step).toContain(`pip install --uploaded-prior-to '${COMMIT}' -r`);
    expect(notice).toContain(`as of ${SDK_DATE}`);
    expect(notice).toContain(`as of ${COMMIT}, the date of the last commit`);
  });

  it('keeps the SDK layer at the SDK date (stable, not floored), and pip mode falls back too', () => {
    const d = render({ packageCutoff: SDK_DATE, fallbackCutoff: COMMIT });
    expect(d[sdkLayerOf(d)]).toContain(`--exclude-newer '${SDK_DATE}' 'gradio==5.50.0'`);
    const pip = render({ pythonInstaller: 'pip', packageCutoff: SDK_DATE, fallbackCutoff: COMMIT }).join('\n');
    expect(pip).toContain(`pip install --uploaded-prior-to '${SDK_DATE}' -r /tmp/spaceport/requirements.txt 'gradio==5.50.0' 'spaces' || { echo `);
    expect(pip).toContain(`pip install --uploaded-prior-to '${COMMIT}' -r /tmp/spaceport/requirements.txt`);
  });

  it('renders no fallback without one', () => {
    expect(render().join('\n')).not.toContain('could not be installed as of');
  });
});
