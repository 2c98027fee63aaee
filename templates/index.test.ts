import { describe, expect, it } from 'vitest';
import { renderTemplate, sdkTraits, templateHash, type RepoFiles, type TemplateInput } from './index.js';

const NONE: RepoFiles = { packagesTxt: false, preRequirements: false, requirements: false, packageJson: false, packageLock: false };
const ALL: RepoFiles = { packagesTxt: true, preRequirements: true, requirements: true, packageJson: true, packageLock: true };

function input(over: Partial<TemplateInput>): TemplateInput {
  return { sdk: 'gradio', pythonImage: 'spaceport/python:3.11', nodeImage: 'spaceport/node:bookworm', appFile: 'app.py', files: NONE, ...over };
}

/** Line indexes of the first line matching each pattern; asserts all exist and come in this order. */
function expectInOrder(dockerfile: string, patterns: RegExp[]): number[] {
  const lines = dockerfile.split('\n');
  const found = patterns.map((re) => {
    const i = lines.findIndex((l) => re.test(l));
    expect(i, `no line matches ${re}`).toBeGreaterThanOrEqual(0);
    return i;
  });
  for (let k = 1; k < found.length; k++) expect(found[k]!, `${patterns[k]} after ${patterns[k - 1]}`).toBeGreaterThan(found[k - 1]!);
  return found;
}

const CA = '.spaceport/ca-bundle.crt';

