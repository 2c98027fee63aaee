/**
 * A failed build's message with its cause first. BuildKit's own error only says which command
 * failed (`process "/bin/sh -c pip install …" did not complete successfully: exit code: 1`); the
 * reason is in that step's output (pip's `No matching distribution found for X`, its
 * `ResolutionImpossible` explanation, npm's `npm error` lines, a build script's exception). Pure.
 */
export interface BuildFailure {
  /** The Dockerfile step that failed (`[6/8] RUN pip install …`), when known. */
  step?: string;
  /** The builder's error (BuildKit's or the classic builder's). */
  error: string;
  /** The output of the failed step, oldest first (no `#N ` prefixes). */
  stepOutput: readonly string[];
}

/** Most cause lines a message carries after its headline. */
const MAX_DETAIL_LINES = 12;

/** The message: the cause's headline, the failed step, the rest of the cause. Lines, no trailing newline. */
export function summarizeBuildFailure(failure: BuildFailure): string {
  // The builder's own error, echoed into the output (the classic builder does), is not a cause.
  const output = failure.stepOutput.map(cleanLine).filter((l) => l.trim() !== '' && !l.includes(failure.error));
  const cause = pipCause(output) ?? npmCause(output) ?? aptCause(output) ?? exceptionCause(output) ?? genericCause(output);
  const stepLine = failure.step ? [`Failed step: ${failure.step}`] : [];
  if (!cause) return [...stepLine, failure.error].join('\n');
  const [headline, ...detail] = cause;
  return [headline!, ...stepLine, ...detail.slice(0, MAX_DETAIL_LINES), failure.error].join('\n');
}

/** Timestamps and ANSI colours some tools print; progress bars are not causes. */
function cleanLine(line: string): string {
  return line.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').replace(/\s+$/, '');
}

/** pip: the missing distribution, the conflicting pins and why, a wheel that would not build. */
function pipCause(lines: readonly string[]): string[] | undefined {
  const missing = lines.filter((l) => /^ERROR: No matching distribution found for /.test(l));
  if (missing.length > 0) {
    const versions = lines.filter((l) => /^ERROR: Could not find a version that satisfies the requirement /.test(l));
    return [...missing, ...versions];
  }
  const conflict = lines.findIndex((l) => /^ERROR: Cannot install .* because these package versions have conflicting dependencies/.test(l));
  if (conflict >= 0) {
    const out = [lines[conflict]!];
    const caused = lines.findIndex((l, i) => i > conflict && /^The conflict is caused by:/.test(l));
    if (caused >= 0) {
      out.push(lines[caused]!);
      for (let i = caused + 1; i < lines.length && /^\s+\S/.test(lines[i]!); i++) out.push(lines[i]!);
    }
    const impossible = lines.find((l) => /ResolutionImpossible/.test(l));
    if (impossible) out.push(impossible);
    return out;
  }
  const impossible = lines.find((l) => /^ERROR: ResolutionImpossible/.test(l));
  if (impossible) return [impossible];
  const errors = lines.filter((l) => /^\s*ERROR: /.test(l) && !/ERROR: (pip's dependency resolver|Ignored the following)/.test(l));
  if (errors.length === 0) return undefined;
  // A wheel that would not build: `ERROR: Failed building wheel for foo`, pip's summary, the compiler's own error.
  const inner = lines.find((l) => /^\s+error: /.test(l) && !/subprocess-exited-with-error/.test(l));
  return [...errors.slice(0, 4).map((l) => l.trim()), ...(inner ? [inner.trim()] : [])];
}

/** npm (v7+ `npm ERR!`, v10+ `npm error`): its error lines without the boilerplate. */
function npmCause(lines: readonly string[]): string[] | undefined {
  const npm = lines.filter((l) => /^npm (ERR!|error)( |$)/.test(l));
  if (npm.length === 0) return undefined;
  const text = (l: string) => l.replace(/^npm (ERR!|error) ?/, '');
  const useful = npm.filter((l) => {
    const t = text(l).trim();
    return t !== '' && !/^(code|errno|syscall) /.test(t) && !/^A complete log of this run/.test(t) && !/^\d{3}$/.test(t) && !/^(path|command|signal) /.test(t);
  });
  const code = npm.map(text).find((t) => /^code /.test(t));
  // A script that failed (`npm run build`): the script's own error says why; npm only says it failed.
  const script = useful.find((l) => /Lifecycle script .* failed|^npm ERR! .*@.* (build|prepare|postinstall): /.test(l));
  if (script) {
    const thrown = exceptionCause(lines.slice(0, lines.indexOf(npm[0]!)));
    if (thrown) return [...thrown, ...useful];
  }
  const picked = useful.length > 0 ? useful : npm;
  return code ? [...picked, `npm ${code}`] : picked;
}

/** apt (`packages.txt`): `E: Unable to locate package foo`. */
function aptCause(lines: readonly string[]): string[] | undefined {
  const errors = lines.filter((l) => /^E: /.test(l));
  return errors.length > 0 ? errors : undefined;
}

const EXCEPTION_RE = /^(?:[A-Za-z_][\w.]*\.)?(?:[A-Z]\w*)?(?:Error|Exception|Exit|Interrupt)(?:: .*)?$/;

/**
 * The last line of an exception: a Python traceback's `ModuleNotFoundError: …`, a Node
 * `ReferenceError: …` (its stack follows it), a build tool's `error during build:` and what follows.
 */
export function exceptionCause(lines: readonly string[]): string[] | undefined {
  const tb = lastIndex(lines, (l) => /^Traceback \(most recent call last\):/.test(l));
  if (tb >= 0) {
    for (let i = tb + 1; i < lines.length; i++) {
      const l = lines[i]!;
      if (/^\S/.test(l) && !/^(Traceback|During handling|The above exception)/.test(l)) return [l.trim()];
    }
  }
  const during = lastIndex(lines, (l) => /^error during build:?$/i.test(l.trim()));
  if (during >= 0 && lines[during + 1]) return [lines[during + 1]!.trim(), lines[during]!.trim()];
  const thrown = lastIndex(lines, (l) => EXCEPTION_RE.test(l.trim()) && !/^\s+at /.test(l));
  if (thrown >= 0) return [lines[thrown]!.trim()];
  return undefined;
}

/** Anything that says error, else the step's last line. */
function genericCause(lines: readonly string[]): string[] | undefined {
  const errors = lines.filter((l) => /(^|\s)(error|fatal)(\[\w+\])?:/i.test(l));
  if (errors.length > 0) return errors.slice(-4);
  const last = lines.at(-1);
  return last === undefined ? undefined : [last.trim()];
}

function lastIndex(lines: readonly string[], test: (l: string) => boolean): number {
  for (let i = lines.length - 1; i >= 0; i--) if (test(lines[i]!)) return i;
  return -1;
}
