import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from './html.js';

describe('html template', () => {
  it('escapes every interpolated value', () => {
    const hostile = `<script>alert("x")</script>' onmouseover='x' \``;
    const out = html`<p title="${hostile}">${hostile}</p>`.value;
    expect(out).not.toContain('<script>');
    expect(out).not.toContain(`"x"`);
    expect(out).toContain('&lt;script&gt;');
    expect(out).toContain('&#39; onmouseover=&#39;x&#39; &#96;');
  });

  it('nests templates and arrays without double escaping, drops null and false', () => {
    const items = ['a&b', 'c'].map((s) => html`<li>${s}</li>`);
    expect(html`<ul>${items}${null}${false}${undefined}</ul>`.value).toBe('<ul><li>a&amp;b</li><li>c</li></ul>');
    expect(html`${raw('<b>ok</b>')}`.value).toBe('<b>ok</b>');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });
});
