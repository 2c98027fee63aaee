/**
 * The message of an app that failed to start, with its cause first. The runtime's reason (the
 * last lines the app printed, sometimes after a head such as `exited with code 1 (Error)`) and the
 * log tail overlap; an error page shows the first lines, and a Python traceback's decisive line
 * (`ModuleNotFoundError: …`) is its last. So: that line, then the reason's head, then the tail
 * once. Pure.
 */
export function summarizeRuntimeFailure(reason: string, tail: string): string {
  const reasonLines = trimLines(reason);
  const tailLines = trimLines(tail);
  const head = withoutSuffixIn(reasonLines, tailLines);
  // The reason's first line may be cut short (a character limit): drop it when the tail has it whole.
  if (head.length === 1 && reasonLines.length > 1 && tailLines.some((l) => l !== head[0] && l.endsWith(head[0]!))) head.pop();
  const body = [...head, ...tailLines];
  const cause = causeLine(body);
  if (!cause || body[0] === cause) return body.join('\n');
  return [cause, ...body].join('\n');
}

const EXCEPTION_RE = /^(?:[A-Za-z_][\w.]*\.)?(?:[A-Z]\w*)?(?:Error|Exception|Exit|Interrupt)(?::\s.*)?$/;

/**
 * The decisive line: the exception after the last Python traceback (`ImportError: …`), else the
 * last line that looks like an exception (`Error: Cannot find module 'x'` in Node), else none.
 */
export function causeLine(lines: readonly string[]): string | undefined {
  let tb = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^Traceback \(most recent call last\):/.test(lines[i]!)) {
      tb = i;
      break;
    }
  }
  if (tb >= 0) {
    for (let i = tb + 1; i < lines.length; i++) {
      const l = lines[i]!;
      if (/^\S/.test(l) && !/^(Traceback|During handling|The above exception)/.test(l)) return l.trim();
    }
  }
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (!/^\s/.test(l) && EXCEPTION_RE.test(l.trim())) return l.trim();
  }
  return undefined;
}

function trimLines(text: string): string[] {
  const lines = text.replace(/\r/g, '').split('\n').map((l) => l.replace(/\s+$/, ''));
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}

/** `reason` without its longest run of last lines that `tail` also ends with (the same output, twice). */
function withoutSuffixIn(reason: readonly string[], tail: readonly string[]): string[] {
  for (let start = 0; start < reason.length; start++) {
    const suffix = reason.slice(start);
    if (suffix.length > tail.length) continue;
    const end = tail.slice(tail.length - suffix.length);
    if (suffix.every((l, i) => l === end[i])) return reason.slice(0, start);
  }
  return [...reason];
}
