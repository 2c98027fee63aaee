import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheMountIds, packageCacheIdsFor } from '../../templates/index.js';
import { SpaceportError, testConfig } from '../../core/index.js';
import { planFromBuilder } from './plan-from-builder.js';
import type { PlanRelease } from './release-plan.js';

const README = '---\nsdk: static\napp_build_command: npm run build\napp_file: dist/index.html\n---\n';
const space = { subdomain: 'alice-site' } as never;
const base = { space, readme: README, files: ['README.md', 'package.json', 'index.html'], tree: 'a'.repeat(40), variables: {} };

describe('planFromBuilder: the Node.js of a static build', () => {
  const asked: { range: string; source: string }[] = [];
  const node = {
    choose: async (range: string, source: string) => {
      asked.push({ range, source });
      if (range === '>=99') throw new SpaceportError('BadRequest', 'No Node.js release matches ">=99" (package.json engines.node).');
      if (range === 'offline') throw new SpaceportError('BaseImageFailed', 'The npm registry at https://registry.npmjs.org/ is not reachable (fetch failed).');
      return { node: '22.12.0', npm: '10.9.2', image: 'spaceport/node:22.12.0-npm10.9.2' };
    },
  };
  const plan = planFromBuilder(testConfig({}), { node });

  it('asks for the range package.json declares, names the choice in the build log, builds on it', async () => {
    const p = await plan({ ...base, nodeFiles: { packageJson: JSON.stringify({ engines: { node: '>=20' } }) } });
    expect(asked.at(-1)).toEqual({ range: '>=20', source: 'package.json engines.node' });
    expect(p.kind).toBe('ok');
    if (p.kind !== 'ok') return;
    expect(p.notices[0]).toBe('Node.js 22.12.0 with npm 10.9.2 for the build (package.json engines.node ">=20").');
    expect(p.dockerfile).toContain('COPY --from=spaceport/node:22.12.0-npm10.9.2 /usr/local/ /usr/local/');
  });

  it('says when it used the default LTS', async () => {
    const p = await plan({ ...base, nodeFiles: {} });
    expect(asked.at(-1)).toEqual({ range: '22.x', source: 'default' });
    expect(p.kind === 'ok' && p.notices[0]).toMatch(/no engines\.node in package\.json and no \.nvmrc: the current LTS line/);
  });

  it('a range no release matches, or a broken engines.node, is a CONFIG_ERROR naming it', async () => {
    expect(await plan({ ...base, nodeFiles: { packageJson: JSON.stringify({ engines: { node: '>=99' } }) } })).toMatchObject({ kind: 'config_error', message: expect.stringContaining('">=99"') });
    expect(await plan({ ...base, nodeFiles: { packageJson: JSON.stringify({ engines: { node: 'soon' } }) } })).toMatchObject({ kind: 'config_error', message: expect.stringContaining('"engines.node"') });
  });

  it('an unreachable registry falls back to Debian\'s Node.js, saying so', async () => {
    const p = await Promise.resolve(plan({ ...base, nodeFiles: { nvmrc: 'offline' } })).catch((e: unknown) => e);
    // "offline" is not a version: that is the Space's mistake, named as such.
    expect(p).toMatchObject({ kind: 'config_error', message: expect.stringContaining('.nvmrc says "offline"') });
    const down = planFromBuilder(testConfig({}), { node: { choose: async () => Promise.reject(new SpaceportError('BaseImageFailed', 'The npm registry is not reachable (fetch failed).')) } });
    const q = await down({ ...base, nodeFiles: {} });
    expect(q.kind).toBe('ok');
    if (q.kind !== 'ok') return;
    expect(q.notices[0]).toMatch(/could not be looked up \(The npm registry is not reachable \(fetch failed\)\.\); building with Debian's Node\.js \(spaceport\/node:bookworm\)\./);
    expect(q.dockerfile).toContain('FROM spaceport/node:bookworm AS build');
  });

  it('an operator\'s npm mirror serves the build\'s npm too', async () => {
    const mirrored = planFromBuilder(testConfig({ SPACEPORT_NPM_REGISTRY: 'https://npm.internal.example/' }), { node });
    const p = await mirrored({ ...base, nodeFiles: {} });
    expect(p.kind === 'ok' && p.dockerfile).toContain('ENV NPM_CONFIG_REGISTRY="https://npm.internal.example/"');
    const q = await plan({ ...base, nodeFiles: {} });
    expect(q.kind === 'ok' && q.dockerfile).not.toContain('NPM_CONFIG_REGISTRY');
  });

  it('other SDKs and static Spaces without a build command never ask', async () => {
    const before = asked.length;
    await plan({ ...base, readme: '---\nsdk: static\n---\n', files: ['README.md', 'index.html', 'package.json'] });
    await plan({ ...base, readme: '---\nsdk: gradio\n---\n', files: ['README.md', 'app.py', 'package.json'] });
    expect(asked.length).toBe(before);
  });
});

describe('planFromBuilder: the package cache ids of a Python Space (issues 15 and 16)', () => {
  const uid = '0195f0a2-6d4e-7c1b-9a3f-1b2c3d4e5f60';
  const gradio = (owner: string, spaceUid = uid) => ({
    space: { subdomain: `${owner}-demo`, uid: spaceUid, owner } as never,
    readme: '---\nsdk: gradio\nsdk_version: 5.9.1\n---\n',
    files: ['README.md', 'app.py', 'requirements.txt'],
    tree: 'b'.repeat(40),
    variables: {},
    requirementsTxt: 'numpy\n',
  });
  const idsOf = async (plan: PlanRelease, input: Parameters<PlanRelease>[0]) => {
    const p = await plan(input);
    return p.kind === 'ok' ? cacheMountIds(p.dockerfile!).sort() : [];
  };

  it('are secret: derived from a key of this install (build-cache.key, 0600), never the owner or the Space uid', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'spaceport-cache-key-'));
    try {
      const ids = await idsOf(planFromBuilder(testConfig({ SPACEPORT_DATA_DIR: dataDir })), gradio('alice'));
      expect(ids).toHaveLength(2);
      for (const id of ids) {
        expect(id).not.toContain(uid);
        expect(id).not.toContain('alice');
      }
      const key = readFileSync(path.join(dataDir, 'build-cache.key'), 'utf8');
      expect(statSync(path.join(dataDir, 'build-cache.key')).mode & 0o777).toBe(0o600);
      const expected = packageCacheIdsFor(Buffer.from(key, 'base64'), 'alice');
      expect(ids).toEqual([expected.pip, expected.uv].sort());
      // Another install (another key) gives the same owner other ids.
      const other = await idsOf(planFromBuilder(testConfig({ SPACEPORT_DATA_DIR: dataDir }), { cacheKey: Buffer.alloc(32, 7) }), gradio('alice'));
      const otherExpected = packageCacheIdsFor(Buffer.alloc(32, 7), 'alice');
      expect(other).toEqual([otherExpected.pip, otherExpected.uv].sort());
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('are shared by the Spaces of one owner and never by two owners', async () => {
    const plan = planFromBuilder(testConfig({}), { cacheKey: Buffer.alloc(32, 9) });
    const alice = await idsOf(plan, gradio('alice'));
    expect(await idsOf(plan, gradio('alice', '0195f0a2-0000-7000-8000-000000000001'))).toEqual(alice);
    const bob = await idsOf(plan, gradio('bob'));
    expect(bob).toHaveLength(2);
    for (const id of bob) expect(alice).not.toContain(id);
  });

  it('SPACEPORT_PYTHON_INSTALLER chooses uv (the default, with pip as its fallback) or pip alone', async () => {
    const key = { cacheKey: Buffer.alloc(32, 9) };
    const dockerfile = async (config: Parameters<typeof planFromBuilder>[0]) => {
      const p = await planFromBuilder(config, key)(gradio('alice'));
      return p.kind === 'ok' ? p.dockerfile! : '';
    };
    expect(await dockerfile(testConfig({}))).toMatch(/uv pip install .*'gradio==5\.9\.1' 'spaces' \|\| \{ echo .*pip install /);
    const pip = await dockerfile(testConfig({ SPACEPORT_PYTHON_INSTALLER: 'pip' }));
    expect(pip).not.toMatch(/\buv\b/);
    expect(pip).toMatch(/pip install .*'gradio==5\.9\.1' 'spaces' && python -c/);
  });
});
