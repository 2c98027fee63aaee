import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../core/index.js';
import { appErrorPage, failedPage, notFoundPage, pausedPage, pendingPage, wakingPage } from './index.js';

describe('pages', () => {
  it('escape what they interpolate', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const html = failedPage({ space: 'o/<b>', stage: 'BUILD_ERROR', message: '<script>alert(1)</script>' });
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(notFoundPage('<x>.localhost')).toContain('&lt;x&gt;.localhost');
  });

  it('are self-contained documents without external assets', () => {
    for (const html of [
      notFoundPage('a.localhost'),
      pendingPage({ space: 'o/n', stage: 'BUILDING', refreshSeconds: 5 }),
      failedPage({ space: 'o/n', stage: 'BUILD_ERROR', message: 'pip failed' }),
      pausedPage('o/n'),
      wakingPage({ space: 'o/n', statusPath: '/.spaceport/status', pollMs: 1000, stage: 'STOPPED' }),
      appErrorPage('o/n'),
    ]) {
      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
      expect(html.length).toBeLessThan(6000);
    }
  });

  it('name the stage and message', () => {
    const pending = pendingPage({ space: 'o/n', stage: 'APP_STARTING', message: 'pulling', refreshSeconds: 7 });
    expect(pending).toContain('APP_STARTING');
    expect(pending).toContain('pulling');
    expect(pending).toContain('<meta http-equiv="refresh" content="7">');
    const failed = failedPage({ space: 'o/n', stage: 'BUILD_ERROR', message: 'No module named foo' });
    expect(failed).toContain('BUILD_ERROR');
    expect(failed).toContain('No module named foo');
    expect(pausedPage('o/n')).toContain('This Space has been paused by its owner');
  });

  it('the waking page polls the status path and reloads', () => {
    const html = wakingPage({ space: 'o/n', statusPath: '/.spaceport/status', pollMs: 1000, stage: 'STOPPED' });
    expect(html).toContain('fetch(p');
    expect(html).toContain('"/.spaceport/status"');
    expect(html).toContain('location.reload()');
  });

  it('the waking page shows the stage and follows it live', () => {
    const html = wakingPage({ space: 'o/n', statusPath: '/.spaceport/status', pollMs: 1000, stage: '<STOPPED>' });
    expect(html).toContain('<code id="stage">&lt;STOPPED&gt;</code>');
    expect(html).toContain('getElementById("stage")');
  });
});
