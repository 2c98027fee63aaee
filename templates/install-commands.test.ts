import { describe, expect, it } from 'vitest';
import { UV_FALLBACK_NOTICE, UV_VERSION, cacheMountIds, packageCacheIdsFor, renderTemplate, sdkLayerCacheIdFor, type RepoFiles, type TemplateInput } from './index.js';
import { SDK_LAYER_NOTICE, SDK_LAYER_SCOPE_ARG } from './install-commands.js';

const FILES: RepoFiles = { packagesTxt: true, preRequirements: true, requirements: true, packageJson: false, packageLock: false };
const CUTOFF = '2024-06-01T12:00:00+00:00';

function uv(over: Partial<TemplateInput> = {}): string {
  const input: TemplateInput = {
    sdk: 'gradio',
    pythonImage: 'spaceport/python:3.11',
    nodeImage: 'spaceport/node:bookworm',
    appFile: 'app.py',
    files: FILES,
    sdkVersion: '5.50.0',
    packageCutoff: CUTOFF,
    pipCacheId: 'spaceport-pip-aaaa',
    uvCacheId: 'spaceport-uv-bbbb',
    pythonInstaller: 'uv',
    ...over,
  };
  return renderTemplate(input).dockerfile!;
}

const lines = (d: string) => d.split('\n');

