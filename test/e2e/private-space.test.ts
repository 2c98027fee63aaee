import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import Dockerode from 'dockerode';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { dockerAdapters } from '../../controller/docker-adapters.js';
import { launchChromium, spaceUrl } from '../support/chromium.js';
import { git, makeWorkTree, pushUrl } from '../support/git-client.js';
import { request } from '../support/http.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';
import { strangersCannotWake } from '../support/wake-cases.js';

/**
 * Private Spaces on the real Docker engine, the real proxy and headless Chromium: strangers get the
 * 404 page (never the app, never a waking page, and a sleeping Space stays asleep); the owner opens
 * the app through a signed grant that becomes the host's cookie, and with a Bearer token from Python;
 * a grant for one Space opens no other.
 */
const INSTANCE = `priv-${randomBytes(3).toString('hex')}`;
const A = `a-${randomBytes(3).toString('hex')}`;
const B = `b-${randomBytes(3).toString('hex')}`;
const SETTLED = ['RUNNING', 'BUILD_ERROR', 'CONFIG_ERROR', 'NO_APP_FILE', 'RUNTIME_ERROR'];

/** GET a Space's app from Python (urllib), with or without a bearer token: `[status, body]`. */
function pythonGet(port: number, sub: string, token?: string): Promise<[number, string]> {
  const script = `
import sys, urllib.request, urllib.error
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/", headers={"Host": f"{sys.argv[2]}.localhost:{sys.argv[1]}", **({"Authorization": f"Bearer {sys.argv[3]}"} if len(sys.argv) > 3 else {})})
try:
    with urllib.request.urlopen(req, timeout=60) as r:
        print(r.status); print(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code); print(e.read().decode())
`;
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', script, String(port), sub, ...(token ? [token] : [])]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => {
      const [status, ...body] = out.split('\n');
      resolve([Number(status), body.join('\n')]);
    });
  });
}

