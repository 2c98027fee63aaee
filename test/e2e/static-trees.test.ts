import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { dockerAdapters } from '../../controller/docker-adapters.js';
import { commitFiles, git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, waitFor } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * Static Spaces without containers, end to end: real git pushes to the real hub, the real proxy
 * serving the pushed tree, the real Docker engine showing no container for the Space; an atomic
 * switch under a client loop; a private static Space; a static Space from before (served by a
 * container) moving to its tree at restart, without a push.
 */
const INSTANCE = `st-${randomBytes(3).toString('hex')}`;
const TAG = randomBytes(3).toString('hex');
const README = (extra = '') => `---\ntitle: Trees\nsdk: static\n${extra}---\n# trees\n`;
const page = (v: number) => `<!doctype html><h1>version ${v}</h1>${`<p>${v}</p>`.repeat(2000)}<footer>end ${v}</footer>`;

describe('static Spaces served from their trees, no container', () => {
  let h: Harness;
  const docker = new Dockerode();
  const works: string[] = [];
  // The first start is Spaceport as it was (static Spaces in containers); restarts are as it is now.
  let asImages = false;

  beforeAll(async () => {
    h = await startHarness(async (config) => ({ ...(await dockerAdapters(config, silentLogger())), staticSpacesAsImages: asImages }), { SPACEPORT_INSTANCE_NAME: INSTANCE });
  }, 600_000);

  afterAll(async () => {
    await h?.close();
    for (const c of await docker.listContainers({ all: true, filters: { name: [INSTANCE] } })) await docker.getContainer(c.Id).remove({ force: true });
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/admin-old-${TAG}*`] } })) {
      await docker.getImage(img.Id).remove({ force: true }).catch(() => {});
    }
    for (const w of works) rmSync(w, { recursive: true, force: true });
  });

  const containersOf = async (space: string) => docker.listContainers({ all: true, filters: { label: [`spaceport.space=${space}`], name: [INSTANCE] } });

  async function pushSpace(name: string, files: Record<string, string>, opts: { private?: boolean } = {}): Promise<string> {
    const created = await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'static', ...(opts.private ? { private: true } : {}) });
    expect(created.status, created.body).toBe(200);
    const work = await makeWorkTree({ 'README.md': README(), ...files });
    works.push(work);
    const push = await git(['push', '--force', pushUrl(h.port, `admin/${name}`, ADMIN_TOKEN), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    return work;
  }

  it('a pushed static Space serves its files with no container, and never sleeps', async () => {
    const name = `site-${TAG}`;
    await pushSpace(name, { 'index.html': '<h1>Hello tree</h1>', 'about/index.html': 'about us', 'app.css': 'body{color:red}' });
    const rt = await h.waitStage(`admin/${name}`, ['RUNNING', 'BUILD_ERROR', 'CONFIG_ERROR', 'NO_APP_FILE', 'RUNTIME_ERROR'], 120_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
    const home = await waitFor('the pushed page', async () => {
      const r = await h.app(`admin-${name}`, '/');
      return r.body.includes('Hello tree') ? r : undefined;
    });
    expect(home.status).toBe(200);
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await h.app(`admin-${name}`, '/about/')).body).toBe('about us');
    expect((await h.app(`admin-${name}`, '/app.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    // ETag and 304, a byte range, gzip.
    const etag = String(home.headers.etag);
    expect((await h.app(`admin-${name}`, '/', { 'if-none-match': etag })).status).toBe(304);
    const range = await h.app(`admin-${name}`, '/app.css', { range: 'bytes=0-3' });
    expect(range.status).toBe(206);
    expect(range.body).toBe('body');
    // Traversal: plain and encoded.
    for (const p of ['/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/about/..%2f..%2f..%2fetc%2fpasswd', '/.git/config']) {
      const r = await h.app(`admin-${name}`, p);
      expect(r.status, p).toBe(404);
      expect(r.body, p).not.toContain('root:');
    }
    expect(await containersOf(`admin/${name}`)).toEqual([]);
    // The tree lives under the data dir, one directory per tree hash.
    const trees = readdirSync(path.join(h.dataDir, 'static-trees')).filter((n) => /^[0-9a-f]{40}$/.test(n));
    expect(trees.length).toBeGreaterThan(0);
  }, 180_000);

  it('a push switches atomically: a client loop during pushes only ever sees a complete old or new page', async () => {
    const name = `atomic-${TAG}`;
    const work = await pushSpace(name, { 'index.html': page(1) });
    const sub = `admin-${name}`;
    await waitFor('version 1', async () => ((await h.app(sub, '/')).body === page(1) ? true : undefined), 120_000);
    const valid = new Map([1, 2, 3, 4].map((v) => [page(v), v]));
    const seen: number[] = [];
    const bad: string[] = [];
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        const r = await request({ port: h.port, path: '/', host: `${sub}.localhost:${h.port}` });
        const v = valid.get(r.body);
        if (r.status !== 200 || v === undefined) bad.push(`${r.status} ${r.body.slice(0, 80)}`);
        else if (seen.at(-1) !== v) seen.push(v);
      }
    })();
    for (const v of [2, 3, 4]) {
      await commitFiles(work, { 'index.html': page(v) }, `v${v}`);
      expect((await git(['push', '--force', pushUrl(h.port, `admin/${name}`, ADMIN_TOKEN), 'main'], work)).code).toBe(0);
      await waitFor(`version ${v} served`, async () => (seen.at(-1) === v ? true : undefined), 60_000, 20);
    }
    stop = true;
    await loop;
    expect(bad).toEqual([]);
    // Never back to an older version once a newer one served.
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(await containersOf(`admin/${name}`)).toEqual([]);
  }, 240_000);

  it('a private static Space is 404 to anonymous visitors and served to its owner through the grant', async () => {
    const name = `secret-${TAG}`;
    await pushSpace(name, { 'index.html': '<h1>private tree</h1>' }, { private: true });
    await h.waitStage(`admin/${name}`, ['RUNNING'], 120_000);
    const anonymous = await h.app(`admin-${name}`, '/');
    expect(anonymous.status).toBe(404);
    expect(anonymous.body).not.toContain('private tree');
    const unknown = await h.app(`nobody-${TAG}`, '/');
    expect(anonymous.body.replaceAll(`admin-${name}`, `nobody-${TAG}`)).toBe(unknown.body);
    const grant = await h.api('POST', `/api/spaces/admin/${name}/app-grant`, {});
    expect(grant.status, grant.body).toBe(200);
    const url = new URL(grant.json().url as string);
    const redeemed = await h.app(`admin-${name}`, `${url.pathname}${url.search}`);
    expect(redeemed.status).toBe(302);
    const cookie = String(redeemed.headers['set-cookie']).split(';')[0]!;
    const owner = await h.app(`admin-${name}`, '/', { cookie });
    expect(owner.status).toBe(200);
    expect(owner.body).toContain('private tree');
    expect(await containersOf(`admin/${name}`)).toEqual([]);
  }, 180_000);

  it('a static Space served by a container before moves to its tree at restart, without a push, and its container goes', async () => {
    // Spaceport as it was: static Spaces are images run as containers.
    asImages = true;
    await h.restart();
    const name = `old-${TAG}`;
    const created = await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'static' });
    expect(created.status, created.body).toBe(200);
    const work = await makeWorkTree({ 'README.md': README('python_version: "3.13"\n'), 'index.html': '<h1>from a container</h1>' });
    works.push(work);
    expect((await git(['push', '--force', pushUrl(h.port, `admin/${name}`, ADMIN_TOKEN), 'main'], work)).code).toBe(0);
    const rt = await h.waitStage(`admin/${name}`, ['RUNNING', 'BUILD_ERROR', 'RUNTIME_ERROR'], 480_000);
    expect(rt.stage, rt.errorMessage).toBe('RUNNING');
    await waitFor('served by its container', async () => ((await h.app(`admin-${name}`, '/')).body.includes('from a container') ? true : undefined), 60_000);
    expect((await containersOf(`admin/${name}`)).length).toBeGreaterThan(0);
    const commitsBefore = (await h.api('GET', `/api/spaces/admin/${name}/commits/main`)).body;

    // Spaceport as it is now: no push, just a restart.
    asImages = false;
    await h.restart();
    await waitFor('no container left', async () => ((await containersOf(`admin/${name}`)).length === 0 ? true : undefined), 60_000);
    expect((await h.stage(`admin/${name}`)).stage).toBe('RUNNING');
    expect((await h.app(`admin-${name}`, '/')).body).toContain('from a container');
    expect((await h.api('GET', `/api/spaces/admin/${name}/commits/main`)).body).toBe(commitsBefore);
    expect(existsSync(path.join(h.dataDir, 'static-trees'))).toBe(true);
  }, 600_000);
});
