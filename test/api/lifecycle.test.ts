import { createHmac } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { commitFiles, git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { waitFor } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * The whole controller (API, git, builds, reconciler, proxy) with a fake runtime and image builder:
 * fast, no Docker. test/e2e/static.test.ts does the same with the real engine.
 */
const README = (sdk = 'static', extra = '') => `---\ntitle: Demo\nsdk: ${sdk}\n${extra}---\n# Demo\n`;

describe('controller with fake runtime and builder', () => {
  let h: Harness;
  let runtime: FakeRuntime;
  let builder: FakeImageBuilder;
  let work: string;
  const dirs: string[] = [];

  beforeAll(async () => {
    builder = new FakeImageBuilder();
    // A fresh fake runtime per start: like a host whose containers are gone, so a restart must re-create them.
    h = await startHarness((config) => {
      runtime = new FakeRuntime({ http: true });
      return { runtime, builder, plan: planFromBuilder(config), staticSpacesAsImages: true };
    });
  });

  afterAll(async () => {
    await h?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('creates a Space in the Hub shape', async () => {
    const r = await h.api('POST', '/api/repos/create', { name: 'demo', type: 'space', sdk: 'static' });
    expect(r.status).toBe(200);
    // URLs use the endpoint the client called (here 127.0.0.1:port), as huggingface_hub requires.
    expect(r.json()).toMatchObject({ url: `http://127.0.0.1:${h.port}/spaces/admin/demo`, name: 'admin/demo' });
    const info = (await h.api('GET', '/api/spaces/admin/demo')).json();
    expect(info).toMatchObject({ id: 'admin/demo', author: 'admin', sdk: 'static', subdomain: 'admin-demo' });
    // Its initial commit (the Hub's README.md and starter page) builds at once.
    expect(['BUILDING', 'RUNNING']).toContain(info.runtime.stage);
    expect(info.host).toBe(`http://admin-demo.localhost:${h.port}`);
    const again = await h.api('POST', '/api/repos/create', { name: 'demo', type: 'space', sdk: 'static' });
    expect(again.status).toBe(409);
    expect(again.headers['x-error-code']).toBe('RepoExists');
    expect(again.json().url).toBe(`http://127.0.0.1:${h.port}/spaces/admin/demo`);
  });

  it('builds a push and serves it at the subdomain', async () => {
    work = await makeWorkTree({ 'README.md': README(), 'index.html': '<h1>v1</h1>' });
    dirs.push(work);
    const push = await git(['push', '--force', pushUrl(h.port, 'admin/demo', ADMIN_TOKEN), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    const rt = await h.waitStage('admin/demo', ['RUNNING', 'BUILD_ERROR', 'CONFIG_ERROR', 'NO_APP_FILE', 'RUNTIME_ERROR']);
    expect(rt.stage).toBe('RUNNING');
    const page = await h.app('admin-demo', '/cgi-bin/env');
    expect(page.status).toBe(200);
    expect(page.body).toContain('SPACE_ID=admin/demo');
    expect(page.body).toContain('SYSTEM=spaces');
    expect(builder.built.at(-1)?.files).toEqual(expect.arrayContaining(['index.html', 'README.md']));
    const info = (await h.api('GET', '/api/spaces/admin/demo')).json();
    expect(info.cardData).toMatchObject({ title: 'Demo', sdk: 'static' });
    expect(info.siblings.map((s: { rfilename: string }) => s.rfilename).sort()).toEqual(['README.md', 'index.html']);
  });

  it('does not build the same tree twice', async () => {
    const before = builder.built.length;
    const sha = await commitFiles(work, {}, 'empty commit, same tree');
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    const push = await git(['push', '--force', pushUrl(h.port, 'admin/demo', ADMIN_TOKEN), 'main'], work);
    expect(push.code).toBe(0);
    await h.sp.pipeline.idle();
    expect(builder.built.length).toBe(before);
    expect((await h.stage('admin/demo')).stage).toBe('RUNNING');
  });

  it('refuses a push whose README metadata is invalid, naming each field; the last good release keeps serving', async () => {
    const appliedBefore = runtime.applied.length;
    const builtBefore = builder.built.length;
    await commitFiles(work, { 'README.md': README('gradioo', 'colorFrom: pink-ish\n') }, 'typo');
    const push = await git(['push', '--force', pushUrl(h.port, 'admin/demo', ADMIN_TOKEN), 'main'], work);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('remote: Your push was rejected because README.md has invalid metadata:');
    expect(push.stderr).toMatch(/remote: .*"sdk" must be one of gradio, streamlit, docker, static \(got "gradioo"\)/);
    expect(push.stderr).toMatch(/remote: .*"colorFrom" must be one of .*\(got "pink-ish"\)/);
    expect(push.stderr).toContain('[remote rejected] main -> main (pre-receive hook declined)');
    expect((await h.stage('admin/demo')).stage).toBe('RUNNING');
    expect((await h.app('admin-demo', '/')).status).toBe(200);
    expect(builder.built.length).toBe(builtBefore);
    expect(runtime.applied.length).toBe(appliedBefore);

    // Other branches are not deployed, so not checked; a Space that follows one as its upstream
    // gets the same commit by fetch, not push: there it is a CONFIG_ERROR naming the field.
    expect((await git(['push', '--force', pushUrl(h.port, 'admin/demo', ADMIN_TOKEN), 'HEAD:broken'], work)).code).toBe(0);
    const mirror = await h.api('POST', '/api/repos/create', { name: 'mirror-broken', type: 'space', sdk: 'static', upstream: { url: `http://127.0.0.1:${h.port}/spaces/admin/demo`, branch: 'broken' } });
    expect(mirror.status, mirror.body).toBe(200);
    const rt = await h.waitStage('admin/mirror-broken', ['CONFIG_ERROR', 'RUNNING', 'BUILD_ERROR']);
    expect(rt.stage).toBe('CONFIG_ERROR');
    expect(rt.errorMessage).toContain('"sdk"');
    expect(rt.errorMessage).toContain('gradioo');
    expect((await h.api('DELETE', '/api/repos/delete', { name: 'mirror-broken', type: 'space' })).status).toBe(200);
    expect((await git(['push', '--force', '-q', pushUrl(h.port, 'admin/demo', ADMIN_TOKEN), ':broken'], work)).code).toBe(0);
    await git(['reset', '-q', '--hard', 'HEAD~1'], work);
  });

  it('reports a failed build with its step and keeps serving', async () => {
    builder.failNext = { step: 'Step 3/7 : RUN pip install -r requirements.txt', logTail: 'ERROR: No matching distribution found for nope==9\n' };
    await commitFiles(work, { 'README.md': README(), 'index.html': '<h1>v2</h1>' }, 'v2');
    expect((await git(['push', '--force', pushUrl(h.port, 'admin/demo', ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    const rt = await h.waitStage('admin/demo', ['BUILD_ERROR']);
    expect(rt.errorMessage).toContain('pip install');
    expect(rt.errorMessage).toContain('No matching distribution');
    expect((await h.app('admin-demo', '/')).status).toBe(200);
  });

  it('deploys a fixed commit as a new release and removes the old one', async () => {
    await commitFiles(work, { 'index.html': '<h1>v3</h1>' }, 'v3');
    expect((await git(['push', '--force', pushUrl(h.port, 'admin/demo', ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    await h.waitStage('admin/demo', ['RUNNING']);
    // The old release drains (SPACEPORT_DRAIN_MS) before it is removed.
    const instances = await waitFor('old release removed', async () => {
      const list = await runtime.list('admin/demo' as never);
      return list.length === 1 ? list : undefined;
    }, 10_000);
    const space = h.sp.store.getSpace('admin/demo' as never)!;
    expect(instances[0]!.release).toBe(space.targetRelease);
  });

  it('streams the build log as Hub SSE', async () => {
    const r = await h.api('GET', '/api/spaces/admin/demo/logs/build');
    expect(r.headers['content-type']).toContain('text/event-stream');
    const events = r.body.split('\n\n').filter((e) => e.startsWith('data: {'));
    expect(events.length).toBeGreaterThan(0);
    const first = JSON.parse(events[0]!.slice(6));
    expect(first).toHaveProperty('data');
    expect(first).toHaveProperty('timestamp');
    expect(r.body).toContain('Build succeeded');
  });

  it('answers missing Spaces with RepoNotFound everywhere', async () => {
    for (const [method, p] of [
      ['GET', '/api/spaces/admin/nope'],
      ['GET', '/api/spaces/admin/nope/runtime'],
      ['POST', '/api/spaces/admin/nope/restart'],
    ] as const) {
      const r = await h.api(method, p);
      expect(r.status, p).toBe(404);
      expect(r.headers['x-error-code'], p).toBe('RepoNotFound');
    }
    const del = await h.api('DELETE', '/api/repos/delete', { name: 'nope', type: 'space' });
    expect(del.status).toBe(404);
    expect(del.headers['x-error-code']).toBe('RepoNotFound');
    expect((await h.app('admin-nope')).status).toBe(404);
  });

  it('survives a restart: the Space serves again without a push', async () => {
    const builds = builder.built.length;
    await h.restart();
    await h.waitStage('admin/demo', ['RUNNING']);
    const page = await h.app('admin-demo', '/cgi-bin/env');
    expect(page.status, page.body).toBe(200);
    expect(page.body).toContain('SPACE_ID=admin/demo');
    // The reconciler re-created the instance from the stored release: no build, no push.
    expect(runtime.applied).toHaveLength(1);
    expect(builder.built.length).toBe(builds);
  });

  it('pauses, then restarts from PAUSED', async () => {
    const paused = await h.api('POST', '/api/spaces/admin/demo/pause');
    expect(paused.status).toBe(400);
    expect(paused.headers['x-error-code']).toBe('NotSupportedForStatic');
  });

  it('follows an upstream repo through a signed webhook', async () => {
    // The upstream is another Space on this Spaceport, cloned anonymously over loopback HTTP.
    const created = await h.api('POST', '/api/repos/create', { name: 'mirror', type: 'space', sdk: 'static', upstream: { url: `http://127.0.0.1:${h.port}/spaces/admin/demo`, branch: 'main' } });
    expect(created.status, created.body).toBe(200);
    const secret = created.json().webhookSecret as string;
    expect(secret).toMatch(/^[0-9a-f]{48}$/);
    await h.waitStage('admin/mirror', ['RUNNING'], 30_000);
    expect((await h.app('admin-mirror', '/cgi-bin/env')).body).toContain('SPACE_ID=admin/mirror');

    await commitFiles(work, { 'index.html': '<h1>v4</h1>' }, 'v4');
    expect((await git(['push', '--force', pushUrl(h.port, 'admin/demo', ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    const head = (await git(['rev-parse', 'HEAD'], work)).stdout.trim();
    const body = JSON.stringify({ ref: 'refs/heads/main', after: head });
    const bad = await h.api('POST', '/api/spaces/admin/mirror/webhook', body, null);
    expect(bad.status).toBe(403);
    expect(bad.headers['x-error-code']).toBe('BadSignature');
    const sig = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const ok = await fetch(`http://127.0.0.1:${h.port}/api/spaces/admin/mirror/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sig, 'x-github-event': 'push' },
      body,
    });
    expect(ok.status).toBe(202);
    await h.sp.pipeline.idle();
    await h.waitStage('admin/mirror', ['RUNNING']);
    expect(h.sp.store.getSpace('admin/mirror' as never)?.headSha).toBe(head);
  });

  it('accepts a large chunked push (git probes first) under the file size limit', async () => {
    const { randomBytes } = await import('node:crypto');
    await commitFiles(work, { 'model.bin': randomBytes(6 * 1024 * 1024) }, 'incompressible 6 MiB');
    const push = await git(['push', '--force', pushUrl(h.port, 'admin/demo', ADMIN_TOKEN), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    await h.waitStage('admin/demo', ['RUNNING']);
  });

  it('deletes a Space with its instances and route', async () => {
    const r = await h.api('DELETE', '/api/repos/delete', { name: 'mirror', type: 'space' });
    expect(r.status).toBe(200);
    expect(await runtime.list('admin/mirror' as never)).toEqual([]);
    expect((await h.app('admin-mirror')).status).toBe(404);
    expect((await h.api('GET', '/api/spaces/admin/mirror')).status).toBe(404);
  });
});
