import { describe, expect, it } from 'vitest';
import { templateHash } from '../templates/index.js';
import { hasLocalReferences, planBuild, type PlanBuildInput } from './plan-build.js';
import { parseSpaceConfig, type SpaceConfig } from './space-config.js';

function config(front: string): SpaceConfig {
  const r = parseSpaceConfig(`---\n${front}\n---\n`);
  if (!r.ok) throw new Error(r.message);
  return r.config;
}

const PYTHON = { '3.11': 'spaceport/python:3.11', '3.12': 'example/python:3.12' };
const base = (front: string, files: string[], over: Partial<PlanBuildInput> = {}): PlanBuildInput => ({
  config: config(front),
  files,
  pythonImages: PYTHON,
  defaultPython: '3.11',
  ...over,
});

describe('planBuild', () => {
  it('plans a gradio build: template input, Dockerfile, port, hash and the summary notice', () => {
    const plan = planBuild(base('sdk: gradio\nsdk_version: 5.9.1\nhf_oauth: true', ['README.md', 'app.py', 'requirements.txt', 'packages.txt'], { caBundleFileName: 'ca-bundle.crt' }));
    expect(plan.kind).toBe('ok');
    if (plan.kind !== 'ok') return;
    expect(plan.port).toBe(7860);
    expect(plan.templateHash).toBe(templateHash('gradio'));
    expect(plan.notices).toEqual(['Python 3.11 (spaceport/python:3.11), gradio 5.9.1 (sdk_version), Python packages the newest versions (no commit date known).']);
    expect(plan.identity).toMatch(/^[0-9a-f]{64}$/);
    expect(plan.buildArgs).toEqual({});
    expect(plan.templateInput).toEqual({
      sdk: 'gradio',
      pythonImage: 'spaceport/python:3.11',
      nodeImage: 'spaceport/node:bookworm',
      appFile: 'app.py',
      sdkVersion: '5.9.1',
      files: { packagesTxt: true, preRequirements: false, requirements: true, packageJson: false, packageLock: false },
      caBundleFile: '.spaceport/ca-bundle.crt',
      oauth: true,
      labels: { 'spaceport.sdk': 'gradio', 'spaceport.template': templateHash('gradio').slice(0, 12) },
    });
    expect(plan.dockerfile).toMatch(/^RUN --mount=type=cache,\S+ pip install -r \/tmp\/spaceport\/requirements\.txt 'gradio\[oauth\]==5\.9\.1' 'spaces' && /m);
    expect(plan.dockerfile).toContain('COPY .spaceport/ca-bundle.crt /etc/spaceport/ca-bundle.crt');
  });

  it('picks the Python image for python_version (exact or major.minor)', () => {
    const plan = planBuild(base('sdk: streamlit\npython_version: 3.12.4', ['app.py']));
    expect(plan.kind === 'ok' && plan.templateInput.pythonImage).toBe('example/python:3.12');
    expect(plan.kind === 'ok' && plan.port).toBe(8501);
  });

  it('uses the nearest Python with a notice when python_version is not available (ties go toward 3.11)', () => {
    const images = { '3.9': 'spaceport/python:3.9', '3.11': 'spaceport/python:3.11', '3.13': 'spaceport/python:3.13' };
    const pick = (front: string) => {
      const plan = planBuild(base(`sdk: gradio\n${front}`, ['app.py'], { pythonImages: images, defaultPython: '3.10' }));
      if (plan.kind !== 'ok') throw new Error(plan.message);
      return { image: plan.templateInput.pythonImage, notices: plan.notices };
    };
    expect(pick('python_version: 3.10').image).toBe('spaceport/python:3.11');
    expect(pick('python_version: 3.10').notices[0]).toBe(
      'Notice: python_version 3.10 is not available here; building with the nearest, Python 3.11 (spaceport/python:3.11). Available: 3.9, 3.11, 3.13. Set python_version in README.md to choose.',
    );
    expect(pick('python_version: 3.12').image).toBe('spaceport/python:3.11');
    expect(pick('python_version: 3.8').image).toBe('spaceport/python:3.9');
    expect(pick('python_version: 3.14').image).toBe('spaceport/python:3.13');
    expect(pick('python_version: 3.9.7').image).toBe('spaceport/python:3.9');
    expect(pick('python_version: 3.9.7').notices[0]).toMatch(/^Python 3\.9 \(spaceport\/python:3\.9\), gradio: the newest release/);
    expect(pick('python_version: "3.13"').image).toBe('spaceport/python:3.13');
    // No python_version: the Hub's default (3.10), i.e. the nearest, 3.11.
    expect(pick('title: x').image).toBe('spaceport/python:3.11');
    expect(pick('title: x').notices[0]).toContain("README.md names no python_version (the Hub's default is 3.10)");
    // An operator's own image for a version wins over the nearest.
    const own = planBuild(base('sdk: gradio\npython_version: "3.10"', ['app.py'], { pythonImages: { ...images, '3.10': 'example/python:3.10' } }));
    expect(own.kind === 'ok' && own.templateInput.pythonImage).toBe('example/python:3.10');
  });

  it('is a config error when there is no Python image at all', () => {
    expect(planBuild(base('sdk: gradio', ['app.py'], { pythonImages: {} }))).toEqual({
      kind: 'config_error',
      message: 'No Python base image for Python 3.11: the operator must map it in SPACEPORT_PYTHON_IMAGES.',
    });
  });

  it('resolves packages as of the last dependency change, into the image identity; resolve_packages_at changes it', () => {
    const at = new Date('2024-04-10T12:34:56.789Z');
    const now = new Date('2026-01-01T00:00:00Z');
    const plan = (front: string, over: Partial<PlanBuildInput> = {}) => {
      const p = planBuild(base(`sdk: streamlit\nsdk_version: 1.25.0\n${front}`, ['app.py', 'requirements.txt'], { dependenciesChangedAt: at, now, ...over }));
      if (p.kind !== 'ok') throw new Error(p.message);
      return p;
    };
    const byCommit = plan('');
    expect(byCommit.packageCutoff).toBe('2024-04-10T12:34:56+00:00');
    expect(byCommit.dockerfile).toContain("pip install --uploaded-prior-to '2024-04-10T12:34:56+00:00' -r /tmp/spaceport/requirements.txt 'streamlit==1.25.0' && python -c");
    expect(byCommit.notices.at(-1)).toContain('Python packages as of 2024-04-10T12:34:56+00:00, the date of the last commit that changed README.md');
    const later = plan('', { dependenciesChangedAt: new Date('2024-05-01T00:00:00Z') });
    expect(later.identity).not.toBe(byCommit.identity);
    expect(plan('').identity).toBe(byCommit.identity);

    const latest = plan('resolve_packages_at: latest');
    expect(latest.packageCutoff).toBeUndefined();
    expect(latest.dockerfile).not.toContain('--uploaded-prior-to');
    expect(latest.notices.at(-1)).toContain('the newest versions (resolve_packages_at: latest in README.md)');
    const fixed = plan('resolve_packages_at: 2023-08-15');
    expect(fixed.packageCutoff).toBe('2023-08-15T00:00:00+00:00');
    // A commit dated in the future resolves as of now.
    expect(plan('', { dependenciesChangedAt: new Date('2099-01-01T00:00:00Z') }).packageCutoff).toBe('2026-01-01T00:00:00+00:00');
    // Docker Spaces build their own Dockerfile: no cutoff.
    const docker = planBuild(base('sdk: docker', ['Dockerfile'], { dependenciesChangedAt: at }));
    expect(docker.kind === 'ok' && docker.packageCutoff).toBeUndefined();
  });

  it('an old sdk_version resolves at its release date with the commit date as the fallback the install tries when that fails (issue 19)', () => {
    const sdkRelease = { name: 'gradio', version: '4.44.1', uploadedAt: new Date('2024-09-30T20:12:13Z') };
    const p = planBuild(base('sdk: gradio\nsdk_version: 4.44.1', ['app.py', 'requirements.txt'], { dependenciesChangedAt: new Date('2026-11-20T08:00:00Z'), now: new Date('2026-12-01T00:00:00Z'), sdkRelease, pythonInstaller: 'uv' }));
    if (p.kind !== 'ok') throw new Error(p.kind);
    expect(p.packageCutoff).toBe('2024-10-30T20:12:13+00:00');
    expect(p.templateInput.fallbackCutoff).toBe('2026-11-20T08:00:00+00:00');
    expect(p.dockerfile).toContain("--exclude-newer '2026-11-20T08:00:00+00:00' -r /tmp/spaceport/requirements.txt");
    expect(p.notices.at(-1)).toContain('if they cannot be installed as of then, as of 2026-11-20T08:00:00+00:00');
    const recent = planBuild(base('sdk: gradio\nsdk_version: 4.44.1', ['app.py'], { dependenciesChangedAt: new Date('2024-10-01T00:00:00Z'), sdkRelease }));
    if (recent.kind !== 'ok') throw new Error(recent.kind);
    expect(recent.templateInput.fallbackCutoff).toBeUndefined();
  });

  it('leaves the SDK out of requirements.txt when sdk_version names it (one resolution, the README decides)', () => {
    const plan = planBuild(
      base('sdk: gradio\nsdk_version: 5.50.0', ['app.py', 'requirements.txt'], { requirementsTxt: 'Gradio[oauth] == 4.44.1  # old\ngradio_client\ntyper-slim\n' }),
    );
    if (plan.kind !== 'ok') throw new Error(plan.message);
    expect(plan.extraFiles).toEqual({ '.spaceport/requirements.txt': 'gradio_client\ntyper-slim\n' });
    expect(plan.dockerfile).toContain('COPY --chown=1000:1000 .spaceport/requirements.txt /tmp/spaceport/requirements.txt');
    expect(plan.notices[0]).toBe('Notice: requirements.txt line(s) "Gradio[oauth] == 4.44.1  # old" left out: sdk_version in README.md decides the gradio version (5.50.0).');
    // Without sdk_version the requirements' pin decides: nothing is left out.
    const unpinned = planBuild(base('sdk: gradio', ['app.py', 'requirements.txt'], { requirementsTxt: 'gradio==4.44.1\n' }));
    expect(unpinned.kind === 'ok' && unpinned.extraFiles).toEqual({});
    expect(unpinned.kind === 'ok' && unpinned.dockerfile).toContain("-r /tmp/spaceport/requirements.txt 'gradio' 'spaces'");
  });

  it('reports NO_APP_FILE for a missing app file, Dockerfile or index.html', () => {
    expect(planBuild(base('sdk: gradio', ['README.md', 'main.py']))).toEqual({
      kind: 'no_app_file',
      message: 'The app file "app.py" is not in the repo. Add it, or set "app_file" in README.md to your main file (default app.py).',
    });
    expect(planBuild(base('sdk: streamlit\napp_file: src/app.py', ['app.py'])).kind).toBe('no_app_file');
    expect(planBuild(base('sdk: static', ['README.md'])).kind).toBe('no_app_file');
    expect(planBuild(base('sdk: docker', ['README.md', 'app.py']))).toEqual({
      kind: 'no_app_file',
      message: 'No Dockerfile at the root of the repo: "sdk: docker" builds your own Dockerfile. Add one, or use sdk: gradio, streamlit or static in README.md.',
    });
    expect(planBuild(base('sdk: docker', ['sub/Dockerfile'])).kind).toBe('no_app_file');
  });

  it('does not require a static app_file that the build command produces', () => {
    const plan = planBuild(base('sdk: static\napp_file: dist/index.html\napp_build_command: npm run build', ['package.json', 'src/main.js']));
    expect(plan.kind).toBe('ok');
    if (plan.kind !== 'ok') return;
    expect(plan.templateInput.buildCommand).toBe('npm run build');
    expect(plan.dockerfile).toContain('FROM spaceport/node:bookworm AS build');
    expect(plan.extraFiles['.spaceport/serve.py']).toBeDefined();
    expect(plan.port).toBe(8080);
  });

  it('plans a docker build: no Dockerfile of ours, app_port, variables and proxies as build args', () => {
    const plan = planBuild(
      base('sdk: docker\napp_port: 3000', ['Dockerfile'], {
        variables: { MODEL: 'x', 'bad name': 'y', HTTP_PROXY: 'user-value' },
        proxy: { http: 'http://proxy:3128', https: 'http://proxy:3128', noProxy: 'localhost' },
        caBundleFileName: 'ca-bundle.crt',
      }),
    );
    expect(plan.kind).toBe('ok');
    if (plan.kind !== 'ok') return;
    expect(plan.dockerfile).toBeUndefined();
    expect(plan.port).toBe(3000);
    expect(plan.buildArgs).toEqual({
      MODEL: 'x',
      HTTP_PROXY: 'http://proxy:3128',
      http_proxy: 'http://proxy:3128',
      HTTPS_PROXY: 'http://proxy:3128',
      https_proxy: 'http://proxy:3128',
      NO_PROXY: 'localhost',
      no_proxy: 'localhost',
    });
  });

  it('does not pass variables to templated builds, only proxies', () => {
    const plan = planBuild(base('sdk: gradio', ['app.py'], { variables: { MODEL: 'x' }, proxy: { https: 'http://p:1' } }));
    expect(plan.kind === 'ok' && plan.buildArgs).toEqual({ HTTPS_PROXY: 'http://p:1', https_proxy: 'http://p:1' });
  });

  it('installs requirements with local references after the code', () => {
    const plan = planBuild(base('sdk: gradio', ['app.py', 'requirements.txt', 'setup.py'], { requirementsTxt: 'numpy\n-e .\n' }));
    expect(plan.kind === 'ok' && plan.templateInput.localRequirements).toBe(true);
  });
});

describe('hasLocalReferences', () => {
  it.each(['-e .', '-e ./pkg', '--editable=../x', '-r base.txt', '-c constraints.txt', './wheels/a.whl', '../lib', 'pkg @ file:///x', 'file:pkg'])(
    'local: %j',
    (line) => expect(hasLocalReferences(`numpy\n${line}\n`)).toBe(true),
  );
  it.each(['numpy==1.26', '-e git+https://github.com/a/b#egg=b', '--extra-index-url https://x/simple', '-r https://example.com/r.txt', '# -e .', 'torch -f https://x'])(
    'remote: %j',
    (line) => expect(hasLocalReferences(line)).toBe(false),
  );
});
