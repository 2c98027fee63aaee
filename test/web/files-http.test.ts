import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { commitFiles, git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request, type HttpResult } from '../support/http.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';
import { signIn, type HttpSession } from '../support/web-session.js';

const README = '---\ntitle: Files\nsdk: static\n---\n# Files\n';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);

/**
 * Issue 17, Missing 3, over HTTP: the commit list, a commit with its diff, a file's history, raw and
 * download links, and their boundaries: a private Space (or a protected one's files) answers every
 * new page exactly as a missing Space does; a bad commit id or path is a 4xx with an error code.
 */
describe('files like the Hub\'s: commits, diffs, history, raw (HTTP)', () => {
  let h: Harness;
  let aliceToken: string;
  let alice: HttpSession;
  let bob: HttpSession;
  let work: string;
  let first: string;
  let second: string;
  const get = (path: string) => request({ port: h.port, path, host: `127.0.0.1:${h.port}`, headers: { accept: 'text/html' } });

  beforeAll(async () => {
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }));
    aliceToken = (await h.api('POST', '/api/users', { name: 'alice' })).json().token;
    await h.api('POST', '/api/users', { name: 'bob' });
    expect((await h.api('PUT', '/api/users/alice/password', { password: 'alice-password-1' })).status).toBe(200);
    expect((await h.api('PUT', '/api/users/bob/password', { password: 'bob-password-1' })).status).toBe(200);
    for (const [name, visibility] of [['demo', 'public'], ['secret', 'private'], ['guarded', 'protected']] as const) {
      expect((await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'static', visibility }, aliceToken)).status).toBe(200);
    }
    work = await makeWorkTree({
      'README.md': README,
      'index.html': '<h1>hi</h1>\n',
      'app.py': 'import os\n\ndef greet(name):\n    return "Hello " + name\n',
      'logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n',
      'logo.png': PNG,
      'weights.bin': Buffer.from([0, 1, 2, 3, 255]),
      'deep/notes.txt': 'one\n',
    });
    first = (await git(['rev-parse', 'HEAD'], work)).stdout.trim();
    second = await commitFiles(work, { 'app.py': 'import os\n\ndef greet(name):\n    return "Hi <" + name + ">"\n' }, 'Say hi instead');
    for (const space of ['alice/demo', 'alice/secret', 'alice/guarded']) {
      const push = await git(['push', '--force', '-q', pushUrl(h.port, space, aliceToken), 'main'], work);
      expect(push.code, push.stderr).toBe(0);
    }
    await h.waitStage('alice/demo', ['RUNNING']);
    alice = await signIn(h.port, 'alice', 'alice-password-1');
    bob = await signIn(h.port, 'bob', 'bob-password-1');
  });
  afterAll(async () => {
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('lists the Space\'s commits (/commits/main), newest first, each linked to its page', async () => {
    const r = await get('/spaces/alice/demo/commits/main');
    expect(r.status).toBe(200);
    expect(r.body).toContain('2 commits');
    expect(r.body.indexOf('Say hi instead')).toBeLessThan(r.body.indexOf('>initial<'));
    expect(r.body).toContain(`href="/spaces/alice/demo/commit/${second}"`);
    expect(r.body).toContain(`href="/spaces/alice/demo/commit/${first}"`);
  });

  it('shows a commit: message, author, date and a unified diff with signed lines, escaped', async () => {
    const r = await get(`/spaces/alice/demo/commit/${second}`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('Say hi instead');
    expect(r.body).toContain(`<code>${second}</code>`);
    expect(r.body).toMatch(/<time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/time>/);
    expect(r.body).toContain('<tr class="del">');
    expect(r.body).toContain('<tr class="add">');
    expect(r.body).toContain('<span class="sr">added</span>');
    expect(r.body).toContain('return &quot;Hi &lt;&quot; + name + &quot;&gt;&quot;');
    expect(r.body).toContain('1 file changed, 1 line added, 1 removed');
    // The first commit adds everything: its binary files are named, not diffed.
    const root = await get(`/spaces/alice/demo/commit/${first.slice(0, 10)}`);
    expect(root.status).toBe(200);
    expect(root.body).toContain('data-diff-file="logo.png"');
    expect(root.body).toMatch(/data-diff-file="weights.bin"[\s\S]*?Binary file: not shown/);
  });

  it('shows a file\'s history (/commits/main/{path}), linked from the file view, with highlighted code', async () => {
    const app = await get('/spaces/alice/demo/commits/main/app.py');
    expect(app.status).toBe(200);
    expect(app.body).toContain('History of');
    expect(app.body).toContain('2 commits');
    const notes = await get('/spaces/alice/demo/commits/main/deep/notes.txt');
    expect(notes.body).toContain('1 commit<');
    expect(notes.body).not.toContain('Say hi instead');
    const view = await get('/spaces/alice/demo/blob/main/app.py');
    expect(view.body).toContain('href="/spaces/alice/demo/commits/main/app.py"');
    expect(view.body).toContain('href="/spaces/alice/demo/raw/main/app.py"');
    expect(view.body).toContain('href="/spaces/alice/demo/resolve/main/app.py?download=true"');
    expect(view.body).toContain('<tr id="L3"><td class="ln"><a href="#L3" tabindex="-1">3</a></td>');
    expect(view.body).toContain('<span class="tok-k">def</span>');
    // The listing: size and last commit per file.
    const tree = await get('/spaces/alice/demo/tree/main');
    expect(tree.body).toMatch(/blob\/main\/app.py">app.py<\/a><\/td><td>[^<]+<\/td><td><a class="last-commit" href="\/spaces\/alice\/demo\/commit\/[0-9a-f]{40}">Say hi instead<\/a>/);
  });

  it('serves raw files as text/plain (HTML and SVG never rendered), media as themselves, other binaries as downloads; download links are attachments', async () => {
    const py = await get('/spaces/alice/demo/raw/main/app.py');
    expect(py.status).toBe(200);
    expect(py.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(py.headers['x-content-type-options']).toBe('nosniff');
    expect(py.body).toContain('return "Hi <" + name + ">"');
    for (const p of ['index.html', 'logo.svg']) {
      const r = await get(`/spaces/alice/demo/raw/main/${p}`);
      expect(r.headers['content-type'], p).toBe('text/plain; charset=utf-8');
      expect(r.headers['content-security-policy'], p).toContain('sandbox');
    }
    expect((await get('/spaces/alice/demo/raw/main/logo.png')).headers['content-type']).toBe('image/png');
    const bin = await get('/spaces/alice/demo/raw/main/weights.bin');
    expect(bin.headers['content-disposition']).toMatch(/^attachment; filename="weights.bin"/);
    const dl = await get('/spaces/alice/demo/resolve/main/app.py?download=true');
    expect(dl.status).toBe(200);
    expect(dl.headers['content-disposition']).toMatch(/^attachment; filename="app.py"/);
    expect(dl.headers['x-content-type-options']).toBe('nosniff');
  });

  const NEW_PAGES = (sha: string) => ['/commits/main', '/commits/main/app.py', `/commit/${sha}`, '/raw/main/app.py'];

  /** The answer with the Space's name taken out, to compare with a missing Space's. */
  const shape = (r: HttpResult, name: string) => ({ status: r.status, code: r.headers['x-error-code'], body: r.body.replaceAll(name, 'NAME') });

  it('answers every new page of a private Space exactly as a missing Space, to visitors and to signed-in outsiders', async () => {
    for (const page of NEW_PAGES(second)) {
      const missing = shape(await get(`/spaces/alice/nothing-here${page}`), 'nothing-here');
      expect(missing.status, page).toBe(404);
      expect(missing.code, page).toBe('RepoNotFound');
      expect(shape(await get(`/spaces/alice/secret${page}`), 'secret'), page).toEqual(missing);
      const bobMissing = shape(await bob.get(`/spaces/alice/nothing-here${page}`), 'nothing-here');
      expect(shape(await bob.get(`/spaces/alice/secret${page}`), 'secret'), page).toEqual(bobMissing);
      // A protected Space's files are its members': to others, as missing too.
      expect(shape(await bob.get(`/spaces/alice/guarded${page}`), 'guarded'), page).toEqual(bobMissing);
      // The owner sees them.
      expect((await alice.get(`/spaces/alice/secret${page}`)).status, page).toBe(200);
      expect((await alice.get(`/spaces/alice/guarded${page}`)).status, page).toBe(200);
    }
  });

  it('lists folders as the Hub does: the root shows deep/ (not its files), /tree/main/deep its files, with breadcrumbs; a missing folder is a 404, a private Space\'s as a missing Space', async () => {
    const root = await get('/spaces/alice/demo/tree/main');
    expect(root.status).toBe(200);
    expect(root.body).toContain('href="/spaces/alice/demo/tree/main/deep"');
    expect(root.body).not.toContain('href="/spaces/alice/demo/blob/main/deep/notes.txt"');
    expect(root.body).toContain('href="/spaces/alice/demo/blob/main/app.py"');
    for (const path of ['/spaces/alice/demo/tree/main/deep', '/spaces/alice/demo/tree/main/deep/']) {
      const deep = await get(path);
      expect(deep.status, path).toBe(200);
      expect(deep.body).toContain('href="/spaces/alice/demo/blob/main/deep/notes.txt"');
      expect(deep.body).not.toContain('href="/spaces/alice/demo/blob/main/app.py"');
      expect(deep.body).toMatch(/<nav class="breadcrumbs"[^>]*><a href="\/spaces\/alice\/demo\/tree\/main">Files<\/a> \/ <span aria-current="page">deep<\/span><\/nav>/);
    }
    // A file is not a folder, nor is a path no file lies under.
    for (const path of ['/spaces/alice/demo/tree/main/nope', '/spaces/alice/demo/tree/main/app.py', '/spaces/alice/demo/tree/main/dee']) {
      const r = await get(path);
      expect(r.status, path).toBe(404);
      expect(r.headers['x-error-code'], path).toBe('EntryNotFound');
    }
    const bad = await get('/spaces/alice/demo/tree/main/deep/%2e%2e/%2e%2e/etc');
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    const missing = shape(await get('/spaces/alice/nothing-here/tree/main/deep'), 'nothing-here');
    expect(missing.status).toBe(404);
    expect(shape(await get('/spaces/alice/secret/tree/main/deep'), 'secret')).toEqual(missing);
    expect(shape(await bob.get('/spaces/alice/secret/tree/main/deep'), 'secret')).toEqual(shape(await bob.get('/spaces/alice/nothing-here/tree/main/deep'), 'nothing-here'));
    expect((await alice.get('/spaces/alice/secret/tree/main/deep')).status).toBe(200);
    // A writer's new files and uploads go into the folder shown unless they say otherwise.
    const writer = await alice.get('/spaces/alice/demo/tree/main/deep');
    expect(writer.body).toContain('name="path" required maxlength="500" placeholder="app.py" autocomplete="off" value="deep/"');
    expect(writer.body).toContain('name="dir" maxlength="300" placeholder="assets" autocomplete="off" value="deep"');
  });

  it('answers a bad commit id or path with a 4xx and an error code, never a 500 or a server path', async () => {
    const cases: [string, number, string][] = [
      ['/spaces/alice/demo/commit/zzz', 400, 'BadRequest'],
      ['/spaces/alice/demo/commit/HEAD~1', 400, 'BadRequest'],
      ['/spaces/alice/demo/commit/--output=x', 400, 'BadRequest'],
      [`/spaces/alice/demo/commit/${'0'.repeat(40)}`, 404, 'RevisionNotFound'],
      [`/spaces/alice/demo/commit/${'a'.repeat(41)}`, 400, 'BadRequest'],
      ['/spaces/alice/demo/raw/main/../../../../etc/passwd', 400, 'BadRequest'],
      ['/spaces/alice/demo/raw/main/%2e%2e/%2e%2e/etc/passwd', 400, 'BadRequest'],
      ['/spaces/alice/demo/raw/main/deep/..%2F..%2Fetc', 400, 'BadRequest'],
      ['/spaces/alice/demo/raw/main/nope.txt', 404, 'EntryNotFound'],
      ['/spaces/alice/demo/raw/main/deep', 404, 'EntryNotFound'],
      ['/spaces/alice/demo/commits/main/../../x', 400, 'BadRequest'],
      ['/spaces/alice/demo/commits/main/nope.py', 404, 'EntryNotFound'],
      ['/spaces/alice/demo/commits/main?p=abc', 400, 'BadRequest'],
      ['/spaces/alice/demo/commits/main/app.py?p=-1', 400, 'BadRequest'],
    ];
    for (const [path, status, code] of cases) {
      const r = await get(path);
      expect(r.status, path).toBe(status);
      expect(r.headers['x-error-code'], path).toBe(code);
      expect(r.body, path).not.toContain(h.dataDir);
      expect(r.body, path).not.toMatch(/\/tmp\/|\/etc\/passwd:|root:x:0/);
    }
    // A commit that main no longer reaches (history rewritten) is not shown, even to its owner.
    const rewritten = await makeWorkTree({ 'README.md': README, 'index.html': '<p>new</p>\n' });
    try {
      const push = await git(['push', '--force', '-q', pushUrl(h.port, 'alice/guarded', aliceToken), 'main'], rewritten);
      expect(push.code, push.stderr).toBe(0);
      expect((await alice.get(`/spaces/alice/guarded/commit/${second}`)).status).toBe(404);
    } finally {
      rmSync(rewritten, { recursive: true, force: true });
    }
  });

  it('an LFS file: its object size in the list, named not shown in the file view and the diff; raw is its pointer, download its content', async () => {
    const content = Buffer.concat([Buffer.from([0, 1, 2]), Buffer.alloc(3000, 7)]);
    const body = [
      { key: 'header', value: { summary: 'Add weights' } },
      { key: 'file', value: { path: 'model.bin', content: content.toString('base64'), encoding: 'base64' } },
    ].map((l) => JSON.stringify(l)).join('\n');
    const r = await h.api('POST', '/api/spaces/alice/demo/commit/main', `${body}\n`, aliceToken);
    expect(r.status, r.body).toBe(200);
    const head = (await h.api('GET', '/api/spaces/alice/demo/commits/main', undefined, aliceToken)).json()[0].id as string;
    const tree = await get('/spaces/alice/demo/tree/main');
    expect(tree.body).toMatch(/blob\/main\/model.bin">model.bin<\/a><\/td><td>2.9 KB <span class="badge idle">LFS<\/span>/);
    const view = await get('/spaces/alice/demo/blob/main/model.bin');
    expect(view.body).toContain('data-lfs-file');
    expect(view.body).not.toContain('oid sha256:');
    const commit = await get(`/spaces/alice/demo/commit/${head}`);
    expect(commit.body).toMatch(/data-diff-file="model.bin"[\s\S]*?Stored with Git LFS \(2.9 KB\): not shown/);
    const raw = await get('/spaces/alice/demo/raw/main/model.bin');
    expect(raw.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(raw.body).toMatch(/^version https:\/\/git-lfs.github.com\/spec\/v1\noid sha256:[0-9a-f]{64}\nsize 3003\n$/);
    const dl = await request({ port: h.port, path: '/spaces/alice/demo/resolve/main/model.bin?download=true', host: `127.0.0.1:${h.port}` });
    expect(dl.headers['content-disposition']).toMatch(/^attachment; filename="model.bin"/);
    expect(dl.headers['content-length']).toBe('3003');
  });
});
