import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFromBuilder } from '../../controller/builds/index.js';
import { FakeRuntime } from '../../controller/runtime/testing/index.js';
import { launchChromium, screenshotTo } from '../support/chromium.js';
import { FakeImageBuilder } from '../support/fake-image-builder.js';
import { startHarness, type Harness } from '../support/spaceport-harness.js';

const CLIENT_SECRET = 'oidc-test-client-secret-0123456789';

/**
 * Sign-in through a real OpenID Connect provider (the `oidc-provider` package, its own login and
 * consent pages) running in the test on port 0: no mock between Spaceport and the provider.
 */
describe('OpenID Connect sign-in', () => {
  let h: Harness;
  let browser: Browser;
  const providerServer = http.createServer();

  beforeAll(async () => {
    await new Promise<void>((resolve) => providerServer.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(providerServer.address() as AddressInfo).port}`;
    h = await startHarness((config) => ({ runtime: new FakeRuntime(), builder: new FakeImageBuilder(), plan: planFromBuilder(config) }), {
      SPACEPORT_OIDC_ISSUER: issuer,
      SPACEPORT_OIDC_CLIENT_ID: 'spaceport',
      SPACEPORT_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      SPACEPORT_OIDC_NAME: 'Test provider',
      SPACEPORT_OIDC_ALLOW_HTTP: 'true',
    });
    // A local user with the provider's user name exists already: it must not be taken over.
    await h.api('POST', '/api/users', { name: 'dave' });
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'spaceport',
          client_secret: CLIENT_SECRET,
          redirect_uris: [`http://127.0.0.1:${h.port}/login/oidc/callback`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      claims: { openid: ['sub'], profile: ['preferred_username', 'name'], email: ['email'] },
      findAccount: async (_ctx, sub) => ({
        accountId: sub,
        claims: async () => ({ sub, preferred_username: sub, email: `${sub}@example.com` }),
      }),
      cookies: { keys: ['oidc-test-cookie-key-0123456789'] },
      features: { devInteractions: { enabled: true } },
    });
    providerServer.on('request', provider.callback());
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    providerServer.close();
    providerServer.closeAllConnections();
  });

  /** Through the provider's own pages; a second sign-in may skip them (the provider remembers its session). */
  async function signInThroughProvider(page: Page, login: string): Promise<void> {
    const home = `http://127.0.0.1:${h.port}/spaces`;
    await page.goto(`http://127.0.0.1:${h.port}/login`);
    await page.getByRole('link', { name: 'Sign in with Test provider' }).click();
    const back = page.waitForURL(home).then(() => 'back' as const);
    const form = page.locator('input[name="login"]').waitFor().then(() => 'form' as const);
    if ((await Promise.race([back, form])) === 'form') {
      await page.locator('input[name="login"]').fill(login);
      await page.locator('input[name="password"]').fill('anything');
      await page.getByRole('button', { name: 'Sign-in' }).click();
      const consent = page.getByRole('button', { name: 'Continue' });
      await Promise.race([consent.click().catch(() => undefined), page.waitForURL(home)]);
    }
    await back;
    form.catch(() => undefined);
  }

  const whoami = (page: Page) => page.evaluate(async () => (await (await fetch('/api/whoami-v2')).json()) as { name: string });

  it('creates the user on first sign-in and finds them again the next time', async () => {
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
    await signInThroughProvider(page, 'carol');
    expect((await whoami(page)).name).toBe('carol');
    await screenshotTo(page, 'test-artifacts/web-ui', '11-oidc-signed-in');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`http://127.0.0.1:${h.port}/spaces`);
    expect((await page.evaluate(async () => (await fetch('/api/whoami-v2')).status))).toBe(401);

    await signInThroughProvider(page, 'carol');
    expect((await whoami(page)).name).toBe('carol');
    // The session acts like the user: it can create a Space through the API (with the page's CSRF token).
    const created = await page.evaluate(async () => {
      const csrf = document.querySelector('meta[name="csrf-token"]')!.getAttribute('content')!;
      const r = await fetch('/api/repos/create', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ name: 'sso-demo', type: 'space', sdk: 'static' }) });
      return r.status;
    });
    expect(created).toBe(200);
    expect(h.sp.store.listUsers().filter((u) => u.name.startsWith('carol')).map((u) => u.name)).toEqual(['carol']);
  });

  it('never takes over a local user of the same name', async () => {
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
    await signInThroughProvider(page, 'dave');
    expect((await whoami(page)).name).toBe('dave-2');
  });

  it('refuses a callback it did not start', async () => {
    const page = await (await browser.newContext()).newPage();
    const res = await page.goto(`http://127.0.0.1:${h.port}/login/oidc/callback?code=forged&state=forged`);
    expect(res?.status()).toBe(401);
    expect(await page.content()).toContain('failed');
  });
});
