import { escapeHtml } from './html.js';

/**
 * A small server-side syntax highlighter for the file view (no client bundle): per language, a list
 * of sticky regular expressions tried in order at each position; what none matches is plain text,
 * consumed a whole word at a time (so a keyword never matches inside a name). Token classes are
 * `tok-k` keyword, `tok-s` string, `tok-c` comment, `tok-n` number or literal, `tok-t` tag, key or
 * heading, `tok-a` attribute, property or variable (colours in app.css, AA in light and dark).
 */
export type Language = 'python' | 'javascript' | 'json' | 'yaml' | 'toml' | 'markdown' | 'html' | 'css' | 'dockerfile' | 'shell' | 'text';

type TokenClass = 'k' | 's' | 'c' | 'n' | 't' | 'a';
type Rule = readonly [TokenClass, RegExp];

const words = (list: string, flags = 'y') => new RegExp(`(?:${list.trim().split(/\s+/).join('|')})(?![\\w$])`, flags);

const NUMBER: Rule = ['n', /(?:0[xX][\da-fA-F_]+|\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?)[jJnL]?(?![\w$])/y];
const DQ_LINE = /"(?:[^"\\\n]|\\[\s\S])*"/y;
const SQ_LINE = /'(?:[^'\\\n]|\\[\s\S])*'/y;
const HASH_COMMENT: Rule = ['c', /(?<=^|[ \t])#[^\n]*/my];

const RULES: Record<Exclude<Language, 'text'>, readonly Rule[]> = {
  python: [
    ['c', /#[^\n]*/y],
    ['s', /[rRbBuUfF]{0,2}(?:"""[\s\S]*?(?:"""|(?![\s\S]))|'''[\s\S]*?(?:'''|(?![\s\S]))|"(?:[^"\\\n]|\\[\s\S])*"|'(?:[^'\\\n]|\\[\s\S])*')/y],
    ['k', words('False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case self')],
    ['a', /@[\w.]+/y],
    NUMBER,
  ],
  javascript: [
    ['c', /\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|(?![\s\S]))/y],
    ['s', /"(?:[^"\\\n]|\\[\s\S])*"|'(?:[^'\\\n]|\\[\s\S])*'|`(?:[^`\\]|\\[\s\S])*`/y],
    [
      'k',
      words(
        'const let var function return if else for while do switch case break continue new delete typeof instanceof in of class extends super this import export from default async await yield try catch finally throw null undefined true false void interface type enum implements private public protected readonly as static declare namespace keyof',
      ),
    ],
    NUMBER,
  ],
  json: [
    ['t', /"(?:[^"\\\n]|\\.)*"(?=\s*:)/y],
    ['s', DQ_LINE],
    ['n', /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y],
    ['k', words('true false null')],
  ],
  yaml: [
    HASH_COMMENT,
    ['k', /^(?:---|\.\.\.)(?=[ \t]*$)/my],
    ['t', /(?<=^[ \t]*(?:-[ \t]+)?)[^\s#:'"\-][^\n:#]*?(?=:(?:[ \t]|$))/my],
    ['s', /(?<=^|[\s:[{,])(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*')/my],
    ['k', words('true false null yes no True False Null')],
    NUMBER,
  ],
  toml: [
    HASH_COMMENT,
    ['t', /(?<=^[ \t]*)\[\[?[^\]\n]*\]\]?/my],
    ['t', /(?<=^[ \t]*)[\w.\-"']+(?=[ \t]*=)/my],
    ['s', /"""[\s\S]*?(?:"""|(?![\s\S]))|'''[\s\S]*?(?:'''|(?![\s\S]))/y],
    ['s', DQ_LINE],
    ['s', /'[^'\n]*'/y],
    ['k', words('true false')],
    NUMBER,
  ],
  markdown: [
    ['k', /^(?:---|\.\.\.)(?=[ \t]*$)/my],
    ['t', /^#{1,6}[ \t][^\n]*/my],
    ['s', /^(`{3,}|~{3,})[^\n]*(?:[\s\S]*?\n\1[ \t]*(?=\n|(?![\s\S]))|[\s\S]*)/my],
    ['s', /`[^`\n]+`/y],
    ['c', /<!--[\s\S]*?(?:-->|(?![\s\S]))/y],
    ['a', /\[[^\]\n]*\]\([^)\n]*\)/y],
    ['k', /^[ \t]*(?:[-*+>]|\d+\.)(?=[ \t])/my],
  ],
  html: [
    ['c', /<!--[\s\S]*?(?:-->|(?![\s\S]))/y],
    ['k', /<![^>\n]*>/y],
    ['t', /<\/?[A-Za-z][\w:-]*|\/?>/y],
    ['a', /(?<=<[^<>]{0,500}\s)[A-Za-z_:@][\w:.-]*(?=\s*=)/y],
    ['s', /(?<==\s*)(?:"[^"]*"|'[^']*')/y],
  ],
  css: [
    ['c', /\/\*[\s\S]*?(?:\*\/|(?![\s\S]))/y],
    ['s', DQ_LINE],
    ['s', SQ_LINE],
    ['k', /@[\w-]+|!important/y],
    ['n', /#[\da-fA-F]{3,8}(?![\w-])/y],
    ['a', /-*[A-Za-z][\w-]*(?=\s*:[^:])/y],
    ['n', /-?(?:\d*\.)?\d+(?:%|[A-Za-z]+)?/y],
  ],
  dockerfile: [
    ['c', /^[ \t]*#[^\n]*/my],
    ['k', words('FROM RUN CMD LABEL EXPOSE ENV ADD COPY ENTRYPOINT VOLUME USER WORKDIR ARG ONBUILD STOPSIGNAL HEALTHCHECK SHELL MAINTAINER AS', 'iy')],
    ['s', DQ_LINE],
    ['s', SQ_LINE],
    ['a', /\$(?:\{[^}\n]*\}|\w+)/y],
  ],
  shell: [
    HASH_COMMENT,
    ['s', /"(?:[^"\\]|\\[\s\S])*"|'[^']*'/y],
    ['a', /\$(?:\{[^}\n]*\}|[\w@#?$!*-])/y],
    ['k', words('if then else elif fi for while until do done case esac function in return export local set echo exit source')],
    NUMBER,
  ],
};

/** The language of a file from its name (the Hub's common Space files); `text` when unknown. */
export function languageOf(path: string): Language {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (/^Dockerfile(?:\..+)?$|\.dockerfile$/i.test(name)) return 'dockerfile';
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
  const byExt: Record<string, Language> = {
    py: 'python',
    pyi: 'python',
    js: 'javascript',
    mjs: 'javascript',
    cjs: 'javascript',
    jsx: 'javascript',
    ts: 'javascript',
    tsx: 'javascript',
    json: 'json',
    yaml: 'yaml',
    yml: 'yaml',
    toml: 'toml',
    md: 'markdown',
    html: 'html',
    htm: 'html',
    svg: 'html',
    xml: 'html',
    css: 'css',
    sh: 'shell',
    bash: 'shell',
  };
  return byExt[ext] ?? 'text';
}

interface Token {
  cls?: TokenClass;
  text: string;
}

const WORD = /[\w$]+|[ \t]+/y;

/** The text as tokens: each rule tried at each position, else plain text up to the end of a word. */
export function tokenize(text: string, language: Language): Token[] {
  if (language === 'text') return [{ text }];
  const rules = RULES[language];
  const out: Token[] = [];
  let plain = '';
  let i = 0;
  scan: while (i < text.length) {
    for (const [cls, re] of rules) {
      re.lastIndex = i;
      const m = re.exec(text);
      if (m && m[0].length > 0) {
        if (plain) out.push({ text: plain });
        plain = '';
        out.push({ cls, text: m[0] });
        i += m[0].length;
        continue scan;
      }
    }
    WORD.lastIndex = i;
    const w = WORD.exec(text);
    const step = w ? w[0].length : 1;
    plain += text.slice(i, i + step);
    i += step;
  }
  if (plain) out.push({ text: plain });
  return out;
}

/**
 * The text as lines of escaped markup (a token that spans lines, a docstring or a block comment,
 * is closed at each line's end and opened again on the next). A final newline ends the last line.
 */
export function highlightLines(text: string, language: Language): string[] {
  const lines: string[] = [];
  let current = '';
  for (const t of tokenize(text.replace(/\r\n?/g, '\n'), language)) {
    t.text.split('\n').forEach((part, i) => {
      if (i > 0) {
        lines.push(current);
        current = '';
      }
      if (part) current += t.cls ? `<span class="tok-${t.cls}">${escapeHtml(part)}</span>` : escapeHtml(part);
    });
  }
  // A final newline ends the last line; it starts no new one.
  if (current !== '' || lines.length === 0) lines.push(current);
  return lines;
}
