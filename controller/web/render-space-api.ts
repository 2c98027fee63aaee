import type { AppApiInfo, GradioEndpoint, GradioValue } from './app-api-info.js';
import { html, type SafeHtml } from './html.js';

/** What the "Use via API" page needs besides the app's description. */
export interface SpaceApiView {
  /** `owner/name`: what `Client(...)` takes. */
  id: string;
  /** The hub's URL (`HF_ENDPOINT` for `gradio_client`, which looks the Space up there). */
  hubUrl: string;
  /** The app's own origin, e.g. http://alice-demo.localhost:8080 (curl talks to it directly). */
  appOrigin: string;
  /** Private: the snippets send a token. */
  private: boolean;
  api: AppApiInfo;
}

/** A JSON value as a Python literal; a file input becomes `handle_file(url)` as `view_api` writes it. */
export function pythonLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'None';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(pythonLiteral).join(', ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const meta = o.meta as { _type?: string } | undefined;
    if (meta?._type === 'gradio.FileData' && typeof (o.url ?? o.path) === 'string') return `handle_file(${JSON.stringify(o.url ?? o.path)})`;
    return `{${Object.entries(o).map(([k, x]) => `${JSON.stringify(k)}: ${pythonLiteral(x)}`).join(', ')}}`;
  }
  return 'None';
}

function exampleOf(p: GradioValue): unknown {
  if (p.example_input !== undefined) return p.example_input;
  return p.parameter_has_default ? p.parameter_default : null;
}

/** A shell single-quoted word. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The Python identifier Gradio gives a parameter (`param_0` when it has no name). */
function paramName(p: GradioValue, i: number): string {
  return p.parameter_name && /^[A-Za-z_][A-Za-z0-9_]*$/.test(p.parameter_name) ? p.parameter_name : `param_${i}`;
}

