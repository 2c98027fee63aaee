/**
 * Small helpers that keep generated Dockerfiles well formed whatever the values are:
 * exec-form arrays are JSON, and quoted values escape `$` so the builder does not expand them.
 */

/** A Dockerfile double-quoted value: JSON string escapes, `$` escaped, control characters dropped. */
export function quoteValue(value: string): string {
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return JSON.stringify(clean).replace(/\$/g, '\\$');
}

/** Exec form (`CMD ["python", "app.py"]`): a JSON array of strings. */
export function execForm(argv: readonly string[]): string {
  return `[${argv.map((a) => JSON.stringify(a.replace(/[\u0000-\u001f\u007f]/g, ' '))).join(', ')}]`;
}

/** A POSIX shell single-quoted word, for the few values placed inside a RUN command. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `LABEL "k"="v" …` in key order, or nothing when there are no labels. */
export function labelLines(labels: Record<string, string> | undefined): string[] {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return [];
  return [`LABEL ${entries.map(([k, v]) => `${quoteValue(k)}=${quoteValue(v)}`).join(' \\\n      ')}`];
}
