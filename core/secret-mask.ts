/**
 * Replaces secret values by `***` in text shown to people (logs, failure messages). Each value and
 * each line of a multi-line value is masked (logs are matched line by line), longest first; values
 * under 4 characters are left alone (masking them would garble everything).
 */
export class SecretMask {
  readonly #patterns: string[];

  constructor(values: readonly string[]) {
    const parts = new Set<string>();
    for (const v of values) {
      parts.add(v);
      for (const line of v.split(/\r?\n/)) parts.add(line.trim());
    }
    this.#patterns = [...parts].filter((p) => p.length >= 4).sort((a, b) => b.length - a.length);
  }

  apply(text: string): string {
    let out = text;
    for (const p of this.#patterns) if (out.includes(p)) out = out.split(p).join('***');
    return out;
  }
}
