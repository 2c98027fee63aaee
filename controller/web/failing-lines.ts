const FAILING = /\b(error|errors|failed|failure|fatal|traceback|exception|exit code|panic|not found|no such file|cannot|could not)\b/i;

/**
 * The lines that say why something failed, from the end of a log or an error message: lines that
 * look like errors (at most `max`, in order, no repeats); else the last few lines.
 */
export function failingLines(lines: readonly string[], max = 12): string[] {
  const seen = new Set<string>();
  const hits: string[] = [];
  for (const raw of lines) {
    const line = raw.replace(/\s+$/, '');
    if (!line || !FAILING.test(line) || seen.has(line)) continue;
    seen.add(line);
    hits.push(line);
  }
  if (hits.length) return hits.slice(-max);
  return lines.map((l) => l.replace(/\s+$/, '')).filter(Boolean).slice(-Math.min(max, 5));
}
