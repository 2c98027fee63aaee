import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// templates/static/serve.py, run with the host's Python 3 as it runs in the static image.
const SERVE_PY = fileURLToPath(new URL('../../templates/static/serve.py', import.meta.url));

describe('static template file server (serve.py)', () => {
  let root: string;
  let outside: string;
  let child: ChildProcess;
  let base: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'spaceport-serve-'));
    outside = await mkdtemp(path.join(tmpdir(), 'spaceport-serve-outside-'));
    await mkdir(path.join(root, 'pages'));
    await mkdir(path.join(root, 'assets'));
    await mkdir(path.join(root, 'docs'));
    await mkdir(path.join(root, '.hidden'));
    await writeFile(path.join(root, 'pages', 'home.html'), '<h1>home</h1>');
    await writeFile(path.join(root, 'index.html'), '<h1>root index</h1>');
    await writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(root, 'assets', 'mod.wasm'), Buffer.from([0, 97, 115, 109]));
    await writeFile(path.join(root, 'assets', 'style.css'), 'body{}');
    await writeFile(path.join(root, 'docs', 'index.html'), '<p>docs</p>');
    await writeFile(path.join(root, '.env'), 'SECRET=1');
    await writeFile(path.join(root, '.hidden', 'a.txt'), 'hidden');
    await writeFile(path.join(outside, 'secret.txt'), 'outside');
    await symlink(path.join(outside, 'secret.txt'), path.join(root, 'escape.txt'));
    await symlink(outside, path.join(root, 'escape-dir'));

    child = spawn('python3', [SERVE_PY, '--root', root, '--index', 'pages/home.html', '--port', '0', '--host', '127.0.0.1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let err = '';
      child.stderr!.setEncoding('utf8').on('data', (t: string) => {
        err += t;
        const m = /on port (\d+)/.exec(err);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`serve.py exited ${code}: ${err}`)));
    });
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    child?.kill('SIGTERM');
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  const get = (p: string, init?: RequestInit) => fetch(`${base}${p}`, { redirect: 'manual', ...init });

  it('listens with a deep backlog, so a burst of connections (held requests of a wake) is not dropped', async () => {
    const port = new URL(base).port;
    const out = await new Promise<string>((resolve, reject) => {
      const ss = spawn('ss', ['-ltnH', `sport = :${port}`]);
      let text = '';
      ss.stdout.setEncoding('utf8').on('data', (t: string) => (text += t));
      ss.once('error', reject);
      ss.once('close', () => resolve(text));
    });
    // `ss -l`: Send-Q of a listening socket is its backlog.
    const [, , sendQ] = out.trim().split(/\s+/);
    expect(Number(sendQ)).toBeGreaterThanOrEqual(1024);
  });

  it('answers / with the app_file', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toBe('<h1>home</h1>');
  });

  it('serves other files by path with proper content types', async () => {
    const cases: [string, string][] = [
      ['/assets/app.js', 'text/javascript; charset=utf-8'],
      ['/assets/style.css', 'text/css; charset=utf-8'],
      ['/assets/mod.wasm', 'application/wasm'],
      ['/index.html', 'text/html; charset=utf-8'],
    ];
    for (const [p, type] of cases) {
      const res = await get(p);
      expect(res.status, p).toBe(200);
      expect(res.headers.get('content-type'), p).toBe(type);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      await res.arrayBuffer();
    }
    const head = await get('/assets/app.js?v=2', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('14');
  });

  it('serves a directory index, redirects to the slash form, and never lists directories', async () => {
    const redirect = await get('/docs');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/docs/');
    expect(await (await get('/docs/')).text()).toBe('<p>docs</p>');
    expect((await get('/assets/')).status).toBe(404);
  });

  it('hides dotfiles and anything outside the root (traversal, symlinks)', async () => {
    for (const p of ['/.env', '/.hidden/a.txt', '/.hidden/', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd', '/escape.txt', '/escape-dir/secret.txt', '/nope.html']) {
      const res = await get(p);
      expect(res.status, p).toBe(404);
      expect(await res.text(), p).not.toMatch(/SECRET|outside|hidden|root:/);
    }
  });
});
