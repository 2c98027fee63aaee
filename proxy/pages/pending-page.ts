import { escapeHtml } from '../../core/index.js';
import { layout } from './layout.js';

export interface PendingPageInput {
  space: string;
  stage: string;
  message?: string;
  /** Seconds between automatic reloads. */
  refreshSeconds: number;
}

/** 503 while nothing serves yet (building, starting): names the stage and reloads itself. */
export function pendingPage(input: PendingPageInput): string {
  const message = input.message ? `<pre>${escapeHtml(input.message)}</pre>` : '';
  return layout({
    title: 'This Space is starting',
    space: input.space,
    tone: 'busy',
    head: `<meta http-equiv="refresh" content="${input.refreshSeconds}">`,
    body: `<p>Stage: <code>${escapeHtml(input.stage)}</code></p>${message}
<p class="muted">This page reloads every ${input.refreshSeconds} seconds.</p>`,
  });
}
