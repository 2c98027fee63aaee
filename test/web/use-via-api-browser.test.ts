import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { dockerAdapters } from '../../controller/docker-adapters.js';
import { launchChromium, screenshotTo } from '../support/chromium.js';
import { COLD_BUILD_MS, SETTLED } from '../support/docker-space.js';
import { fixtureSpace } from '../support/fixture-spaces.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { gradioClientPython } from '../support/hub-client-venvs.js';
import { request } from '../support/http.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/spaceport-harness.js';

/**
 * "Use via API" (issue 17) on a real Gradio Space (test/fixtures/spaces/gradio-no-sdk-version, Gradio
 * as of March 2025, built by the real Docker engine): the page lists the app's endpoints from its own
 * `/gradio_api/info`, and the snippets it shows, copied as they are, run: gradio_client 2.7.2 (in its
 * own venv) and curl both get the app's output, for the public Space and once it is private (with a token).
 */
const ID = randomBytes(3).toString('hex');
const INSTANCE = `useapi-${ID}`;
const NAME = `api-${ID}`;
const SPACE = `admin/${NAME}`;
const SHOTS = path.resolve('test-artifacts/web-ui');
const DATE = '2025-03-01T12:00:00Z';

interface Run {
  code: number;
  out: string;
  err: string;
}

function run(cmd: string, args: string[], env: Record<string, string | undefined>, timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out, err });
    });
  });
}