describe('python templates with uv (issue 16)', () => {
  it('install the SDK, spaces and requirements.txt in one uv run at the cutoff, with both caches mounted', () => {
    const d = uv();
    const installs = lines(d).filter((l) => l.includes("'gradio==5.50.0'") && l.includes('-r /tmp/spaceport/requirements.txt'));
    expect(installs).toHaveLength(1);
    const run = installs[0]!;
    expect(run).toMatch(
      /^RUN --mount=type=cache,id=spaceport-uv-bbbb,target=\/home\/user\/\.cache\/uv,uid=1000,gid=1000 --mount=type=cache,id=spaceport-pip-aaaa,target=\/home\/user\/\.cache\/pip,uid=1000,gid=1000 uv pip install /,
    );
    expect(run).toContain("uv pip install --python /home/user/.venv/bin/python --index-strategy unsafe-best-match --exclude-newer '2024-06-01T12:00:00+00:00' -r /tmp/spaceport/requirements.txt 'gradio==5.50.0' 'spaces' || ");
    expect(cacheMountIds(d).sort()).toEqual(['spaceport-pip-aaaa', 'spaceport-uv-bbbb']);
  });

  it('fall back to pip with the same arguments and cutoff, after a line saying why, before the version report', () => {
    const run = lines(uv()).find((l) => l.includes("'gradio==5.50.0'") && l.includes('-r /tmp/spaceport/requirements.txt'))!;
    const fallback = ` || { echo '${UV_FALLBACK_NOTICE}'; pip install --uploaded-prior-to '${CUTOFF}' -r /tmp/spaceport/requirements.txt 'gradio==5.50.0' 'spaces'; } && python -c `;
    expect(run).toContain(fallback);
    // Then (unless gradio's .pyc is there already: the SDK layer warmed this install) a Gradio app starts once, so the image has the .pyc files the app's start needs (never failing the build; templates/gradio/warm-start.test.ts).
    expect(run).toMatch(/ && \{ python -c '[^']*find_spec\("gradio"\)[^']*cache_from_source[^']*' 2>\/dev\/null \|\| timeout 300 python -c 'exec\(.*demo\.launch\(.*' >\/dev\/null 2>&1 \|\| true; \}$/);
    expect(run).not.toContain('--compile-bytecode');
    // pre-requirements.txt goes the same way.
    expect(uv()).toContain(
      // (at the cutoff's day, as the SDK layer: a requirements change keeps both layers)
      `--exclude-newer '2024-06-01T00:00:00+00:00' -r /tmp/spaceport/pre-requirements.txt || { echo '${UV_FALLBACK_NOTICE}'; pip install --uploaded-prior-to '2024-06-01T00:00:00+00:00' -r /tmp/spaceport/pre-requirements.txt; }`,
    );
  });

  it('take uv from the base image when it has this version, else from PyPI, in a layer that names nothing of the Space', () => {
    const d = uv();
    const i = lines(d).findIndex((l) => l.startsWith('RUN [ "$(uv --version'));
    expect(lines(d)[i]).toContain(`= '${UV_VERSION}' ]`);
    expect(lines(d)[i + 1]).toContain(`python3 -m pip install --no-cache-dir --disable-pip-version-check 'uv==${UV_VERSION}'`);
    // Before packages.txt and the app user's layers; no cache mount, so other owners' builds share it.
    expect(i).toBeLessThan(lines(d).findIndex((l) => l.startsWith('COPY app/packages.txt')));
    expect(lines(d)[i]).not.toContain('--mount');
    const venv = lines(d).find((l) => l.includes('python3 -m venv'))!;
    expect(venv).toBe("RUN python3 -m venv /home/user/.venv && uv pip install --no-cache --python /home/user/.venv/bin/python 'pip==26.0.1'");
  });

  it('leave out --exclude-newer and --uploaded-prior-to without a cutoff', () => {
    const d = uv({ packageCutoff: undefined });
    expect(d).not.toContain('--exclude-newer');
    expect(d).not.toContain('--uploaded-prior-to');
    expect(d).toContain("--index-strategy unsafe-best-match -r /tmp/spaceport/requirements.txt 'gradio==5.50.0' 'spaces' || { echo");
  });

  it('streamlit gets the same installer; local requirements install after the code', () => {
    const s = uv({ sdk: 'streamlit', sdkVersion: '1.25.0' });
    expect(s).toMatch(/uv pip install .* -r \/tmp\/spaceport\/requirements\.txt 'streamlit==1\.25\.0' \|\| \{ echo/);
    const local = lines(uv({ localRequirements: true }));
    const copy = local.findIndex((l) => l.startsWith('COPY --chown=1000:1000 app/ '));
    const install = local.findIndex((l) => l.includes("-r requirements.txt 'gradio==5.50.0'"));
    expect(copy).toBeGreaterThan(0);
    expect(install).toBeGreaterThan(copy);
  });

  it('pip, the default and SPACEPORT_PYTHON_INSTALLER=pip, renders no uv at all', () => {
    for (const d of [uv({ pythonInstaller: 'pip' }), uv({ pythonInstaller: undefined })]) {
      expect(d).not.toMatch(/\buv\b/);
      expect(d).toContain("pip install --uploaded-prior-to '2024-06-01T12:00:00+00:00' -r /tmp/spaceport/requirements.txt 'gradio==5.50.0' 'spaces' && python -c");
      expect(cacheMountIds(d)).toEqual(['spaceport-pip-aaaa']);
    }
  });

  it('a malformed cache id never reaches the Dockerfile', () => {
    const d = uv({ uvCacheId: 'x,target=/etc', pipCacheId: 'y z' });
    expect(cacheMountIds(d).sort()).toEqual(['spaceport-pip', 'spaceport-uv']);
  });
});

// s27: BuildKit 0.13+ (Docker 26+) leaves a cache mount's id out of a RUN's cache key (moby/buildkit
// #4585), as BuildKit before 0.8.3 left out every mount: there, the SDK layer (and a requirements
// layer of the same requirements.txt) of one owner, built from that owner's cache, was CACHED for
// another owner. A build arg derived from the owner's cache ids, declared before the first RUN that
// mounts them, puts the owner in every later step's key on every engine. The real-engine check is
// test/builder/sdk-layer-owner.test.ts.
describe('the owner cache scope of python templates', () => {
  const key = Buffer.alloc(32, 7);
  const of = (owner: string, over: Partial<TemplateInput> = {}) => {
    const ids = packageCacheIdsFor(key, owner);
    return uv({ pipCacheId: ids.pip, uvCacheId: ids.uv, ...over });
  };
  const scope = (d: string) => lines(d).filter((l) => l.startsWith('ARG SPACEPORT_CACHE_SCOPE='));

  for (const installer of ['uv', 'pip'] as const) {
    for (const sdk of ['gradio', 'streamlit'] as const) {
      it(`${sdk} with ${installer}: one scope line, before every RUN that mounts the owner's cache and after every step all owners share`, () => {
        const d = lines(of('alice', { sdk, pythonInstaller: installer }));
        const at = d.findIndex((l) => l.startsWith('ARG SPACEPORT_CACHE_SCOPE='));
        expect(scope(d.join('\n'))).toHaveLength(1);
        const firstMount = d.findIndex((l) => l.includes('--mount=type=cache'));
        expect(at).toBeGreaterThan(0);
        expect(at).toBeLessThan(firstMount);
        // Everything before it mounts no cache (so the uv tool and the uv venv stay shared by every owner).
        expect(d.slice(0, at).some((l) => l.includes('--mount'))).toBe(false);
        if (installer === 'uv') expect(d[at - 1]).toContain('python3 -m venv');
      });
    }
  }

  it('is the same for two Spaces of one owner, differs between owners, and names no cache id', () => {
    const alice = scope(of('alice'));
    expect(scope(of('alice', { sdkVersion: '5.49.0', files: { ...FILES, requirements: false } }))).toEqual(alice);
    expect(scope(of('bob'))).not.toEqual(alice);
    const ids = packageCacheIdsFor(key, 'alice');
    expect(alice[0]).not.toContain(ids.uv.slice(-32));
    expect(alice[0]).not.toContain(ids.pip.slice(-32));
    expect(alice[0]).toMatch(/^ARG SPACEPORT_CACHE_SCOPE=[0-9a-f]{32}$/);
  });

  it('is left out without per-owner cache ids (the shared fallback caches)', () => {
    expect(scope(uv({ pipCacheId: undefined, uvCacheId: undefined }))).toEqual([]);
  });
});

// s30 (issue 16, the cold deploy): the SDK layer sees nothing of the Space, so where nothing of the
// Space comes before it, it is the install's, built from the install's own cache (never an owner's),
// and the owner's scope follows it: a new owner's first Space takes it from BuildKit's cache. The
// real-engine check is test/builder/sdk-layer-owner.test.ts.
describe("the install's shared SDK layer", () => {
  const key = Buffer.alloc(32, 9);
  const BARE: RepoFiles = { packagesTxt: false, preRequirements: false, requirements: true, packageJson: false, packageLock: false };
  const of = (owner: string, over: Partial<TemplateInput> = {}, installKey = key) => {
    const ids = packageCacheIdsFor(installKey, owner);
    return uv({ files: BARE, pipCacheId: ids.pip, uvCacheId: ids.uv, sdkLayerCacheId: sdkLayerCacheIdFor(installKey), ...over });
  };
  const sdkLayerAt = (d: string[]) => d.findIndex((l) => l.includes('{ uv pip install') && l.includes(SDK_LAYER_NOTICE.slice(0, 40)));
  const mountIdsOf = (line: string) => cacheMountIds(line);

  for (const sdk of ['gradio', 'streamlit'] as const) {
    it(`${sdk}: the SDK layer mounts the install's cache alone; the owner's scope comes after it, before every RUN that mounts an owner's cache`, () => {
      const d = lines(of('alice', { sdk, sdkVersion: sdk === 'gradio' ? '5.50.0' : '1.40.0' }));
      const sdkAt = sdkLayerAt(d);
      expect(sdkAt).toBeGreaterThan(0);
      expect(mountIdsOf(d[sdkAt]!)).toEqual([sdkLayerCacheIdFor(key)]);
      const installScope = d.findIndex((l) => l.startsWith(`ARG ${SDK_LAYER_SCOPE_ARG}=`));
      const ownerScope = d.findIndex((l) => l.startsWith('ARG SPACEPORT_CACHE_SCOPE='));
      expect(installScope).toBeGreaterThan(0);
      expect(installScope).toBeLessThan(sdkAt);
      expect(ownerScope).toBe(sdkAt + 1);
      const ids = packageCacheIdsFor(key, 'alice');
      // Nothing before the owner's scope mounts an owner's cache; everything after that mounts one does.
      expect(d.slice(0, ownerScope).some((l) => l.includes(ids.uv) || l.includes(ids.pip))).toBe(false);
      expect(d.slice(ownerScope).some((l) => l.includes(ids.uv))).toBe(true);
    });
  }

  it('is the same text for every owner of one install up to the owner scope, and differs for another install', () => {
    const upToSdkLayer = (d: string) => lines(d).slice(0, sdkLayerAt(lines(d)) + 1).join('\n');
    const alice = upToSdkLayer(of('alice'));
    expect(upToSdkLayer(of('bob', { files: { ...BARE, requirements: false } }))).toBe(alice);
    expect(upToSdkLayer(of('alice', {}, Buffer.alloc(32, 10)))).not.toBe(alice);
    expect(lines(of('alice')).find((l) => l.startsWith(`ARG ${SDK_LAYER_SCOPE_ARG}=`))).toMatch(/^ARG SPACEPORT_SDK_LAYER_SCOPE=[0-9a-f]{32}$/);
    // The scope names no cache id (image history shows build args).
    expect(alice.split('\n').find((l) => l.startsWith('ARG '))).not.toContain(sdkLayerCacheIdFor(key).slice(-32));
  });

  it("is the owner's where something of the Space comes first (packages.txt, pre-requirements.txt), with pip, and without the install's id", () => {
    for (const over of [{ files: { ...BARE, packagesTxt: true } }, { files: { ...BARE, preRequirements: true } }, { sdkLayerCacheId: undefined }] as Partial<TemplateInput>[]) {
      const d = lines(of('alice', over));
      expect(mountIdsOf(d[sdkLayerAt(d)]!)).toEqual([packageCacheIdsFor(key, 'alice').uv]);
      expect(d.some((l) => l.startsWith(`ARG ${SDK_LAYER_SCOPE_ARG}=`))).toBe(false);
      expect(d.join('\n')).not.toContain(sdkLayerCacheIdFor(key));
    }
    const pip = of('alice', { pythonInstaller: 'pip' });
    expect(pip).not.toContain(sdkLayerCacheIdFor(key));
    expect(pip).not.toContain(SDK_LAYER_SCOPE_ARG);
  });
});