describe('gradio template', () => {
  it('orders layers base → CA → user → apt → pip → pre-requirements → SDK + requirements in one run → code → env/cmd → labels', () => {
    const r = renderTemplate(input({ files: ALL, sdkVersion: '5.9.1', caBundleFile: CA, labels: { 'spaceport.sdk': 'gradio' }, pipCacheId: 'sp-1' }));
    expect(r.port).toBe(7860);
    expect(r.extraFiles).toEqual({});
    expectInOrder(r.dockerfile!, [
      /^FROM spaceport\/python:3\.11$/,
      /^COPY \.spaceport\/ca-bundle\.crt \/etc\/spaceport\/ca-bundle\.crt$/,
      /^ENV PIP_CERT=\/etc\/spaceport\/ca-bundle\.crt/,
      /^RUN useradd --create-home --uid 1000 /,
      /^COPY app\/packages\.txt /,
      /^RUN apt-get update/,
      /^USER 1000$/,
      /^WORKDIR \/home\/user\/app$/,
      /^RUN mkdir -p \/home\/user\/\.cache\/pip$/,
      /^RUN --mount=type=cache,id=sp-1,target=\/home\/user\/\.cache\/pip,uid=1000,gid=1000 python3 -m venv \/home\/user\/\.venv && pip install 'pip==26\.0\.1'$/,
      /^COPY --chown=1000:1000 app\/pre-requirements\.txt /,
      /^RUN --mount=type=cache,id=sp-1,\S+ pip install -r \/tmp\/spaceport\/pre-requirements\.txt$/,
      /^COPY --chown=1000:1000 app\/requirements\.txt /,
      /^RUN --mount=type=cache,id=sp-1,\S+ pip install -r \/tmp\/spaceport\/requirements\.txt 'gradio==5\.9\.1' 'spaces' && python -c 'import sys, importlib\.metadata as m; print\("Spaceport: installed Python %s, gradio %s" /,
      /^COPY --chown=1000:1000 app\/ \/home\/user\/app\/$/,
      /^ENV GRADIO_SERVER_NAME=0\.0\.0\.0 GRADIO_SERVER_PORT=7860 .*SYSTEM=spaces$/,
      /^EXPOSE 7860$/,
      /^CMD \["python", "app\.py"\]$/,
      /^LABEL "spaceport\.sdk"="gradio"$/,
    ]);
    expect(r.dockerfile).toMatch(/^ENV HOME=\/home\/user \\$/m);
    expect(r.dockerfile).toMatch(/PATH=\/home\/user\/\.venv\/bin:/);
    // pip's cache is a cache mount, never in a layer; one pip run installs the SDK.
    expect(r.dockerfile).not.toContain('PIP_NO_CACHE_DIR');
    expect(r.dockerfile!.match(/gradio==5\.9\.1/g)).toHaveLength(1);
  });

  it('resolves every pip step as of the cutoff, and leaves out spaces before it existed', () => {
    const d = renderTemplate(input({ files: ALL, sdkVersion: '4.25.0', packageCutoff: '2024-04-10T12:00:00+00:00' })).dockerfile!;
    expect(d).toContain("pip install --uploaded-prior-to '2024-04-10T12:00:00+00:00' -r /tmp/spaceport/pre-requirements.txt");
    expect(d).toContain("pip install --uploaded-prior-to '2024-04-10T12:00:00+00:00' -r /tmp/spaceport/requirements.txt 'gradio==4.25.0' 'spaces' &&");
    // pip itself is pinned, not resolved as of the cutoff (pip 26 came later).
    expect(d).toContain("python3 -m venv /home/user/.venv && pip install 'pip==26.0.1'");
    const old = renderTemplate(input({ sdkVersion: '3.35.2', packageCutoff: '2023-06-01T00:00:00+00:00' })).dockerfile!;
    expect(old).toContain("pip install --uploaded-prior-to '2023-06-01T00:00:00+00:00' 'gradio==3.35.2' &&");
    expect(old).not.toContain("'spaces'");
  });

  it('installs the requirements copy without the SDK lines when the plan gives one', () => {
    const r = renderTemplate(input({ files: { ...NONE, requirements: true }, sdkVersion: '5.0.0', requirementsWithoutSdk: 'numpy\n' }));
    expect(r.extraFiles).toEqual({ '.spaceport/requirements.txt': 'numpy\n' });
    expect(r.dockerfile).toContain('COPY --chown=1000:1000 .spaceport/requirements.txt /tmp/spaceport/requirements.txt');
  });

  it('leaves out the steps for files the repo does not have, and installs the latest gradio without sdk_version', () => {
    const d = renderTemplate(input({ files: NONE })).dockerfile!;
    expect(d).not.toMatch(/packages\.txt|requirements\.txt|apt-get|ca-bundle|LABEL|uploaded-prior-to/);
    expectInOrder(d, [/^RUN --mount=type=cache,id=spaceport-pip,\S+ pip install 'gradio' 'spaces' && /, /^COPY --chown=1000:1000 app\/ /, /^CMD \["python", "app\.py"\]$/]);
  });

  it('installs requirements with local references after the code', () => {
    const d = renderTemplate(input({ files: { ...NONE, requirements: true }, localRequirements: true, sdkVersion: '4.44.1' })).dockerfile!;
    expectInOrder(d, [/^COPY --chown=1000:1000 app\/ /, /^RUN --mount=\S+ pip install -r requirements\.txt 'gradio==4\.44\.1' 'spaces' && /]);
  });

  it('adds the oauth extra and runs a nested app file in exec form', () => {
    const d = renderTemplate(input({ oauth: true, sdkVersion: '5.0.0', appFile: 'src/my app.py' })).dockerfile!;
    expect(d).toContain("pip install 'gradio[oauth]==5.0.0' 'spaces' &&");
    expect(d).toContain('CMD ["python", "src/my app.py"]');
  });
});

