import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every message lives in the catalog (core/errors/*-messages.ts): in the production
 * folders, no `new SpaceportError(code, '…')`, `new BuildError('…')` or `super(code, '…')` in a
 * subclass writes its own text: throw sites raise `fail(key, params)`.
 */
const CONVERTED = ['builder', 'proxy', 'core', 'cli', 'templates', 'controller'];

interface AdHocMessage {
  line: number;
  call: string;
}

/** The end of the string, template or comment starting at `i` (the index after it), or `i` when none starts there. */
function skipLiteral(src: string, i: number): number {
  const c = src[i];
  if (c === '/' && src[i + 1] === '/') return src.indexOf('\n', i) === -1 ? src.length : src.indexOf('\n', i);
  if (c === '/' && src[i + 1] === '*') return src.indexOf('*/', i + 2) + 2;
  if (c === '/' && startsRegex(src, i)) {
    let j = i + 1;
    for (let inClass = false; j < src.length && src[j] !== '\n' && (inClass || src[j] !== '/'); j++) {
      if (src[j] === '\\') j++;
      else if (src[j] === '[') inClass = true;
      else if (src[j] === ']') inClass = false;
    }
    return j + 1;
  }
  if (c === "'" || c === '"') {
    let j = i + 1;
    while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
    return j + 1;
  }
  if (c === '`') {
    let j = i + 1;
    while (j < src.length && src[j] !== '`') {
      if (src[j] === '\\') j += 2;
      else if (src[j] === '$' && src[j + 1] === '{') j = skipBalanced(src, j + 1);
      else j++;
    }
    return j + 1;
  }
  return i;
}

/** Is the `/` at `i` the start of a regex literal (it follows an operator, a bracket or `return`), not a division? */
function startsRegex(src: string, i: number): boolean {
  let j = i - 1;
  while (j >= 0 && /\s/.test(src[j]!)) j--;
  if (j < 0 || '(,=:[!&|?{};+-*%<>~^'.includes(src[j]!)) return true;
  return /\b(return|typeof|case|in|of)$/.test(src.slice(Math.max(0, j - 6), j + 1));
}

/** From an opening bracket at `open`, the index after its matching close. */
function skipBalanced(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; ) {
    const after = skipLiteral(src, i);
    if (after !== i) {
      i = after;
      continue;
    }
    const c = src[i]!;
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c) && --depth === 0) return i + 1;
    i++;
  }
  return src.length;
}

/** The top-level arguments of the call whose `(` is at `open`, as source text. */
function argumentsAt(src: string, open: number): string[] {
  const end = skipBalanced(src, open) - 1;
  const args: string[] = [];
  let start = open + 1;
  for (let i = open + 1; i < end; ) {
    const after = skipLiteral(src, i);
    if (after !== i) {
      i = after;
      continue;
    }
    const c = src[i]!;
    if ('([{'.includes(c)) i = skipBalanced(src, i);
    else {
      if (c === ',') {
        args.push(src.slice(start, i).trim());
        start = i + 1;
      }
      i++;
    }
  }
  const last = src.slice(start, end).trim();
  if (last !== '') args.push(last);
  return args;
}

/** Does this argument write text: a string or template literal at its top level (alone, in `+`, in `?:`)? */
function writesText(arg: string): boolean {
  for (let i = 0; i < arg.length; ) {
    if (arg[i] === "'" || arg[i] === '"' || arg[i] === '`') return true;
    const after = skipLiteral(arg, i);
    if (after !== i) i = after;
    else if ('([{'.includes(arg[i]!)) i = skipBalanced(arg, i);
    else i++;
  }
  return false;
}

/** Calls in `src` that write their own message instead of raising a catalog entry. */
export function findAdHocMessages(src: string): AdHocMessage[] {
  const found: AdHocMessage[] = [];
  const subclass = /\bextends\s+(SpaceportError|BuildError)\b/.test(src);
  const calls = /\bnew\s+(SpaceportError|BuildError)\s*\(|\bsuper\s*\(/g;
  for (let m = calls.exec(src); m; m = calls.exec(src)) {
    const isSuper = m[1] === undefined;
    if (isSuper && !subclass) continue;
    const open = m.index + m[0].length - 1;
    if (skipLiteralsBefore(src, m.index)) continue;
    const args = argumentsAt(src, open);
    const message = m[1] === 'BuildError' ? args[0] : args[1];
    if (message !== undefined && writesText(message)) {
      found.push({ line: src.slice(0, m.index).split('\n').length, call: src.slice(m.index, skipBalanced(src, open)).slice(0, 160) });
    }
  }
  return found;
}

/** Is `at` inside a string, template or comment (a call named in a doc comment is no call)? */
function skipLiteralsBefore(src: string, at: number): boolean {
  for (let i = 0; i < at; ) {
    const after = skipLiteral(src, i);
    if (after > at) return true;
    i = after === i ? i + 1 : after;
  }
  return false;
}

function sourceFiles(root: string, folder: string): string[] {
  if (folder.endsWith('.ts')) return [folder];
  const dir = path.join(root, folder);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .map((f) => path.join(folder, f));
}

describe('findAdHocMessages', () => {
  it('finds a message written at the site: literal, template, concatenation, ternary, over lines', () => {
    const src = [
      "throw new SpaceportError('BadRequest', 'Invalid Space uid.');",
      "throw new SpaceportError('RepoNotFound', `Repository ${space} not found.`, { cause: err });",
      'throw new SpaceportError(',
      "  'GitFailed',",
      "  'git failed: ' + detail,",
      ');',
      "return new SpaceportError(code, ok ? 'a' : `b ${f(x, y)}`);",
      'throw new BuildError(`The build stream broke: ${reason}`, { logTail });',
      'class E extends SpaceportError { constructor() { super(\'Internal\', `controller answered ${s}`); } }',
    ].join('\n');
    expect(findAdHocMessages(src).map((f) => f.line)).toEqual([1, 2, 3, 7, 8, 9]);
  });

  it('passes catalog messages, a code alone, a message computed elsewhere, and mentions in comments', () => {
    const src = [
      "throw fail('repoNotFound', { space });",
      "throw new SpaceportError('PayloadTooLarge');",
      "new SpaceportError('Internal', undefined, { cause: err, details: { why: 'x' } });",
      'throw new BuildError(summary, { logTail: tail(`x`), step });',
      "const { code, message } = renderMessage('gitCommandFailed', p);",
      "// new SpaceportError('BadRequest', 'in a comment')",
      "const doc = \"new SpaceportError('BadRequest', 'in a string')\";",
    ].join('\n');
    expect(findAdHocMessages(src)).toEqual([]);
  });
});

describe('throw sites of the converted folders', () => {
  it('raise catalog messages (fail/failBuild/renderMessage), never text of their own', () => {
    const root = path.resolve(import.meta.dirname, '..');
    const offenders = CONVERTED.flatMap((folder) => sourceFiles(root, folder)).flatMap((file) =>
      findAdHocMessages(readFileSync(path.join(root, file), 'utf8')).map((f) => `${file}:${f.line}: ${f.call}`),
    );
    expect(offenders).toEqual([]);
  });
});
