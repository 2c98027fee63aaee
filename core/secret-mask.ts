/**
 * Replaces secret values by `***` in text shown to people (logs, failure messages). Each value and
 * each line of a multi-line value is masked (logs are matched line by line), longest first; values
 * under 4 characters are left alone (masking them would garble everything). As log maskers do
 * (GitHub Actions' value encoders), the forms a program may print a secret in are masked too:
 * base64 (standard and URL-safe) at each of the 3 alignments it can take inside a longer encoded
 * text (`Authorization: Basic base64(user:secret)`), URL-encoded, and hex.
 */
export class SecretMask {
  readonly #patterns: string[];

  constructor(values: readonly string[]) {
    const parts = new Set<string>();
    for (const v of values) {
      parts.add(v);
      for (const line of v.split(/\r?\n/)) parts.add(line.trim());
    }
    const patterns = new Set<string>();
    for (const p of parts) {
      if (p.length < 4) continue;
      for (const form of encodedForms(p)) patterns.add(form);
    }
    this.#patterns = [...patterns].sort((a, b) => b.length - a.length);
  }

  apply(text: string): string {
    let out = text;
    for (const p of this.#patterns) if (out.includes(p)) out = out.split(p).join('***');
    return out;
  }
}

/** Shortest encoded fragment masked: shorter ones would match unrelated encoded text. */
const MIN_FRAGMENT = 8;

/** A secret as written, and in the encodings a program may print it in. */
export function encodedForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = [secret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex'), bytes.toString('hex').toUpperCase()];
  const uri = encodeURIComponent(secret);
  forms.push(uri, uri.replace(/%20/g, '+'));
  // Inside a longer base64 text, the secret starts at byte 0, 1 or 2 of a 3-byte group: the whole
  // groups it fills encode to the same characters whatever surrounds them.
  for (let skip = 0; skip < 3; skip++) {
    const rest = bytes.subarray(skip);
    const whole = rest.subarray(0, rest.length - (rest.length % 3));
    const b64 = whole.toString('base64');
    if (b64.length < MIN_FRAGMENT) continue;
    forms.push(b64, whole.toString('base64url'));
  }
  return [...new Set(forms)].filter((f) => f.length >= 4);
}