export function pythonSnippet(v: SpaceApiView, apiName: string, e: GradioEndpoint): string {
  const params = e.parameters.map((p, i) => `    ${paramName(p, i)}=${pythonLiteral(exampleOf(p))},\n`).join('');
  const usesFiles = /handle_file\(/.test(params);
  const token = v.private ? ', token=os.environ["HF_TOKEN"]' : '';
  return (
    `import os\n` +
    `os.environ.setdefault("HF_ENDPOINT", ${JSON.stringify(v.hubUrl.replace(/\/$/, ''))})  # this hub, before gradio_client is imported\n` +
    `from gradio_client import Client${usesFiles ? ', handle_file' : ''}\n\n` +
    `client = Client(${JSON.stringify(v.id)}${token})\n` +
    `result = client.predict(\n${params}    api_name=${JSON.stringify(apiName)},\n)\n` +
    `print(result)\n`
  );
}

/** Gradio's two-step HTTP API: POST the inputs, read the result from the event stream. */
export function curlSnippet(v: SpaceApiView, apiName: string, e: GradioEndpoint, prefix: string): string {
  // Quoted: the endpoint's name comes from the app, and the snippet is pasted into a shell.
  const url = shellQuote(`${v.appOrigin}${prefix}/call${apiName}`);
  const auth = v.private ? ` -H "Authorization: Bearer $HF_TOKEN"` : '';
  const body = JSON.stringify({ data: e.parameters.map(exampleOf) });
  return (
    `EVENT_ID=$(curl -s -X POST ${url}${auth} -H "Content-Type: application/json" \\\n` +
    `  -d ${shellQuote(body)} | sed 's/.*"event_id": *"\\([^"]*\\)".*/\\1/')\n` +
    `curl -sN ${url}/"$EVENT_ID"${auth}\n`
  );
}

function typeOf(p: GradioValue): string {
  return p.python_type?.type ?? 'Any';
}

function renderValues(caption: string, values: GradioValue[], withDefaults: boolean): SafeHtml {
  if (values.length === 0) return html`<p class="hint">${caption}: none.</p>`;
  return html`<table class="api-values"><caption>${caption}</caption>
  <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Component</th>${withDefaults ? html`<th scope="col">Default</th>` : null}</tr></thead>
  <tbody>${values.map(
    (p, i) => html`<tr><td><code>${withDefaults ? paramName(p, i) : `[${i}]`}</code>${p.label ? html` <span class="hint">${p.label}</span>` : null}</td><td><code>${typeOf(p)}</code></td><td>${p.component ?? ''}</td>${withDefaults ? html`<td>${p.parameter_has_default ? html`<code>${pythonLiteral(p.parameter_default)}</code>` : 'required'}</td>` : null}</tr>`,
  )}</tbody>
</table>`;
}

function slug(apiName: string): string {
  return apiName.replace(/[^A-Za-z0-9_-]/g, '-');
}

function renderEndpoint(v: SpaceApiView, apiName: string, e: GradioEndpoint, prefix: string): SafeHtml {
  const id = slug(apiName);
  const py = pythonSnippet(v, apiName, e);
  const curl = curlSnippet(v, apiName, e, prefix);
  return html`<section class="api-endpoint" aria-labelledby="ep${id}">
  <h3 id="ep${id}"><code>api_name="${apiName}"</code></h3>
  ${renderValues('Parameters', e.parameters, true)}
  ${renderValues('Returns', e.returns, false)}
  <label>Python (gradio_client) <textarea readonly rows="${py.split('\n').length}" id="py${id}" spellcheck="false" wrap="off">${py}</textarea></label>
  <button type="button" data-copy="py${id}">Copy Python</button>
  <label>curl <textarea readonly rows="${curl.split('\n').length}" id="curl${id}" spellcheck="false" wrap="off">${curl}</textarea></label>
  <button type="button" data-copy="curl${id}">Copy curl</button>
</section>`;
}

const UNAVAILABLE: Record<Extract<AppApiInfo, { kind: 'unavailable' }>['why'], string> = {
  timeout: 'The app did not describe its API in time. Try again in a moment.',
  'too-large': 'The app’s API description is too large to show here.',
  'not-gradio': 'The app does not answer with a Gradio API description.',
  unreachable: 'The app cannot be reached right now. Try again in a moment.',
};

/** The "Use via API" page body: the endpoints with their parameters and returns, and runnable snippets. */
export function renderSpaceApi(v: SpaceApiView): SafeHtml {
  const a = v.api;
  const setup = html`<p>Install the client with <code>pip install gradio_client</code>. It finds <code>${v.id}</code> on this hub through <code>HF_ENDPOINT</code>${v.private ? html`; this Space is private, so set <code>HF_TOKEN</code> to one of your <a href="/settings/tokens">tokens</a>` : null}.</p>`;
  if (a.kind === 'asleep') {
    return html`<section class="state" role="status" data-api-waiting><h2>The Space is asleep</h2>
  <p>Its API is described by the running app. Open the <a href="/spaces/${v.id}" target="_blank">App</a> to wake it (a client's first call wakes it too): this page shows the API as soon as it runs.</p></section>`;
  }
  if (a.kind === 'not-running') {
    return html`<section class="state" role="status" data-api-waiting><h2>The app is not running</h2><p>Its API is described by the running app; this Space is ${a.stage.toLowerCase().replace(/_/g, ' ')}. This page shows the API as soon as it runs.</p></section>`;
  }
  if (a.kind === 'unavailable') return html`<section class="state bad" role="status"><h2>No API description</h2><p>${UNAVAILABLE[a.why]}</p></section>`;
  const endpoints = Object.entries(a.info.named_endpoints).filter(([, e]) => e.show_api !== false);
  return html`<section class="api" aria-labelledby="api-title">
  <h2 id="api-title">Use via API</h2>
  ${setup}
  ${endpoints.length === 0 ? html`<p>This app has no named API endpoints.</p>` : endpoints.map(([name, e]) => renderEndpoint(v, name, e, a.prefix))}
</section>`;
}
