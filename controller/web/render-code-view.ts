import { highlightLines, languageOf } from './highlight-code.js';
import { html, raw, type SafeHtml } from './html.js';

/** Files larger than this are shown as plain text (still with line numbers): highlighting is per request. */
export const HIGHLIGHT_MAX_BYTES = 100_000;

/**
 * A text file as the Hub shows it: numbered lines, each with an anchor (`#L12`) and a link to it,
 * highlighted on the server for known languages up to {@link HIGHLIGHT_MAX_BYTES}. Pure.
 */
export function renderCodeView(path: string, text: string, opts: { maxHighlightBytes?: number } = {}): SafeHtml {
  const highlighted = Buffer.byteLength(text, 'utf8') <= (opts.maxHighlightBytes ?? HIGHLIGHT_MAX_BYTES);
  const language = highlighted ? languageOf(path) : 'text';
  const lines = highlightLines(text, language);
  const rows = lines.map((markup, i) => `<tr id="L${i + 1}"><td class="ln"><a href="#L${i + 1}" tabindex="-1">${i + 1}</a></td><td class="lc"><code>${markup}</code></td></tr>`).join('\n');
  return html`${highlighted ? null : html`<p class="hint" data-plain>This file is large: shown without highlighting.</p>`}
<div class="code-view" role="region" aria-label="${path}" tabindex="0" data-language="${language}"><table class="code" role="presentation"><tbody>
${raw(rows)}
</tbody></table></div>`;
}