describe('"Use via API" on a real Gradio Space', () => {
  let h: Harness;
  let browser: Browser;
  let python: string;
  let work: string | undefined;
  let scratch: string;
  const docker = new Dockerode();
  const base = () => `http://127.0.0.1:${h.port}`;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    scratch = mkdtempSync(path.join(tmpdir(), 'useapi-'));
    // `*.localhost` resolves to loopback in browsers and curl, not in Python's resolver here: the
    // snippet runs unchanged with this one mapping (what Chromium gets from --host-resolver-rules).
    mkdirSync(path.join(scratch, 'site'));
    writeFileSync(
      path.join(scratch, 'site', 'sitecustomize.py'),
      'import socket\n_gai = socket.getaddrinfo\ndef _local(host, *a, **k):\n    if isinstance(host, str) and host.endswith(".localhost"):\n        host = "127.0.0.1"\n    return _gai(host, *a, **k)\nsocket.getaddrinfo = _local\n',
    );
    python = await gradioClientPython();
    h = await startHarness((config) => dockerAdapters(config, silentLogger()), { SPACEPORT_INSTANCE_NAME: INSTANCE, SPACEPORT_ADMIN_PASSWORD: 'admin-password-1' });
    expect((await h.api('POST', '/api/repos/create', { name: NAME, type: 'space', sdk: 'gradio' })).status).toBe(200);
    work = await makeWorkTree(fixtureSpace('gradio-no-sdk-version'), undefined, DATE);
    const push = await git(['push', '--force', '-q', pushUrl(h.port, SPACE, ADMIN_TOKEN), 'main'], work);
    expect(push.code, push.stderr).toBe(0);
    const settled = await h.waitStage(SPACE, SETTLED, COLD_BUILD_MS);
    expect(settled.stage, settled.errorMessage).toBe('RUNNING');
    browser = await launchChromium();
  }, COLD_BUILD_MS + 180_000);

  afterAll(async () => {
    await browser?.close();
    await h?.api('DELETE', '/api/repos/delete', { name: NAME, type: 'space' }).catch(() => undefined);
    await h?.close();
    for (const c of await docker.listContainers({ all: true, filters: { name: [INSTANCE] } })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    for (const img of await docker.listImages({ filters: { reference: [`spaceport/admin-${NAME}*`] } })) await docker.getImage(img.Id).remove({ force: true }).catch(() => undefined);
    if (work) rmSync(work, { recursive: true, force: true });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 120_000);

  async function signedIn(opts: { width: number; height: number; dark?: boolean }): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: opts.width, height: opts.height }, colorScheme: opts.dark ? 'dark' : 'light' });
    const page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${base()}/login`);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('admin-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base()}/spaces`);
    return page;
  }

  /** Open the Space, follow "Use via API", and read the /greet endpoint's two snippets as shown. */
  async function snippets(page: Page): Promise<{ py: string; curl: string }> {
    await page.goto(`${base()}/spaces/${SPACE}`);
    await page.getByRole('link', { name: 'Use via API' }).click();
    await page.waitForURL(`${base()}/spaces/${SPACE}/api`);
    const endpoint = page.locator('section.api-endpoint', { hasText: 'api_name="/greet"' });
    await endpoint.waitFor();
    return { py: await endpoint.getByLabel('Python (gradio_client)').inputValue(), curl: await endpoint.getByLabel('curl').inputValue() };
  }

  function runPython(snippet: string, token?: string): Promise<Run> {
    const file = path.join(scratch, `snippet-${randomBytes(3).toString('hex')}.py`);
    writeFileSync(file, snippet);
    return run(
      python,
      [file],
      {
        PATH: process.env.PATH,
        HOME: scratch,
        HF_HOME: path.join(scratch, 'hf'),
        PYTHONPATH: path.join(scratch, 'site'),
        GRADIO_ANALYTICS_ENABLED: 'False',
        HF_HUB_DISABLE_TELEMETRY: '1',
        ...(token ? { HF_TOKEN: token } : {}),
      },
      120_000,
    );
  }

  function runCurl(snippet: string, token?: string): Promise<Run> {
    return run('bash', ['-euo', 'pipefail', '-c', snippet], { PATH: process.env.PATH, HOME: scratch, ...(token ? { HF_TOKEN: token } : {}) }, 120_000);
  }

  it('lists the endpoints, with parameters and returns, on desktop and phone in light and dark', async () => {
    for (const [label, size] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
      for (const dark of [false, true]) {
        const page = await signedIn({ ...size, dark });
        const { py, curl } = await snippets(page);
        expect(py).toContain(`Client("${SPACE}")`);
        expect(py).toContain(`os.environ.setdefault("HF_ENDPOINT", "${base()}")`);
        expect(py).toContain('name="Hello!!"');
        expect(curl).toContain(`'http://admin-${NAME}.localhost:${h.port}/gradio_api/call/greet'`);
        const table = page.locator('section.api-endpoint', { hasText: 'api_name="/greet"' }).locator('table');
        expect(await table.first().textContent()).toMatch(/name.*Your name.*str.*Textbox.*required/s);
        expect(await table.nth(1).textContent()).toMatch(/\[0\].*Greeting.*str.*Textbox/s);
        await screenshotTo(page, SHOTS, `30-use-via-api-${label}-${dark ? 'dark' : 'light'}`);
        await page.context().close();
      }
    }
  }, 180_000);

  it('the gradio_client and curl snippets, copied as shown, get the app\'s output; a private Space\'s take a token', async () => {
    const page = await signedIn({ width: 1280, height: 900 });
    const pub = await snippets(page);
    const py = await runPython(pub.py);
    expect(py.code, `${py.out}\n${py.err}`).toBe(0);
    expect(py.out).toMatch(/Hello Hello!! with gradio 5\.\d+\.\d+ on Python 3\.11/);
    const curl = await runCurl(pub.curl);
    expect(curl.code, `${curl.out}\n${curl.err}`).toBe(0);
    expect(curl.out).toContain('event: complete');
    expect(curl.out).toMatch(/Hello Hello!! with gradio 5/);

    expect((await h.api('PUT', `/api/spaces/${SPACE}/settings`, { private: true })).status).toBe(200);
    const priv = await snippets(page);
    expect(priv.py).toContain(`Client("${SPACE}", token=os.environ["HF_TOKEN"])`);
    expect(priv.curl).toContain('-H "Authorization: Bearer $HF_TOKEN"');
    // Without the token the Space is missing to both clients; with it, they get the output.
    expect((await runPython(priv.py, 'hf_not-a-token')).code).not.toBe(0);
    const privPy = await runPython(priv.py, ADMIN_TOKEN);
    expect(privPy.code, `${privPy.out}\n${privPy.err}`).toBe(0);
    expect(privPy.out).toMatch(/Hello Hello!! with gradio 5/);
    const privCurl = await runCurl(priv.curl, ADMIN_TOKEN);
    expect(privCurl.code, `${privCurl.out}\n${privCurl.err}`).toBe(0);
    expect(privCurl.out).toMatch(/Hello Hello!! with gradio 5/);
    // The page itself is the Space's: a stranger gets the same 404 as for a Space that does not exist.
    const stranger = await request({ port: h.port, path: `/spaces/${SPACE}/api`, headers: { accept: 'text/html' } });
    const missing = await request({ port: h.port, path: `/spaces/admin/no-such-${ID}/api`, headers: { accept: 'text/html' } });
    expect(stranger.status).toBe(404);
    expect(stranger.headers['x-error-code']).toBe(missing.headers['x-error-code']);
    await page.context().close();
  }, 300_000);
});
