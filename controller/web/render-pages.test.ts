import { describe, expect, it } from 'vitest';
import type { SpaceId } from '../../core/index.js';
import type { SpaceRecord } from '../store/records.js';
import { renderSignIn } from './render-account-pages.js';
import { renderGallery } from './render-gallery.js';
import { renderSpacePage, type SpacePageView } from './render-space-page.js';
import { spaceCard } from './space-card.js';
import { renderMarkdown } from './render-markdown.js';
import { renderErrorPage, signInHref, type PageContext } from './layout.js';

const EVIL = `"><script>alert(1)</script><img src=x onerror=alert(2)>`;

function record(over: Partial<SpaceRecord> = {}): SpaceRecord {
  return {
    uid: 'u1',
    id: 'alice/demo' as SpaceId,
    owner: 'alice',
    name: 'demo',
    subdomain: 'alice-demo',
    sdk: 'gradio',
    visibility: 'public',
    visibilityGen: 0,
    lifecycle: 'active',
    paused: false,
    version: 0,
    hardware: 'cpu-basic',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    cardData: { title: EVIL, emoji: EVIL, short_description: EVIL, colorFrom: `red" onclick="x`, colorTo: 'green' },
    ...over,
  };
}

const ctx: PageContext = { viewer: { name: 'alice', admin: false }, csrf: 'tok"en', assetVersion: 'v1' };
const anon: PageContext = { assetVersion: 'v1' };

