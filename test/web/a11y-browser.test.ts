import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotTo } from '../support/chromium.js';
import type { Harness } from '../support/spaceport-harness.js';
import { startUiHarness } from '../support/ui-harness.js';

const SHOTS = path.resolve('test-artifacts/web-a11y');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** WCAG 2.2 AA, as issue 17 asks. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

interface Look {
  name: string;
  dark: boolean;
  phone: boolean;
}
const LOOKS: Look[] = [
  { name: 'desktop-light', dark: false, phone: false },
  { name: 'desktop-dark', dark: true, phone: false },
  { name: 'phone-light', dark: false, phone: true },
  { name: 'phone-dark', dark: true, phone: true },
];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Issue 17, "Done means": axe-core (WCAG 2.2 AA) on every page the web UI serves, and the proxy's
 * own waking page, in light and dark mode (prefers-color-scheme), on desktop and phone sizes. Every
 * violation is listed (page, look, rule, elements) in the failure message.
 */
describe('accessibility (axe-core, WCAG 2.2 AA) of every page, in Chromium', { timeout: 600_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let aliceToken: string;
  const base = () => `http://127.0.0.1:${h.port}`;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    rmSync(path.join(SHOTS, 'timings.txt'), { force: true });
    ({ h, browser, aliceToken } = await startUiHarness({ staticSpacesAsImages: true }));
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  /** A context for `look`, signed in as alice unless `anonymous`; CSP bypassed only so axe can be injected. */
  async function contextFor(look: Look, anonymous: boolean): Promise<BrowserContext> {
    const ctx = await browser.newContext({
      viewport: look.phone ? { width: 390, height: 844 } : { width: 1280, height: 900 },
      colorScheme: look.dark ? 'dark' : 'light',
      bypassCSP: true,
    });
    if (anonymous) return ctx;
    const page = await ctx.newPage();
    await page.goto(`${base()}/login`);
    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Password').fill('alice-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base()}/spaces`);
    await page.close();
    return ctx;
  }

  async function axeOf(page: Page): Promise<AxeViolation[]> {
    await page.addScriptTag({ content: AXE });
    return page.evaluate(async (tags) => {
      const axe = (window as unknown as { axe: { run(ctx: Document, o: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
      const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
    }, TAGS);
  }

  interface Visit {
    name: string;
    url: string;
    anonymous?: boolean;
    /** What shows the page is ready (rendered, its scripts ran). */
    ready?: string;
    /** The HTTP status the page must come with (200 unless said). */
    status?: number;
    prepare?: (page: Page) => Promise<void>;
  }

  /** Visit each page in each look; returns every violation as one line per element. */
  async function audit(visits: Visit[], looks: Look[] = LOOKS): Promise<string[]> {
    const found: string[] = [];
    for (const look of looks) {
      const contexts = new Map<boolean, BrowserContext>();
      try {
        for (const v of visits) {
          const anonymous = v.anonymous ?? false;
          if (!contexts.has(anonymous)) contexts.set(anonymous, await contextFor(look, anonymous));
          const page = await contexts.get(anonymous)!.newPage();
          page.setDefaultTimeout(30_000);
          const t0 = Date.now();
          try {
            await v.prepare?.(page);
            const res = await page.goto(v.url, { waitUntil: 'load' });
            expect(res?.status(), v.name).toBe(v.status ?? 200);
            if (v.ready) await page.locator(v.ready).first().waitFor({ state: 'attached' });
            for (const violation of await axeOf(page)) {
              for (const n of violation.nodes) found.push(`${v.name} [${look.name}] ${violation.id} (${violation.impact}): ${violation.help} — ${JSON.stringify(n.target)} ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`);
            }
            await screenshotTo(page, SHOTS, `${v.name}-${look.name}`);
          } finally {
            appendFileSync(path.join(SHOTS, 'timings.txt'), `${v.name} ${look.name} ${Date.now() - t0} ms\n`);
            await page.close();
          }
        }
      } finally {
        for (const c of contexts.values()) await c.close();
      }
    }
    return found;
  }

  it('the empty gallery (for a visitor and for a signed-in user) has no violation', async () => {
    const found = await audit([
      { name: 'gallery-empty-visitor', url: `${base()}/spaces`, anonymous: true },
      { name: 'gallery-empty', url: `${base()}/spaces` },
    ]);
    expect(found, found.join('\n')).toEqual([]);
  });

  let made: Promise<void> | undefined;
  /** The Spaces the pages show (made once, after the empty gallery's test). */
  const spaces = () =>
    (made ??= (async () => {
      for (const [name, sdk, priv] of [
        ['site', 'static', false],
        ['secret', 'static', true],
        ['napper', 'static', false],
        ['talk', 'gradio', false],
      ] as const) {
        expect((await h.api('POST', '/api/repos/create', { name, type: 'space', sdk, private: priv }, aliceToken)).status).toBe(200);
      }
      // Code in the languages the file view colours (each token colour's contrast, light and dark), as a second commit: the commit page has a diff.
      const file = (p: string, text: string) => ({ key: 'file', value: { path: p, content: Buffer.from(text).toString('base64'), encoding: 'base64' } });
      const commit = [
        { key: 'header', value: { summary: 'Add code in several languages' } },
        file('app.py', 'import os\n\n@decorator\ndef greet(name: str) -> str:\n    """Say hello."""\n    return f"Hello {name}" * 2  # twice\n'),
        file('config.yaml', 'title: Site # note\npinned: true\ncount: 3\nname: "quoted"\n'),
        file('style.css', '/* c */\n@media print { body { color: #111; margin: 2px !important } }\n'),
        file('Dockerfile', 'FROM python:3.11\n# comment\nRUN echo "$HOME"\n'),
        file('lib/tool.py', 'def tool():\n    return 1\n'),
      ].map((l) => JSON.stringify(l)).join('\n');
      expect((await h.api('POST', '/api/spaces/alice/site/commit/main', `${commit}\n`, aliceToken)).status).toBe(200);
      await h.waitStage('alice/site', ['RUNNING']);
      await h.waitStage('alice/napper', ['RUNNING']);
      expect((await h.api('POST', '/api/spaces/alice/napper/sleeptime', { seconds: 1 }, aliceToken)).status).toBe(200);
      await h.waitStage('alice/napper', ['SLEEPING'], 60_000);
    })());

  for (const look of LOOKS) {
    it(`every page (gallery, sign-in, new Space, a Space's tabs, a file, commits, a commit, a file's history, tokens, error pages, the waking page) has no violation, ${look.name}`, async () => {
      await spaces();
      const head = ((await h.api('GET', '/api/spaces/alice/site/commits/main', undefined, aliceToken)).json() as { id: string }[])[0]!.id;
      const found = await audit([
        { name: 'gallery', url: `${base()}/spaces`, ready: '.card' },
        { name: 'gallery-visitor', url: `${base()}/spaces?sort=likes`, anonymous: true, ready: '.card' },
        { name: 'user-page', url: `${base()}/alice`, ready: '.card' },
        { name: 'sign-in', url: `${base()}/login`, anonymous: true },
        { name: 'new-space', url: `${base()}/new-space` },
        { name: 'tokens', url: `${base()}/settings/tokens` },
        { name: 'space-app', url: `${base()}/spaces/alice/site`, ready: '[data-stage="RUNNING"]' },
        { name: 'space-app-visitor', url: `${base()}/spaces/alice/site`, anonymous: true, ready: '[data-stage="RUNNING"]' },
        { name: 'space-no-app', url: `${base()}/spaces/alice/talk` },
        { name: 'space-files', url: `${base()}/spaces/alice/site/tree/main` },
        { name: 'space-files-visitor', url: `${base()}/spaces/alice/site/tree/main`, anonymous: true },
        { name: 'space-folder', url: `${base()}/spaces/alice/site/tree/main/lib`, anonymous: true },
        { name: 'space-file-edit', url: `${base()}/spaces/alice/site/blob/main/index.html` },
        { name: 'space-file-readme', url: `${base()}/spaces/alice/site/blob/main/README.md`, anonymous: true },
        { name: 'space-file-python', url: `${base()}/spaces/alice/site/blob/main/app.py#L4`, anonymous: true, ready: '.tok-k' },
        { name: 'space-file-yaml', url: `${base()}/spaces/alice/site/blob/main/config.yaml` },
        { name: 'space-file-css', url: `${base()}/spaces/alice/site/blob/main/style.css`, anonymous: true },
        { name: 'space-file-dockerfile', url: `${base()}/spaces/alice/site/blob/main/Dockerfile` },
        { name: 'space-commits', url: `${base()}/spaces/alice/site/commits/main`, ready: '.commit-list' },
        { name: 'space-commit', url: `${base()}/spaces/alice/site/commit/${head}`, ready: '.diff-file' },
        { name: 'space-commit-visitor', url: `${base()}/spaces/alice/site/commit/${head}`, anonymous: true, ready: '.diff-file' },
        { name: 'space-file-history', url: `${base()}/spaces/alice/site/commits/main/app.py`, anonymous: true, ready: '.commit-list' },
        { name: 'space-logs', url: `${base()}/spaces/alice/site/logs` },
        { name: 'space-settings', url: `${base()}/spaces/alice/site/settings` },
        { name: 'not-found', url: `${base()}/some/deep/path`, status: 404 },
        { name: 'space-not-found', url: `${base()}/spaces/alice/nothing-here`, status: 404 },
        { name: 'private-not-found', url: `${base()}/spaces/alice/secret`, anonymous: true, status: 404 },
        {
          name: 'proxy-waking',
          url: `http://alice-napper.localhost:${h.port}/`,
          anonymous: true,
          // The page polls its status and reloads once the app is up: held, it stays the waking page.
          status: 503,
          prepare: async (page) => {
            await h.waitStage('alice/napper', ['SLEEPING'], 60_000); // asleep again (1 s) after the previous look woke it
            await page.route('**/.spaceport/status*', (r) => r.abort());
          },
        },
        { name: 'proxy-not-found', url: `http://alice-nothing.localhost:${h.port}/`, anonymous: true, status: 404 },
      ], [look]);
      expect(found, found.join('\n')).toEqual([]);
    });
  }
});
