import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../core/index.js';
import { bundlePath, PAGE_SCRIPTS, scriptsFor, scriptsOfBundle } from './page-scripts.js';

describe('page scripts', () => {
  it('bundles app.js alone on a page with no feature, and each feature where its marker is', () => {
    expect(scriptsFor('<main><h1>Sign in</h1></main>')).toEqual(['app']);
    expect(scriptsFor('<ul class="grid" data-live-stages><li>…</li></ul>')).toEqual(['app', 'stages']);
    expect(scriptsFor('<div data-space="a/b" data-head-stage="RUNNING" data-live-stages><div data-logs-of="a/b">')).toEqual(['app', 'stages', 'app-tab', 'logs']);
    expect(scriptsFor('<section data-files-of="a/b"><ol data-commits-of="a/b">')).toEqual(['app', 'commit', 'history', 'files']);
    expect(scriptsFor('<form data-api="POST /api/repos/create" data-then="new-space">')).toEqual(['app', 'commit', 'new-space']);
    expect(scriptsFor('<div data-token-list><p>')).toEqual(['app', 'tokens']);
  });

  it('never loads a script for a marker written by a user (a README, a file shown as text: escaped)', () => {
    const hostile = '<div data-token-list><section data-files-of="x/y"><ul data-live-stages></ul></section></div> data-then="new-space"';
    expect(scriptsFor(`<article>${escapeHtml(hostile)}</article>`)).toEqual(['app']);
  });

  it('serves only bundles of known scripts, app first, in bundle order, each once', () => {
    expect(bundlePath(['app', 'stages', 'app-tab'])).toBe('js/app+stages+app-tab.js');
    expect(scriptsOfBundle('js/app+stages+app-tab.js')).toEqual(['app', 'stages', 'app-tab']);
    expect(scriptsOfBundle(bundlePath([...PAGE_SCRIPTS]))).toEqual([...PAGE_SCRIPTS]);
    for (const bad of ['js/stages.js', 'js/app+app.js', 'js/app+app-tab+stages.js', 'js/app+nope.js', 'js/app+stages', 'app.js', 'js/../app.js', 'js/app+.js', 'js/.js']) {
      expect(scriptsOfBundle(bad), bad).toBeUndefined();
    }
  });
});
