import { describe, expect, it } from 'vitest';
import { highlightLines, languageOf, tokenize } from './highlight-code.js';
import { renderCodeView } from './render-code-view.js';

const tokens = (text: string, lang: Parameters<typeof tokenize>[1]) => tokenize(text, lang).filter((t) => t.cls).map((t) => `${t.cls}:${t.text}`);

describe('the server-side highlighter', () => {
  it('knows the languages of the usual Space files by name', () => {
    expect(languageOf('app.py')).toBe('python');
    expect(languageOf('src/index.ts')).toBe('javascript');
    expect(languageOf('web/main.js')).toBe('javascript');
    expect(languageOf('data.json')).toBe('json');
    expect(languageOf('.github/ci.yml')).toBe('yaml');
    expect(languageOf('pyproject.toml')).toBe('toml');
    expect(languageOf('README.md')).toBe('markdown');
    expect(languageOf('index.html')).toBe('html');
    expect(languageOf('style.css')).toBe('css');
    expect(languageOf('Dockerfile')).toBe('dockerfile');
    expect(languageOf('docker/Dockerfile.gpu')).toBe('dockerfile');
    expect(languageOf('run.sh')).toBe('shell');
    expect(languageOf('requirements.txt')).toBe('text');
    expect(languageOf('LICENSE')).toBe('text');
  });

  it('marks Python keywords, strings (docstrings across lines), comments and numbers, never a keyword inside a name', () => {
    expect(tokens('import gradio as gr\n# greet\ndef greet(name):\n    return "Hi " + name * 2\n', 'python')).toEqual([
      'k:import',
      'k:as',
      'c:# greet',
      'k:def',
      'k:return',
      's:"Hi "',
      'n:2',
    ]);
    expect(tokens('printer = interval\nformat_in = 1', 'python')).toEqual(['n:1']);
    const lines = highlightLines('x = """one\ntwo"""\n', 'python');
    expect(lines).toEqual(['x = <span class="tok-s">&quot;&quot;&quot;one</span>', '<span class="tok-s">two&quot;&quot;&quot;</span>']);
  });

  it('marks JavaScript, JSON keys, YAML and TOML keys, Markdown headings, HTML tags and attributes, CSS, Dockerfile and shell', () => {
    expect(tokens('const a = `t` // c\nlet b = 0x1f;', 'javascript')).toEqual(['k:const', 's:`t`', 'c:// c', 'k:let', 'n:0x1f']);
    expect(tokens('{"name": "x", "n": 1.5, "ok": true}', 'json')).toEqual(['t:"name"', 's:"x"', 't:"n"', 'n:1.5', 't:"ok"', 'k:true']);
    expect(tokens('title: Demo # note\nsdk: gradio\npinned: false\n', 'yaml')).toEqual(['t:title', 'c:# note', 't:sdk', 't:pinned', 'k:false']);
    expect(tokens('[project]\nname = "demo"\n', 'toml')).toEqual(['t:[project]', 't:name', 's:"demo"']);
    expect(tokens('# Title\nSome `code` here\n', 'markdown')).toEqual(['t:# Title', 's:`code`']);
    expect(tokens('<a href="/x">don\'t</a>', 'html')).toEqual(['t:<a', 'a:href', 's:"/x"', 't:>', 't:</a', 't:>']);
    expect(tokens('body { color: #fff; margin: 2px }', 'css')).toEqual(['a:color', 'n:#fff', 'a:margin', 'n:2px']);
    expect(tokens('FROM python:3.11\nRUN pip install -r requirements.txt\n', 'dockerfile')).toEqual(['k:FROM', 'k:RUN']);
    expect(tokens('echo "$HOME" # hi\n', 'shell')).toEqual(['k:echo', 's:"$HOME"', 'c:# hi']);
  });

  it('escapes every character of the file (hostile content stays text)', () => {
    const lines = highlightLines('<script>alert(1)</script>\n"\'&', 'html').join('\n');
    expect(lines).not.toMatch(/<script|<\/script/);
    expect(lines).toContain('&lt;');
    expect(highlightLines('<img src=x onerror=alert(1)>', 'text')).toEqual(['&lt;img src=x onerror=alert(1)&gt;']);
  });

  it('renders numbered lines with #L anchors, and large files without highlighting', () => {
    const view = renderCodeView('app.py', 'import os\nprint(1)\n').value;
    expect(view).toContain('<tr id="L1"><td class="ln"><a href="#L1" tabindex="-1">1</a></td>');
    expect(view).toContain('<tr id="L2">');
    expect(view).not.toContain('id="L3"');
    expect(view).toContain('<span class="tok-k">import</span>');
    const big = renderCodeView('app.py', 'import os\n', { maxHighlightBytes: 4 }).value;
    expect(big).not.toContain('tok-k');
    expect(big).toContain('data-plain');
    expect(big).toContain('<tr id="L1">');
  });

  it('reads a large file in linear time (no backtracking blow-up on unclosed strings or long text)', () => {
    const text = `${'"unclosed \'quote '.repeat(2000)}\n${'<p>text '.repeat(5000)}`;
    for (const lang of ['python', 'javascript', 'html', 'shell', 'yaml', 'markdown'] as const) {
      expect(highlightLines(text, lang).length).toBe(2);
    }
  });
});
