import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { git, gitOk, pushUrl } from '../support/git-client.js';
import { runCaptured, venvScriptEnv } from '../support/hub-client.js';
import { hubClientVenvs, type HubClientVenv } from '../support/hub-client-venvs.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * Issue 19's "Hub behaviour that clients hit", with the real huggingface_hub (1.x and 2.x venvs,
 * `check_hub_compat.py`) and stock git against Spaceport (fake runtime and image builder: what is
 * checked here is the API and the repos, not the containers).
 */
function runScript(venv: HubClientVenv, h: Harness, prefix: string, hfHome: string): Promise<{ code: number; out: string; err: string }> {
  const script = path.join(import.meta.dirname, 'check_hub_compat.py');
  return runCaptured(venv.python, [script], venvScriptEnv(venv, { port: h.port, home: hfHome, token: ADMIN_TOKEN }, { SPACEPORT_PREFIX: prefix }));
}

function runHf(venv: HubClientVenv, h: Harness, args: string[], home: string): Promise<{ code: number; out: string; err: string }> {
  return runCaptured(path.join(path.dirname(venv.python), 'hf'), args, { PATH: `${path.dirname(venv.python)}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: home, HF_HOME: home, HF_ENDPOINT: `http://127.0.0.1:${h.port}`, HF_TOKEN: ADMIN_TOKEN, HF_HUB_DISABLE_TELEMETRY: '1', HF_HUB_DISABLE_UPDATE_CHECK: '1', NO_COLOR: '1', ...venv.env });
}

describe('Hub behaviour that clients hit (issue 19)', () => {
  let h: Harness;
  let venvs: HubClientVenv[];
  const dirs: string[] = [];

  beforeAll(async () => {
    venvs = await hubClientVenvs();
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
  }, 15 * 60_000);

  afterAll(async () => {
    await h?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const tmp = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'spaceport-hubcompat-'));
    dirs.push(d);
    return d;
  };

  for (const [i, name] of ['hf-1.33.0', 'hf-2.4.0-xet'].entries()) {
    it(`huggingface_hub ${name}: the flows of issue 19 work`, async () => {
      const venv = venvs.find((v) => v.name === name)!;
      const r = await runScript(venv, h, `hc${i}`, tmp());
      expect(r.code, `${r.out}\n${r.err}`).toBe(0);
      const seen = JSON.parse(r.out.trim().split('\n').pop()!) as Record<string, unknown>;
      // A new Space starts with the Hub's initial commit; static gets a starter page.
      expect(seen.gradio_files).toEqual(['.gitattributes', 'README.md']);
      expect(seen.gradio_commits).toEqual(['initial commit']);
      expect(seen.static_files).toEqual(['.gitattributes', 'README.md', 'index.html', 'style.css']);
      // create_repo + upload_file("index.html") on a static Space builds and runs (was CONFIG_ERROR: README.md is missing).
      expect(seen.static_stage).toBe('RUNNING');
      // create_branch / create_tag / delete_*; upload_file(revision="dev"); list_repo_refs shows them.
      // list_repo_tree(expand=True) and get_paths_info(expand=True): each entry's last commit.
      expect(seen.tree_last).toEqual({ '.gitattributes': 'initial commit', 'README.md': 'initial commit', 'index.html': 'Upload index.html with huggingface_hub', 'style.css': 'initial commit' });
      expect(seen.paths_last).toEqual({ 'index.html': 'Upload index.html with huggingface_hub', 'style.css': 'initial commit' });
      expect(seen.plain_last).toEqual([]);
      // A sleeping Space is SLEEPING, as the Hub reports it (was STOPPED).
      expect(seen.asleep_stage).toBe('SLEEPING');
      expect(seen).toMatchObject({ branches: ['dev', 'main'], tags: ['v1', 'v1-dev'], delete_main: 400, branches_after: ['main'], tags_after: ['v1-dev'] });
    }, 5 * 60_000);
  }

  it('branches and tags need write access (anonymous 401); a bad name is a 400, an unknown revision a 404', async () => {
    expect((await h.api('POST', '/api/repos/create', { name: 'refs-private', type: 'space', sdk: 'gradio', private: true })).status).toBe(200);
    const anon = await h.api('POST', '/api/spaces/admin/refs-private/branch/dev', {}, null);
    expect(anon.status).toBe(401);
    expect((await h.api('DELETE', '/api/spaces/admin/refs-private/tag/v1', undefined, null)).status).toBe(401);
    const bad = await h.api('POST', '/api/spaces/admin/refs-private/branch/..bad', {});
    expect(bad.status).toBe(400);
    expect(bad.headers['x-error-code']).toBe('BadRequest');
    expect((await h.api('POST', '/api/spaces/admin/refs-private/tag/nope', { tag: 't' })).headers['x-error-code']).toBe('RevisionNotFound');
    expect((await h.api('POST', `/api/spaces/admin/refs-private/branch/${encodeURIComponent('refs/pr/5')}`, {})).status).toBe(400);
    expect((await h.api('POST', '/api/spaces/admin/refs-private/tag/main', { tag: 't', message: 'a\u0000b' })).status).toBe(400);
    expect((await h.api('DELETE', '/api/spaces/admin/refs-private/branch/main')).status).toBe(400);
    expect((await h.api('DELETE', '/api/spaces/admin/refs-private/branch/gone')).headers['x-error-code']).toBe('RevisionNotFound');
  });

  it('the hf CLI (1.x): spaces search and repos ls work; spaces dev-mode is a 501 that says what to use; other unserved Hub routes say so, unknown paths stay 404', async () => {
    const venv = venvs.find((v) => v.name === 'hf-1.33.0')!;
    const hf = (args: string[]) => runHf(venv, h, args, tmp());
    expect((await h.api('POST', '/api/repos/create', { name: 'cli-static', type: 'space', sdk: 'static' })).status).toBe(200);
    await h.waitStage('admin/cli-static', ['RUNNING']);
    expect((await h.api('POST', '/api/repos/create', { name: 'cli-other', type: 'space', sdk: 'gradio' })).status).toBe(200);

    const search = await hf(['spaces', 'search', 'cli static', '--json']);
    expect(search.code, search.err).toBe(0);
    const found = JSON.parse(search.out) as { id: string; score: number; stage: string }[];
    expect(found[0]).toMatchObject({ id: 'admin/cli-static', score: 1, stage: 'RUNNING' });
    expect(found.map((f) => f.id)).not.toContain('admin/cli-other'); // not running
    const all = await hf(['spaces', 'search', 'cli', '--include-non-running', '--json']);
    expect((JSON.parse(all.out) as { id: string }[]).map((f) => f.id)).toEqual(expect.arrayContaining(['admin/cli-static', 'admin/cli-other']));

    const ls = await hf(['repos', 'ls', '--json']);
    expect(ls.code, ls.err).toBe(0);
    const repos = JSON.parse(ls.out) as { id: string; type: string }[];
    expect(repos).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'admin/cli-static', type: 'space' })]));

    const dev = await hf(['spaces', 'dev-mode', 'admin/cli-static']);
    expect(dev.code).not.toBe(0);
    expect(`${dev.out}${dev.err}`).toContain('Dev mode (editing files inside the running container) is not offered here');
    const raw = await h.api('POST', '/api/spaces/admin/cli-static/dev-mode', { enabled: true });
    expect([raw.status, raw.headers['x-error-code']]).toEqual([501, 'NotImplemented']);

    for (const [method, path, status, code] of [
      ['GET', '/api/models', 400, 'BadRequest'],
      ['GET', '/api/datasets/someone/data', 400, 'BadRequest'],
      ['GET', '/api/spaces/admin/cli-static/discussions', 501, 'NotImplemented'],
      ['GET', '/api/spaces/admin/cli-static/lfs-files', 501, 'NotImplemented'],
      ['GET', '/api/no-such-thing', 404, 'NotFound'],
      ['GET', '/api/spaces/admin/cli-static/no-such-thing', 404, 'NotFound'],
    ] as const) {
      const r = await h.api(method, path);
      expect([r.status, r.headers['x-error-code']], `${method} ${path}`).toEqual([status, code]);
    }
  }, 120_000);

  it('git clone of a new Space gets its initial commit, with the Hub LFS patterns', async () => {
    const created = await h.api('POST', '/api/repos/create', { name: 'cloned', type: 'space', sdk: 'streamlit' });
    expect(created.status).toBe(200);
    const work = tmp();
    const clone = await git(['clone', '-q', pushUrl(h.port, 'admin/cloned', ADMIN_TOKEN), 'c'], work);
    expect(clone.code, clone.stderr).toBe(0);
    const dir = path.join(work, 'c');
    expect((await gitOk(['log', '--format=%s'], dir)).trim()).toBe('initial commit');
    expect(readFileSync(path.join(dir, '.gitattributes'), 'utf8')).toContain('*.safetensors filter=lfs diff=lfs merge=lfs -text');
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toMatch(/^---\ntitle: "cloned"\n[\s\S]*sdk: streamlit\napp_file: app.py\npinned: false\n---\n/);
  });
});
