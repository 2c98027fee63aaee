import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * The files API without a client library: a commit through the API builds like a push, and every
 * route family (commit, preupload, resolve, tree, paths-info, commits, refs, LFS batch) keeps a private
 * Space private and refuses bad paths with a code.
 */
const ndjson = (...lines: unknown[]) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('files API', () => {
  let h: Harness;
  let builder: FakeImageBuilder;
  let other: string;

  beforeAll(async () => {
    builder = new FakeImageBuilder();
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder, plan: planFromBuilder(config), staticSpacesAsImages: true }));
    for (const [name, visibility] of [['pub', 'public'], ['priv', 'private']]) {
      expect((await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'static', visibility })).status).toBe(200);
      const commit = await h.api(
        'POST',
        `/api/spaces/admin/${name}/commit/main`,
        ndjson({ key: 'header', value: { summary: 'first' } }, { key: 'file', value: { path: 'README.md', content: b64('---\nsdk: static\n---\n'), encoding: 'base64' } }, { key: 'file', value: { path: 'index.html', content: b64('<h1>hi</h1>'), encoding: 'base64' } }),
        undefined,
      );
      expect(commit.status, commit.body).toBe(200);
    }
    other = (await h.api('POST', '/api/users', { name: 'mallory' })).json<{ token: string }>().token;
  });
  afterAll(async () => h?.close());

  it('builds a commit to main exactly as a push (the build names the commit)', async () => {
    const rt = await h.waitStage('admin/pub', ['RUNNING'], 30_000);
    expect(rt.stage).toBe('RUNNING');
    const sha = (await h.api('GET', '/api/spaces/admin/pub/commits/main')).json<{ id: string }[]>()[0]!.id;
    expect(builder.built.some((b) => b.labels?.['spaceport.commit'] === sha)).toBe(true);
    const info = (await h.api('GET', '/api/spaces/admin/pub')).json<{ sha: string; cardData: Record<string, unknown> }>();
    expect(info.sha).toBe(sha);
  });

  const reads = (space: string) => [
    ['GET', `/spaces/${space}/resolve/main/index.html`],
    ['GET', `/api/spaces/${space}/tree/main`],
    ['GET', `/api/spaces/${space}/commits/main`],
    ['GET', `/api/spaces/${space}/refs`],
    ['GET', `/api/spaces/${space}/revision/main`],
    ['POST', `/api/spaces/${space}/paths-info/main`],
  ];

  it('keeps a private Space private on every file route: 404 RepoNotFound for anyone else', async () => {
    for (const [method, path] of reads('admin/priv')) {
      expect((await h.api(method!, path!)).status, path).toBe(200);
      for (const token of [null, other]) {
        const r = await h.api(method!, path!, method === 'POST' ? { paths: ['index.html'] } : undefined, token);
        expect([r.status, r.headers['x-error-code']], `${path} as ${token ? 'another user' : 'anonymous'}`).toEqual([404, 'RepoNotFound']);
      }
    }
    const batch = { operation: 'download', objects: [{ oid: 'a'.repeat(64), size: 1 }] };
    expect((await h.api('POST', '/spaces/admin/priv.git/info/lfs/objects/batch', batch, null)).status).toBe(401); // git-lfs then asks for credentials
    expect((await h.api('POST', '/spaces/admin/priv.git/info/lfs/objects/batch', batch, other)).headers['x-error-code']).toBe('RepoNotFound');
    const commit = ndjson({ key: 'header', value: { summary: 'x' } });
    expect((await h.api('POST', '/api/spaces/admin/priv/commit/main', commit, other)).headers['x-error-code']).toBe('RepoNotFound');
    expect((await h.api('POST', '/api/spaces/admin/pub/commit/main', commit, other)).status).toBe(403);
  });

  it.each([
    ['/spaces/admin/pub/resolve/main/%2E%2E/x', 400, 'BadRequest'],
    ['/spaces/admin/pub/resolve/main/a%ff', 400, 'BadRequest'],
    ['/spaces/admin/pub/resolve/main/dir%5Cfile', 400, 'BadRequest'],
    ['/spaces/admin/pub/resolve/--upload-pack=x/index.html', 404, 'RevisionNotFound'],
    ['/spaces/admin/pub/resolve/main~1/index.html', 404, 'RevisionNotFound'],
    ['/spaces/admin/pub/resolve/main/missing', 404, 'EntryNotFound'],
    ['/api/spaces/admin/pub/tree/main/index.html', 404, 'EntryNotFound'],
    ['/api/spaces/admin/pub/tree/main?limit=abc', 400, 'BadRequest'],
    ['/api/spaces/admin/pub/commits/main?p=-1', 400, 'BadRequest'],
    ['/api/spaces/admin/%ff/refs', 400, 'BadRequest'],
  ])('GET %s → %d %s', async (path, status, code) => {
    const r = await h.api('GET', path);
    expect([r.status, r.headers['x-error-code']]).toEqual([status, code]);
  });

  it('paginates the tree with a Link header to the next page', async () => {
    const files = Array.from({ length: 5 }, (_, i) => ({ key: 'file', value: { path: `many/f${i}.txt`, content: b64(String(i)), encoding: 'base64' } }));
    expect((await h.api('POST', '/api/spaces/admin/pub/commit/main', ndjson({ key: 'header', value: { summary: 'many' } }, ...files))).status).toBe(200);
    const seen: string[] = [];
    let next: string | undefined = '/api/spaces/admin/pub/tree/main/many?limit=2';
    while (next) {
      const r = await h.api('GET', next);
      expect(r.status).toBe(200);
      seen.push(...r.json<{ path: string }[]>().map((e) => e.path));
      const link = /<([^>]+)>; rel="next"/.exec(String(r.headers.link ?? ''));
      next = link ? new URL(link[1]!).pathname + new URL(link[1]!).search : undefined;
    }
    expect(seen).toEqual(['many/f0.txt', 'many/f1.txt', 'many/f2.txt', 'many/f3.txt', 'many/f4.txt']);
  });
});
