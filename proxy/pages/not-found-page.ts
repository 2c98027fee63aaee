import { escapeHtml } from '../../core/index.js';
import { layout } from './layout.js';

/** 404: no Space answers at this host. */
export function notFoundPage(host: string): string {
  return layout({
    title: 'Space not found',
    tone: 'neutral',
    body: `<p>No Space is served at <code>${escapeHtml(host)}</code>. Check the address, or the Space may have been renamed or deleted.</p>`,
  });
}