describe('streamlit template', () => {
  it('runs streamlit on 8501 with the Hub flags', () => {
    const r = renderTemplate(input({ sdk: 'streamlit', files: { ...NONE, requirements: true }, sdkVersion: '1.40.0' }));
    expect(r.port).toBe(8501);
    expectInOrder(r.dockerfile!, [
      /^FROM spaceport\/python:3\.11$/,
      /^RUN --mount=type=cache,\S+ python3 -m venv /,
      /^RUN --mount=type=cache,\S+ pip install -r \/tmp\/spaceport\/requirements\.txt 'streamlit==1\.40\.0' && python -c .*streamlit %s/,
      /^COPY --chown=1000:1000 app\/ /,
      /^EXPOSE 8501$/,
      /^CMD \["streamlit", "run", "app\.py", "--server\.port", "8501", "--server\.address", "0\.0\.0\.0", "--browser\.gatherUsageStats", "false", "--server\.headless", "true"\]$/,
    ]);
  });
});

describe('static template', () => {
  it('serves the repo with serve.py on 8080, app_file as the index', () => {
    const r = renderTemplate(input({ sdk: 'static', appFile: 'pages/home.html', labels: { a: 'b' } }));
    expect(r.port).toBe(8080);
    expect(Object.keys(r.extraFiles)).toEqual(['.spaceport/serve.py']);
    expect(r.extraFiles['.spaceport/serve.py']).toContain('ThreadingHTTPServer');
    const d = r.dockerfile!;
    expectInOrder(d, [
      /^FROM spaceport\/python:3\.11$/,
      /^RUN useradd /,
      /^COPY \.spaceport\/serve\.py \/opt\/spaceport\/serve\.py$/,
      /^USER 1000$/,
      /^COPY --chown=1000:1000 app\/ \/home\/user\/app\/$/,
      /^EXPOSE 8080$/,
      /^CMD \["python3", "\/opt\/spaceport\/serve\.py", "--root", "\/home\/user\/app", "--index", "pages\/home\.html", "--port", "8080"\]$/,
      /^LABEL "a"="b"$/,
    ]);
    expect(d).not.toMatch(/AS build|pip install|apt-get/);
  });

  it('runs app_build_command in a Node stage and copies only dirname(app_file) to the final image', () => {
    const r = renderTemplate(input({ sdk: 'static', appFile: 'dist/index.html', buildCommand: 'npm run build', files: ALL, caBundleFile: CA }));
    const d = r.dockerfile!;
    expectInOrder(d, [
      /^FROM spaceport\/node:bookworm AS build$/,
      /^COPY \.spaceport\/ca-bundle\.crt /,
      /NODE_EXTRA_CA_CERTS=\/etc\/spaceport\/ca-bundle\.crt/,
      /^COPY --chown=1000:1000 app\/package\.json app\/package-lock\.json \/home\/user\/app\/$/,
      /^RUN npm ci --no-audit --no-fund$/,
      /^COPY --chown=1000:1000 app\/ \/home\/user\/app\/$/,
      /^RUN \["\/bin\/sh", "-c", "npm run build"\]$/,
      /^FROM spaceport\/python:3\.11$/,
      /^COPY \.spaceport\/serve\.py /,
      /^COPY --from=build --chown=1000:1000 \["\/home\/user\/app\/dist\/", "\/home\/user\/app\/"\]$/,
      /"--index", "index\.html"/,
    ]);
  });

  it("with staticOutput 'files': the final image is the build output alone under /site (no Python, no server)", () => {
    const r = renderTemplate(input({ sdk: 'static', appFile: 'dist/index.html', buildCommand: 'npm run build', files: ALL, staticOutput: 'files' }));
    const d = r.dockerfile!;
    expectInOrder(d, [/^FROM spaceport\/node:bookworm AS build$/, /^RUN \["\/bin\/sh", "-c", "npm run build"\]$/, /^FROM scratch$/, /^COPY --from=build \["\/home\/user\/app\/dist\/", "\/site\/"\]$/]);
    expect(d).not.toContain('spaceport/python');
    expect(d).not.toContain('serve.py');
    expect(r.extraFiles).toEqual({});
    // Without a build command there is nothing to build: the files mode changes nothing.
    expect(renderTemplate(input({ sdk: 'static', appFile: 'index.html', staticOutput: 'files' }))).toEqual(renderTemplate(input({ sdk: 'static', appFile: 'index.html' })));
  });

  it('with a chosen Node.js: the build stage is the Python base plus that Node copied in, and says which it runs', () => {
    const node = { image: 'spaceport/node:22.12.0-npm10.9.2', version: '22.12.0', npm: '10.9.2' };
    const d = renderTemplate(input({ sdk: 'static', appFile: 'dist/index.html', buildCommand: 'npm run build', files: ALL, caBundleFile: CA, node })).dockerfile!;
    expectInOrder(d, [
      /^FROM spaceport\/python:3\.11 AS build$/,
      /NODE_EXTRA_CA_CERTS=\/etc\/spaceport\/ca-bundle\.crt/,
      /^COPY --from=spaceport\/node:22\.12\.0-npm10\.9\.2 \/usr\/local\/ \/usr\/local\/$/,
      /^RUN \["\/bin\/sh", "-c", "echo \\"Node\.js \$\(node --version\), npm \$\(npm --version\)\\""\]$/,
      /^USER 1000$/,
      /^RUN npm ci --no-audit --no-fund$/,
      /^RUN \["\/bin\/sh", "-c", "npm run build"\]$/,
      /^FROM spaceport\/python:3\.11$/,
    ]);
    expect(d).not.toContain('spaceport/node:bookworm');
    expect(d).not.toContain('NPM_CONFIG_REGISTRY');
    const mirrored = renderTemplate(input({ sdk: 'static', appFile: 'dist/index.html', buildCommand: 'npm run build', files: ALL, node, npmRegistry: 'https://npm.internal.example/$repo/' })).dockerfile!;
    expectInOrder(mirrored, [/^COPY --from=spaceport\/node:/, /^ENV NPM_CONFIG_REGISTRY="https:\/\/npm\.internal\.example\/\\\$repo\/"$/, /^RUN npm ci /]);
    // Without a build command there is no build stage, whatever node says.
    expect(renderTemplate(input({ sdk: 'static', appFile: 'index.html', node })).dockerfile).not.toContain('spaceport/node');
  });

  it('uses npm install without a lock file, and keeps a build command with quotes inside one RUN', () => {
    const d = renderTemplate(
      input({ sdk: 'static', appFile: 'index.html', buildCommand: `echo "hi" > out.txt && echo 'x'`, files: { ...NONE, packageJson: true } }),
    ).dockerfile!;
    expect(d).toContain('COPY --chown=1000:1000 app/package.json /home/user/app/');
    expect(d).toContain('RUN npm install --no-audit --no-fund');
    expect(d).toContain(`RUN ["/bin/sh", "-c", "echo \\"hi\\" > out.txt && echo 'x'"]`);
    expect(d).toContain('COPY --from=build --chown=1000:1000 ["/home/user/app/", "/home/user/app/"]');
  });
});

describe('docker template', () => {
  it('uses the repo Dockerfile and app_port', () => {
    expect(renderTemplate(input({ sdk: 'docker', appPort: 3000 }))).toEqual({ dockerfile: undefined, extraFiles: {}, port: 3000 });
    expect(renderTemplate(input({ sdk: 'docker' })).port).toBe(sdkTraits('docker').port);
  });
});

describe('labels', () => {
  it('quote values and escape $ so the builder does not expand them', () => {
    const d = renderTemplate(input({ labels: { 'x.y': 'a "b" $HOME\nz' } })).dockerfile!;
    expect(d).toContain('LABEL "x.y"="a \\"b\\" \\$HOME z"');
  });
});

describe('templateHash', () => {
  it('is a stable hex digest, different per template', () => {
    const hashes = (['gradio', 'streamlit', 'static', 'docker'] as const).map((s) => templateHash(s));
    for (const h of hashes) expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(hashes).size).toBe(4);
    expect(templateHash('gradio')).toBe(hashes[0]);
  });
});
