import { statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/**
 * Headless Chromium for real-service suites: the system binary (no downloads), `*.localhost`
 * mapped to loopback so a Space is opened at its own subdomain through the proxy.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP *.localhost 127.0.0.1',
    ],
  });
}

const VIEWPORT = { width: 1280, height: 900 };

/** `http://{subdomain}.localhost:{port}{path}`: a Space's URL as a browser sees it. */
export function spaceUrl(subdomain: string, port: number, p = '/'): string {
  return `http://${subdomain}.localhost:${port}${p}`;
}

/** What the page did besides rendering: failed requests and websocket URLs, for assertions and failure messages. */
export interface PageTraffic {
  websockets: string[];
  failed: string[];
  errors: string[];
}

/** A new page that records its websockets, failed requests and uncaught errors. */
export async function openPage(browser: Browser, url: string, timeoutMs = 60_000): Promise<{ page: Page; traffic: PageTraffic }> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  const traffic: PageTraffic = { websockets: [], failed: [], errors: [] };
  page.on('websocket', (ws) => traffic.websockets.push(ws.url()));
  page.on('requestfailed', (r) => traffic.failed.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText ?? '?'}`));
  page.on('pageerror', (e) => traffic.errors.push(String(e)));
  page.setDefaultTimeout(timeoutMs);
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  return { page, traffic };
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Screenshot the page (full length) to `{dir}/{name}.png`; returns the path and size (checked to be a PNG). */
export async function screenshotTo(page: Page, dir: string, name: string): Promise<{ file: string; bytes: number }> {
  const file = path.join(dir, `${name}.png`);
  const png = await page.screenshot({ path: file, fullPage: true });
  if (!png.subarray(0, 8).equals(PNG_MAGIC)) throw new Error(`${file} is not a PNG`);
  return { file, bytes: statSync(file).size };
}

/** Size of a screenshot of an empty page of the same viewport: a rendered app's must be larger. */
export async function blankScreenshotBytes(browser: Browser): Promise<number> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  try {
    await page.setContent('<html><body></body></html>');
    return (await page.screenshot({ fullPage: true })).length;
  } finally {
    await page.close();
  }
}

/**
 * Wait until `locator` is visible. Chromium aborts in-flight requests with ERR_NETWORK_CHANGED when
 * the host's interfaces change, which Docker does whenever a container joins or leaves its bridge:
 * a page load hit by that (test machine only; a user's browser is elsewhere) is reloaded, at most
 * `attempts` times. Any other failure is not retried.
 */
export async function waitRendered(page: Page, traffic: PageTraffic, locator: Locator, opts: { timeoutMs: number; attempts?: number }): Promise<void> {
  const attempts = opts.attempts ?? 3;
  // Failures of this load count from the page's first request (the opening load included).
  let since = 0;
  for (let i = 1; ; i++) {
    try {
      await locator.waitFor({ state: 'visible', timeout: opts.timeoutMs / attempts });
      return;
    } catch (err) {
      const networkChanged = traffic.failed.slice(since).some((f) => f.includes('ERR_NETWORK_CHANGED'));
      if (!networkChanged || i >= attempts) throw err;
      since = traffic.failed.length;
      await page.reload({ waitUntil: 'domcontentloaded' });
    }
  }
}
