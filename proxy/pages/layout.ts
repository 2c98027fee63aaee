import { escapeHtml } from '../../core/index.js';

export interface LayoutInput {
  /** Plain text for <title> and the heading. */
  title: string;
  /** Trusted HTML (callers escape what they interpolate). */
  body: string;
  /** Plain text: the Space name shown above the heading. */
  space?: string;
  /** Trusted HTML for <head> (meta refresh). */
  head?: string;
  /** Trusted inline script. */
  script?: string;
  /** Accent colour of the status dot. */
  tone: 'neutral' | 'busy' | 'bad';
}

const DOT = { neutral: '#9ca3af', busy: '#f59e0b', bad: '#ef4444' } as const;

/** The shared frame of every proxy page: one small self-contained HTML document, no external assets. */
export function layout(input: LayoutInput): string {
  const space = input.space ? `<p class="space">${escapeHtml(input.space)}</p>` : '';
  const script = input.script ? `<script>${input.script}</script>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(input.title)} · Spaceport</title>${input.head ?? ''}
<style>
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f8fafc;color:#1f2937;
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:34rem;margin:1.5rem;padding:2rem 2.25rem;background:#fff;border:1px solid #e5e7eb;border-radius:12px;
box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:1.35rem;margin:.25rem 0 .75rem;display:flex;align-items:center;gap:.6rem}
h1::before{content:"";width:.7rem;height:.7rem;border-radius:50%;background:${DOT[input.tone]};flex:none}
.space{margin:0;color:#6b7280;font-size:.9rem;font-family:ui-monospace,monospace}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em}
pre{white-space:pre-wrap;background:#f3f4f6;border-radius:8px;padding:.75rem 1rem;max-height:16rem;overflow:auto}
.muted{color:#6b7280;font-size:.9rem}
@media (prefers-color-scheme:dark){body{background:#0f172a;color:#e5e7eb}main{background:#111827;border-color:#1f2937}
pre{background:#1f2937}.muted,.space{color:#9ca3af}}
</style></head>
<body><main>${space}<h1>${escapeHtml(input.title)}</h1>
${input.body}
<p class="muted">Served by Spaceport</p></main>${script}</body></html>
`;
}
