/**
 * A full Gradio page as a visitor's browser loads it: headless Chromium (the suites' binary and
 * flags, test/support/chromium.ts), a fresh browser context per load (empty cache, new connections),
 * times read from the page's own clock (navigation start = 0): the first byte of the document, the
 * `load` event, and the moment the app's marker text is on screen (a MutationObserver installed
 * before the page's scripts run notes the first DOM change after which a visible element shows it).
 */
import type { Browser } from 'playwright-core';

export interface PageLoad {
  firstByteMs: number;
  loadMs: number;
  renderedMs: number;
  /** Requests the page made by its `load` event and its app on screen (its own origin's, and others'). */
  requests: { own: number; other: number };
  /** Requests that failed (a page that lost some of its assets is not the page we mean to time). */
  failed: string[];
}

/**
 * Runs in the page before its scripts: note when a visible element first shows `marker`. A string,
 * not a function: tsx's transform may wrap named functions in a helper the page does not have.
 */
function markerWatcher(marker: string): string {
  return `(() => {
  const marker = ${JSON.stringify(marker)};
  function shown() {
    const root = document.body || document.documentElement;
    if (!root) return false;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.nodeValue || !n.nodeValue.includes(marker)) continue;
      const el = n.parentElement;
      if (!el || el.closest('script, style, template, noscript')) continue;
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden') return true;
    }
    return false;
  }
  const observer = new MutationObserver(() => {
    if (window.__spaceportRendered === undefined && shown()) {
      window.__spaceportRendered = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
})();`;
}

/** Load `url` in a new context of `browser`, wait for the marker on screen, read the page's times. */
export async function loadPage(browser: Browser, url: string, marker: string, timeoutMs = 60_000): Promise<PageLoad> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    await context.addInitScript({ content: markerWatcher(marker) });
    const page = await context.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText ?? '?'}`));
    const origin = new URL(url).origin;
    const requests = { own: 0, other: 0 };
    page.on('request', (r) => (new URL(r.url()).origin === origin ? requests.own++ : requests.other++));
    await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
    await page.getByText(marker).first().waitFor({ state: 'visible', timeout: timeoutMs });
    // A string: this module is compiled without the DOM's types.
    const t = (await page.evaluate(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return { firstByteMs: nav.responseStart, loadMs: nav.loadEventStart, renderedMs: window.__spaceportRendered };
    })()`)) as { firstByteMs: number; loadMs: number; renderedMs?: number };
    if (t.renderedMs === undefined) throw new Error(`${url}: the marker is visible but the page's observer never saw it (shadow DOM?)`);
    return { firstByteMs: t.firstByteMs, loadMs: t.loadMs, renderedMs: t.renderedMs, requests: { ...requests }, failed };
  } finally {
    await context.close();
  }
}
