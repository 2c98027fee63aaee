import { describe, expect, it } from 'vitest';
import { renderMarkdown, stripFrontMatter } from './render-markdown.js';

describe('README rendering', () => {
  it('drops the front matter and renders Markdown', () => {
    const out = renderMarkdown('---\ntitle: Demo\nsdk: gradio\n---\n# Hello\n\n**bold** and `code`\n').value;
    expect(out).not.toContain('sdk: gradio');
    expect(out).toContain('<h1');
    expect(out).toContain('<strong>bold</strong>');
    expect(stripFrontMatter('no front matter')).toBe('no front matter');
  });

  it('shows raw HTML as text and drops javascript: links', () => {
    const out = renderMarkdown('<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) ![i](data:text/html,hi) [ok](https://example.com)').value;
    expect(out).not.toMatch(/<script|<img src=x|href="javascript|src="data:/i);
    expect(out).toContain('&lt;script&gt;');
    expect(out).toContain('href="https://example.com"');
  });
});
