import { escapeHtml } from '../../core/index.js';

/** HTML that is already safe to insert (escaped, or our own markup). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export { escapeHtml };

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

/**
 * The one way pages are written: every interpolated value is escaped unless it is `SafeHtml`
 * (another `html` result, or `raw` for markup we made ourselves). Arrays are joined; null,
 * undefined and false render nothing.
 */
export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Markup we produced ourselves (the Markdown renderer's sanitized output); never user text. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
