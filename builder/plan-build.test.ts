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
  it('plans a gradio build: template input, Dockerfile, port, hash and no notices', () => {
    const plan = planBuild(base('sdk: gradio\nsdk_version: 5.9.1\nhf_oauth: true', ['README.md', 'app.py', 'requirements.txt', 'packages.txt'], { caBundleFileName: 'ca-bundle.crt' }));
    expect(plan.kind).toBe('ok');
    if (plan.kind !== 'ok') return;
    expect(plan.port).toBe(7860);
    expect(plan.templateHash).toBe(templateHash('gradio'));
    expect(plan.notices).toEqual([]);
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
    expect(plan.dockerfile).toContain("RUN pip install 'gradio[oauth]==5.9.1'");
    expect(plan.dockerfile).toContain('COPY .spaceport/ca-bundle.crt /etc/spaceport/ca-bundle.crt');
  });

  it('picks the Python image for python_version (exact or major.minor)', () => {
    const plan = planBuild(base('sdk: streamlit\npython_version: 3.12.4', ['app.py']));
    expect(plan.kind === 'ok' && plan.templateInput.pythonImage).toBe('example/python:3.12');
    expect(plan.kind === 'ok' && plan.port).toBe(8501);
  });

  it('falls back to the default Python with a notice when python_version is not available', () => {
    const plan = planBuild(base('sdk: gradio\npython_version: 3.10', ['app.py']));
    expect(plan.kind).toBe('ok');
    if (plan.kind !== 'ok') return;
    expect(plan.templateInput.pythonImage).toBe('spaceport/python:3.11');
    expect(plan.notices).toEqual([
      'python_version 3.10 is not available here (available: 3.11, 3.12); building with Python 3.11 (spaceport/python:3.11).',
    ]);
  });

  it('is a config error when even the default Python has no image', () => {
    expect(planBuild(base('sdk: gradio', ['app.py'], { pythonImages: {} }))).toEqual({
      kind: 'config_error',
      message: 'No Python base image for the default Python 3.11: the operator must add it to SPACEPORT_PYTHON_IMAGES.',
    });
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