describe('private Spaces on Docker, in a browser and from Python', () => {
  let h: Harness;
  let browser: Browser;
  let work: string;
  let alice: string;
  let dave: string;
  const docker = new Dockerode();
  const subOf = (name: string) => `alice-${name}`;

  beforeAll(async () => {
    h = await startHarness((config) => dockerAdapters(config, silentLogger()), { SPACEPORT_INSTANCE_NAME: INSTANCE });
    alice = (await h.api('POST', '/api/users', { name: 'alice' })).json().token;
    dave = (await h.api('POST', '/api/users', { name: 'dave' })).json().token;
    for (const name of [A, B]) {
      const r = await h.api('POST', '/api/repos/create', { name, type: 'space', sdk: 'static', private: true }, alice);
      expect(r.status, r.body).toBe(200);
      work = await makeWorkTree({ 'README.md': '---\ntitle: Private\nsdk: static\n---\n', 'index.html': `<h1 id="app">Hello from ${name}</h1>` });
      const push = await git(['push', '--force', pushUrl(h.port, `alice/${name}`, alice), 'main'], work);
      expect(push.code, push.stderr).toBe(0);
      rmSync(work, { recursive: true, force: true });
    }
    for (const name of [A, B]) {
      const rt = await waitStage(`alice/${name}`, SETTLED, 480_000);
      expect(rt.stage, rt.errorMessage).toBe('RUNNING');
    }
    browser = await launchChromium();
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    for (const name of [A, B]) await h?.api('DELETE', '/api/repos/delete', { name, organization: 'alice', type: 'space' }, alice);
    await h?.close();
    for (const c of await docker.listContainers({ all: true, filters: { name: [INSTANCE] } })) await docker.getContainer(c.Id).remove({ force: true });
    for (const name of [A, B]) {
      for (const img of await docker.listImages({ filters: { reference: [`spaceport/${subOf(name)}*`] } })) await docker.getImage(img.Id).remove({ force: true }).catch(() => {});
    }
  });

  async function waitStage(space: string, stages: string[], timeoutMs: number): Promise<{ stage: string; errorMessage?: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rt = (await h.api('GET', `/api/spaces/${space}/runtime`, undefined, alice)).json();
      if (stages.includes(rt.stage) || Date.now() > deadline) return rt;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  it('strangers get the 404 page: anonymous, another user, from a browser and from Python', async () => {
    const anon = await request({ port: h.port, path: '/', host: `${subOf(A)}.localhost:${h.port}` });
    expect(anon.status).toBe(404);
    expect(anon.body).toContain('Space not found');
    expect(anon.body).not.toContain('Hello from');
    expect((await pythonGet(h.port, subOf(A)))[0]).toBe(404);
    const asDave = await pythonGet(h.port, subOf(A), dave);
    expect(asDave[0]).toBe(404);
    expect(asDave[1]).not.toContain('Hello from');
    const page = await browser.newPage();
    try {
      const res = await page.goto(spaceUrl(subOf(A), h.port));
      expect(res?.status()).toBe(404);
      expect(await page.textContent('body')).toContain('Space not found');
    } finally {
      await page.close();
    }
  });

  it('the owner reaches the app with a Bearer token from Python', async () => {
    const [status, body] = await pythonGet(h.port, subOf(A), alice);
    expect(status).toBe(200);
    expect(body).toContain(`Hello from ${A}`);
  });

  it('the owner opens the app in Chromium through a signed grant; the cookie is host-only, HttpOnly, SameSite=Lax; it opens no other Space', async () => {
    const context = await browser.newContext();
    try {
      const grant = await h.api('POST', `/api/spaces/alice/${A}/app-grant`, {}, alice);
      expect(grant.status, grant.body).toBe(200);
      const page = await context.newPage();
      const res = await page.goto(grant.json().url);
      expect(res?.status()).toBe(200);
      expect(page.url()).toBe(spaceUrl(subOf(A), h.port, '/'));
      expect(await page.textContent('#app')).toBe(`Hello from ${A}`);
      const cookies = await context.cookies();
      expect(cookies).toHaveLength(1);
      expect(cookies[0]).toMatchObject({ name: 'spaceport_app', domain: `${subOf(A)}.localhost`, httpOnly: true, sameSite: 'Lax' });
      expect(cookies[0]!.expires).toBeGreaterThan(Date.now() / 1000);
      // A reload keeps working on the cookie alone.
      expect((await page.reload())?.status()).toBe(200);
      // The other Space, and the same grant replayed on its host: 404.
      expect((await page.goto(spaceUrl(subOf(B), h.port)))?.status()).toBe(404);
      const onB = new URL(grant.json().url);
      expect((await page.goto(`${spaceUrl(subOf(B), h.port, onB.pathname)}${onB.search}`))?.status()).toBe(404);
      expect(await page.textContent('body')).not.toContain('Hello from');
      // A stranger's grant request is refused on the hub.
      expect((await h.api('POST', `/api/spaces/alice/${A}/app-grant`, {}, dave)).status).toBe(404);
    } finally {
      await context.close();
    }
  });

  it('a sleeping private Space is never woken by a stranger\'s browser (404, no waking page); the owner\'s grant wakes it', async () => {
    expect((await h.api('POST', `/api/spaces/alice/${B}/sleeptime`, { seconds: 1 }, alice)).status).toBe(200);
    expect((await waitStage(`alice/${B}`, ['SLEEPING'], 60_000)).stage).toBe('SLEEPING');
    expect((await h.api('POST', `/api/spaces/alice/${B}/sleeptime`, { seconds: 3600 }, alice)).status).toBe(200);
    const running = () => docker.listContainers({ filters: { label: [`spaceport.space=alice/${B}`], name: [INSTANCE] } });
    expect(await running()).toHaveLength(0);
    const page = await browser.newPage();
    try {
      for (let i = 0; i < 3; i++) {
        const res = await page.goto(spaceUrl(subOf(B), h.port));
        expect(res?.status()).toBe(404);
        const text = (await page.textContent('body')) ?? '';
        expect(text).toContain('Space not found');
        expect(text).not.toMatch(/waking|starting/i);
      }
    } finally {
      await page.close();
    }
    expect((await pythonGet(h.port, subOf(B), dave))[0]).toBe(404);
    // Anonymous and dave over HTTP, then still asleep with nothing running (the case
    // test/snapshots/wake-suites.test.ts runs with snapshots on).
    await strangersCannotWake({ h, docker, space: `alice/${B}`, subdomain: subOf(B), marker: `Hello from ${B}`, token: alice }, [undefined, dave]);
    // The owner: the grant, then the waking page, then the app.
    const context = await browser.newContext();
    try {
      const owner = await context.newPage();
      await owner.goto((await h.api('POST', `/api/spaces/alice/${B}/app-grant`, {}, alice)).json().url);
      await owner.waitForSelector('#app', { timeout: 120_000 });
      expect(await owner.textContent('#app')).toBe(`Hello from ${B}`);
    } finally {
      await context.close();
    }
  }, 240_000);
});
