import { escapeHtml } from '../../core/index.js';
import { layout } from './layout.js';

export interface FailedPageInput {
  space: string;
  /** e.g. `BUILD_ERROR`, `CONFIG_ERROR`, `RUNTIME_ERROR`. */
  stage: string;
  message: string;
}

/** 503 when nothing serves and the last attempt failed: names the stage and the message. */
export function failedPage(input: FailedPageInput): string {
  return layout({
    title: 'This Space has an error',
    space: input.space,
    tone: 'bad',
    body: `<p>Stage: <code>${escapeHtml(input.stage)}</code></p><pre>${escapeHtml(input.message)}</pre>
<p class="muted">The owner can fix this by pushing a new commit or restarting the Space.</p>`,
  });
}
