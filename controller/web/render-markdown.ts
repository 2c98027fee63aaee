import { Marked, type Tokens } from 'marked';
import { escapeHtml, raw, type SafeHtml } from './html.js';

/** Links and images only to http(s), mailto, in-page anchors and relative paths: never `javascript:` or `data:`. */
function safeUrl(href: string): string | undefined {
  const trimmed = href.trim();
  if (/^(https?:|mailto:)/i.test(trimmed)) return trimmed;
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed) || trimmed.startsWith('//')) return undefined;
  return trimmed;
}

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    // Raw HTML in a README is shown as text, never as markup (no sanitizer to trust).
    html(token: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(token.text);
    },
    link(token: Tokens.Link): string {
      const href = safeUrl(token.href);
      const text = this.parser.parseInline(token.tokens);
      if (!href) return text;
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : '';
      return `<a href="${escapeHtml(href)}"${title} rel="noopener noreferrer nofollow">${text}</a>`;
    },
    image(token: Tokens.Image): string {
      const href = safeUrl(token.href);
      if (!href) return escapeHtml(token.text);
      return `<img src="${escapeHtml(href)}" alt="${escapeHtml(token.text)}" loading="lazy">`;
    },
  },
});

/** The README without its YAML front matter (the Space's config block). */
export function stripFrontMatter(text: string): string {
  const m = /^---\r?\n[\s\S]*?\r?\n---[ \t]*(\r?\n|$)/.exec(text);
  return m ? text.slice(m[0].length) : text;
}

/** A README as HTML: GitHub-flavoured Markdown, raw HTML escaped, unsafe URLs dropped. */
export function renderMarkdown(text: string): SafeHtml {
  return raw(marked.parse(stripFrontMatter(text)) as string);
}