function noHostileMarkup(out: string): void {
  expect(out).not.toContain('<script>alert');
  expect(out).not.toContain('<img src=x');
  expect(out).not.toContain('onclick="x');
  expect(out).not.toMatch(/"><(script|img)/);
}

describe('page renderers', () => {
  it('escape hostile titles, emoji, descriptions and colours on gallery cards', () => {
    const card = spaceCard(record(), 'RUNNING');
    expect(card.colorFrom).toBe('blue'); // an unknown colour falls back to a known class
    const out = renderGallery(ctx, { heading: 'Spaces', path: '/spaces', cards: [card], total: 1, page: 1, pageSize: 24, filters: { q: EVIL } }).value;
    noHostileMarkup(out);
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).toContain('<meta name="csrf-token" content="tok&quot;en">');
    expect(out).toContain('data-stage="RUNNING"');
  });

  it('pages through results keeping the filters', () => {
    const out = renderGallery(anon, { heading: 'Spaces', path: '/spaces', cards: [], total: 100, page: 2, pageSize: 24, filters: { q: 'a b', sdk: 'gradio' } }).value;
    expect(out).toContain('href="/spaces?q=a+b&amp;sdk=gradio&amp;p=3"');
    expect(out).toContain('href="/spaces?q=a+b&amp;sdk=gradio"');
    expect(out).toContain('Page 2 of 5');
  });

  it('an empty gallery introduces Spaceport and offers "Create a Space" (signed in) or "Sign in" (visitors); an empty search still says no match', () => {
    const empty = { heading: 'Spaces', path: '/spaces', cards: [], total: 0, page: 1, pageSize: 24, filters: {} };
    const signedIn = renderGallery(ctx, empty).value;
    expect(signedIn).toContain('<h2 id="intro-heading">No Spaces here yet</h2>');
    expect(signedIn).toContain('<a class="button" href="/new-space">Create a Space</a>');
    expect(signedIn).not.toContain('No Spaces match.');
    const visitor = renderGallery(anon, empty).value;
    expect(visitor).toContain('<a class="button" href="/login?next=%2Fnew-space">Sign in</a> to create a Space.');
    expect(visitor).not.toContain('href="/new-space">Create a Space');
    const search = renderGallery(ctx, { ...empty, filters: { q: 'nothing' } }).value;
    expect(search).toContain('No Spaces match.');
    expect(search).not.toContain('intro-heading');
  });

  const view = (over: Partial<SpacePageView> = {}): SpacePageView => ({
    card: spaceCard(record(), 'RUNNING'),
    tab: 'app',
    appUrl: 'http://alice-demo.localhost:8080/',
    hubUrl: 'http://localhost:8080',
    canWrite: false,
    ...over,
  });

  it('show the README below the app as the Space card, with its tags, license, models and datasets, and the hardware by its Hub name', () => {
    const card = spaceCard(record({ cardData: { title: 'Demo', tags: ['audio', 42], license: 'mit', models: ['openai/whisper-tiny'], datasets: 'mozilla/common_voice' } }), 'RUNNING');
    const page = renderSpacePage(anon, view({ card, readme: renderMarkdown('---\nsdk: gradio\n---\n# Hello <b>there</b>\n'), hardwareName: 'CPU basic' })).value;
    const about = page.slice(page.indexOf('About this Space'));
    expect(about).toContain('<span class="badge idle">audio</span>');
    expect(about).not.toContain('>42<');
    expect(about).toContain('License: mit');
    expect(about).toContain('href="https://huggingface.co/openai/whisper-tiny"');
    expect(about).toContain('href="https://huggingface.co/datasets/mozilla/common_voice"');
    expect(about).toContain('<h1>Hello &lt;b&gt;there&lt;/b&gt;</h1>');
    expect(about).not.toContain('sdk: gradio');
    expect(page).toContain('title="cpu-basic">CPU basic</span>');
    // No README and no metadata: no card section.
    expect(renderSpacePage(anon, view()).value).not.toContain('About this Space');
  });

  it('show the Settings and Logs tabs to writers only', () => {
    const visitor = renderSpacePage(anon, view()).value;
    expect(visitor).not.toContain('/settings"');
    expect(visitor).not.toContain('/logs"');
    const owner = renderSpacePage(ctx, view({ canWrite: true })).value;
    expect(owner).toContain('href="/spaces/alice/demo/settings"');
    noHostileMarkup(visitor);
    expect(visitor).toContain('/tree/main"');
    expect(renderSpacePage(anon, view({ filesVisible: false })).value).not.toContain('/tree/main"');
  });

  it('frame the app with the permissions Gradio needs, and offer the embed snippet', () => {
    const out = renderSpacePage(anon, view()).value;
    expect(out).toContain('allow="clipboard-read; clipboard-write; microphone; camera; fullscreen"');
    expect(out).toContain('src="http://alice-demo.localhost:8080/"');
    expect(out).toContain('&lt;iframe src=&quot;http://alice-demo.localhost:8080/&quot;');
  });

  it('put the error and the failing lines first when a build failed', () => {
    const out = renderSpacePage(ctx, view({ card: spaceCard(record(), 'BUILD_ERROR'), canWrite: true, errorMessage: `step 3 failed ${EVIL}`, failingLines: ['ERROR: no module named foo', EVIL] })).value;
    noHostileMarkup(out);
    const panel = out.indexOf('data-state-panel');
    expect(panel).toBeGreaterThan(0);
    expect(out.indexOf('Failing lines')).toBeGreaterThan(panel);
    expect(out.indexOf('Failing lines')).toBeLessThan(out.indexOf('Full error message'));
    expect(out.indexOf('Failing lines')).toBeLessThan(out.indexOf('data-app-frame'));
    expect(out).toMatch(/data-app-frame hidden/);
  });

  it('render the settings without secret values', () => {
    const out = renderSpacePage(ctx, view({
      tab: 'settings',
      canWrite: true,
      settings: { flavors: [{ name: 'cpu-basic', prettyName: 'CPU basic', cpu: '2 vCPU', ram: '16 GB' }], sleepSeconds: 3600, variables: [{ key: 'MODE', value: EVIL }], secrets: [{ key: 'TOKEN', updatedAt: 'x' }] },
    })).value;
    noHostileMarkup(out);
    expect(out).toContain('<option value="3600" selected>1 hour</option>');
    expect(out).toContain('<code>TOKEN</code>');
    expect(out).toContain('data-confirm="alice/demo"');
  });

  it('an empty repository\'s Files tab asks for no history (no "Invalid rev id: main"); logs show a sentence, not empty boxes', () => {
    const files = renderSpacePage(ctx, view({ tab: 'files', canWrite: true, files: { list: [], hasCommits: false } })).value;
    expect(files).not.toContain('data-commits-of');
    expect(files).toContain('No files yet.');
    expect(renderSpacePage(ctx, view({ tab: 'files', files: { list: ['README.md'] } })).value).toContain('data-commits-of="alice/demo"');
    const logs = renderSpacePage(ctx, view({ tab: 'logs', canWrite: true })).value;
    expect(logs).toContain('No build log yet.');
    expect(logs).toMatch(/<pre class="log" data-log="build"[^>]* hidden>/);
    expect(logs).toMatch(/<pre class="log" data-log="run"[^>]* hidden>/);
  });

  it('a 404 page invites visitors (not signed-in people) to sign in and come back', () => {
    const visitor = renderErrorPage({ ...anon, path: '/spaces/alice/secret' }, { status: 404, message: 'x' }).value;
    expect(visitor).toContain('href="/login?next=%2Fspaces%2Falice%2Fsecret">sign in</a>');
    expect(renderErrorPage(ctx, { status: 404, message: 'x' }).value).not.toContain('sign in</a>');
    // Only a local path goes into next.
    expect(signInHref('//evil.example.com/x')).toBe('/login');
    expect(signInHref('https://evil.example.com/')).toBe('/login');
  });

  it('settings of a static Space offer no Pause (the API refuses it)', () => {
    const settings = { flavors: [], sleepSeconds: 3600, variables: [], secrets: [] };
    const gradio = renderSpacePage(ctx, view({ tab: 'settings', canWrite: true, settings })).value;
    expect(gradio).toContain('/pause"');
    const staticSpace = renderSpacePage(ctx, view({ tab: 'settings', canWrite: true, settings, card: spaceCard(record({ sdk: 'static' }), 'RUNNING') })).value;
    expect(staticSpace).not.toContain('/pause"');
  });

  it('sign-in page escapes what it echoes', () => {
    const out = renderSignIn(anon, { formToken: 't', next: '/x', userName: EVIL, error: EVIL, oidcName: EVIL }).value;
    noHostileMarkup(out);
  });
});
