import { renderStageBadge } from './render-gallery.js';
import { html, type SafeHtml } from './html.js';
import { renderLayout, type PageContext } from './layout.js';
import { renderCodeView } from './render-code-view.js';
import { formatBytes, pathHref } from './render-diff.js';
import { folderView, renderBreadcrumbs, renderFileList, type FileEntry } from './render-file-list.js';
import { renderSpaceActions } from './render-space-actions.js';
import { renderSpaceApi, type SpaceApiView } from './render-space-api.js';
import { renderSpaceSettings, type FlavorOption, type SettingsView } from './render-space-settings.js';
import type { SpaceCard } from './space-card.js';

/** `api`: the "Use via API" page (Gradio Spaces), reached from the header, not a tab. */
export type SpaceTab = 'app' | 'files' | 'logs' | 'settings' | 'api';

export interface SpacePageView {
  card: SpaceCard;
  tab: SpaceTab;
  /**
   * Where the app opens: its own subdomain (e.g. http://alice-demo.localhost:8080/) for a public or
   * protected Space; for a private one the hub's grant path (`/spaces/{id}/app`), which signs the
   * viewer's access over to the Space's host.
   */
  appUrl: string;
  /** The hub's URL, for clone commands and snippets. */
  hubUrl: string;
  canWrite: boolean;
  /** Whether the signed-in viewer likes it (undefined: nobody signed in). */
  liked?: boolean;
  /** False for others on a protected Space (public app, private files). */
  filesVisible?: boolean;
  errorMessage?: string;
  /** The runtime's note that the Space runs on a simulated node (its app cannot answer). */
  nodeNote?: string;
  /** The lines that say why the last build or run failed (from the error message, and for owners the build log). */
  failingLines?: string[];
  /** `hasCommits: false`: an empty repository (no history to list, no `main` to read). */
  files?: { list: string[]; dir?: string; hasCommits?: boolean; readme?: SafeHtml; file?: { path: string; text?: string; size?: number; lfs?: boolean }; entries?: FileEntry[] };
  settings?: SettingsView;
  /** The hardware's name as the Hub shows it (`CPU basic`); the flavor id otherwise. */
  hardwareName?: string;
  /** The "Use via API" page's content. */
  api?: SpaceApiView;
  /** Duplicate's choices: the organizations where the viewer may create Spaces, and the hardware offered. */
  duplicateTo?: { orgs: string[]; flavors: FlavorOption[] };
  /** App tab: the README rendered below the app, as the Hub's Space card (for those who may read the files). */
  readme?: SafeHtml;
  /** A Files tab page that reads history (commits, a path's history, a commit): its content, rendered (file-pages.ts). */
  filePage?: SafeHtml;
}

const SERVING = new Set(['RUNNING', 'RUNNING_BUILDING', 'RUNNING_APP_STARTING', 'SLEEPING']);
const ERRORS = new Set(['BUILD_ERROR', 'CONFIG_ERROR', 'RUNTIME_ERROR', 'NO_APP_FILE']);

/** The sentence a stage deserves when the app cannot be shown. */
export function stateMessage(stage: string): { title: string; text: string } {
  switch (stage) {
    case 'BUILDING':
      return { title: 'Building', text: 'The Space is being built. The app appears here when it runs.' };
    case 'APP_STARTING':
      return { title: 'Starting', text: 'The app is starting.' };
    case 'PAUSED':
      return { title: 'Paused', text: 'This Space has been paused by its owner. It does not wake up on visits until it is restarted.' };
    case 'SLEEPING':
      return { title: 'Sleeping', text: 'This Space is sleeping: opening it wakes it up.' };
    case 'BUILD_ERROR':
      return { title: 'Build error', text: 'The last build failed.' };
    case 'CONFIG_ERROR':
      return { title: 'Configuration error', text: 'The README front matter is not valid.' };
    case 'RUNTIME_ERROR':
      return { title: 'Runtime error', text: 'The app stopped or never answered.' };
    case 'NO_APP_FILE':
      return { title: 'No application file', text: 'Push an app to this Space to see it here.' };
    default:
      return { title: stage, text: '' };
  }
}

/** What the first push needs, per SDK. */
const FIRST_FILES: Record<string, string> = {
  gradio: '# add app.py (a Gradio app: demo.launch()) and requirements.txt for its packages',
  streamlit: '# add app.py (a Streamlit script) and requirements.txt for its packages',
  docker: '# add a Dockerfile whose app listens on port 7860 (or set app_port in README.md)',
  static: '# add index.html (and its CSS, JS and images)',
};

/** Push instructions: for writers, while the Space has no app yet (an empty repository or README only). */
function pushCommands(v: SpacePageView): SafeHtml | null {
  if (!v.canWrite) return null;
  const origin = new URL(v.hubUrl);
  const clone = `git clone ${origin.protocol}//${origin.host}/spaces/${v.card.id}`;
  const py = `from huggingface_hub import HfApi\n\napi = HfApi(endpoint="${v.hubUrl}", token="YOUR_WRITE_TOKEN")\napi.upload_folder(folder_path=".", repo_id="${v.card.id}", repo_type="space")`;
  const files = FIRST_FILES[v.card.sdk] ?? FIRST_FILES.static!;
  return html`<section class="howto" aria-label="Push code">
  <p>Git and <code>huggingface_hub</code> sign in with a <a href="/settings/tokens">write token</a> (create one in Tokens), or add files in the <a href="/spaces/${v.card.id}/tree/main">Files</a> tab.</p>
  <h3>Push with git</h3>
  <pre><code>${clone}\ncd ${v.card.name}\n${files}\ngit add . &amp;&amp; git commit -m "First version"\ngit push   # user: your name, password: a write token</code></pre>
  <h3>Or with huggingface_hub</h3>
  <pre><code>${py}</code></pre>
</section>`;
}

function renderApp(v: SpacePageView): SafeHtml {
  const stage = v.card.stage;
  const serving = SERVING.has(stage);
  const msg = stateMessage(stage);
  return html`<section class="state ${ERRORS.has(stage) ? 'bad' : ''}" data-state-panel${serving ? html` hidden` : null} role="status" aria-live="polite">
  <h2 data-state-title>${msg.title}</h2>
  <p data-state-text>${msg.text}</p>
  ${v.failingLines?.length ? html`<h3>Failing lines</h3><pre class="log failing">${v.failingLines.join('\n')}</pre>` : null}
  ${v.errorMessage && v.failingLines?.length
    ? html`<details><summary>Full error message</summary><pre class="error-message" data-state-error>${v.errorMessage}</pre></details>`
    : html`<pre class="error-message" data-state-error${v.errorMessage ? null : html` hidden`}>${v.errorMessage ?? ''}</pre>`}
  ${stage === 'NO_APP_FILE' ? pushCommands(v) : null}
  ${v.canWrite
    ? html`<div class="progress" data-progress${stage === 'BUILDING' || stage === 'APP_STARTING' ? null : html` hidden`}>
    <p>Step: <span data-progress-step>waiting for the first log line</span></p>
    <pre class="log tail" data-progress-log aria-label="Latest log lines" tabindex="0"></pre>
  </div>`
    : null}
  ${v.canWrite && stage === 'PAUSED' ? html`<form data-api="POST /api/spaces/${v.card.id}/restart" data-then="reload"><button type="submit">Restart this Space</button></form>` : null}
</section>
${v.nodeNote ? html`<p class="notice" role="note" data-simulated-node>${v.nodeNote}</p>` : null}
<div class="app-frame" data-app-frame${serving ? null : html` hidden`}>
  <iframe title="${v.card.title}" data-src="${v.appUrl}"${serving ? html` src="${v.appUrl}"` : null} allow="clipboard-read; clipboard-write; microphone; camera; fullscreen" allowfullscreen></iframe>
</div>
${renderCardSection(v)}`;
}

/** Below the app, as on the Hub: the README's metadata (tags, license, models and datasets linked) and its text. */
function renderCardSection(v: SpacePageView): SafeHtml | null {
  const m = v.card.meta;
  const hub = (kind: string, id: string) => `https://huggingface.co/${kind}${id}`;
  const chips = [
    ...m.tags.map((t) => html`<span class="badge idle">${t}</span>`),
    ...(m.license ? [html`<span class="badge idle">License: ${m.license}</span>`] : []),
    ...m.models.map((id) => html`<a class="badge idle" href="${hub('', id)}" rel="noopener noreferrer nofollow">Model: ${id}</a>`),
    ...m.datasets.map((id) => html`<a class="badge idle" href="${hub('datasets/', id)}" rel="noopener noreferrer nofollow">Dataset: ${id}</a>`),
  ];
  if (!v.readme && chips.length === 0) return null;
  return html`<section class="space-card" aria-labelledby="space-card-title">
  <h2 id="space-card-title">About this Space</h2>
  ${chips.length ? html`<p class="meta">${chips}</p>` : null}
  ${v.readme ? html`<article class="readme">${v.readme}</article>` : null}
</section>`;
}

/** The writer's file actions: each one commit through the commit API, with its message. */
function renderFileEditor(v: SpacePageView): SafeHtml {
  const id = v.card.id;
  // In a folder, new files and uploads go into it unless the writer says otherwise.
  const dir = v.files?.dir;
  return html`<section class="file-actions" aria-labelledby="add-files" data-files-of="${id}">
  <h2 id="add-files">Add files</h2>
  <form data-commit="create" class="stack">
    <label>File name <input name="path" required maxlength="500" placeholder="app.py" autocomplete="off"${dir ? html` value="${dir}/"` : null}></label>
    <label>Content <textarea name="content" rows="8" spellcheck="false"></textarea></label>
    <label>Commit message <input name="summary" maxlength="200" placeholder="Create a file"></label>
    <button type="submit">Commit new file</button>
  </form>
  <form data-commit="upload" class="stack drop" data-drop>
    <p>Drop files or folders here, or choose them:</p>
    <div class="row">
      <label>Files <input type="file" name="files" multiple></label>
      <label>A folder <input type="file" name="folder" webkitdirectory multiple></label>
    </div>
    <p class="hint" data-upload-list>No files chosen.</p>
    <label>Into folder (optional) <input name="dir" maxlength="300" placeholder="assets" autocomplete="off"${dir ? html` value="${dir}"` : null}></label>
    <label>Commit message <input name="summary" maxlength="200" placeholder="Upload files"></label>
    <button type="submit">Commit upload</button>
  </form>
</section>`;
}

function renderFiles(v: SpacePageView): SafeHtml {
  const f = v.files ?? { list: [] };
  if (f.file) {
    const file = f.file;
    const href = pathHref(file.path);
    return html`<p><a href="/spaces/${v.card.id}/tree/main">← Files</a></p>
<h2 class="path">${file.path}</h2>
<p class="file-links"><a href="/spaces/${v.card.id}/commits/main/${href}">History</a> <a href="/spaces/${v.card.id}/raw/main/${href}">Raw</a> <a href="/spaces/${v.card.id}/resolve/main/${href}?download=true" download>Download</a>${
      file.size !== undefined ? html` <span class="meta">${formatBytes(file.size)}</span>` : null
    }</p>
${file.lfs
  ? html`<p data-lfs-file>Stored with Git LFS: use Download for its content.</p>`
  : file.text === undefined
    ? html`<p>This file is binary or too large to show: use Raw or Download.</p>`
    : renderCodeView(file.path, file.text)}
${v.canWrite
  ? html`<section class="file-actions" aria-labelledby="edit-file" data-files-of="${v.card.id}">
  ${file.text === undefined
    ? null
    : html`<h2 id="edit-file">Edit ${file.path}</h2>
  <form data-commit="edit" data-path="${file.path}" class="stack">
    <label>Content <textarea name="content" rows="16" spellcheck="false">${file.text}</textarea></label>
    <label>Commit message <input name="summary" maxlength="200" placeholder="Update ${file.path}"></label>
    <button type="submit">Commit changes</button>
  </form>`}
  <form data-commit="delete" data-path="${file.path}" class="row">
    <label>Commit message <input name="summary" maxlength="200" placeholder="Delete ${file.path}"></label>
    <button type="submit" class="danger">Delete this file</button>
  </form>
</section>`
  : null}`;
  }
  const dir = f.dir ?? '';
  const folder = f.entries ? folderView(f.entries, dir) : undefined;
  return html`${renderBreadcrumbs(v.card.id, dir)}${f.list.length
    ? folder
      ? renderFileList(v.card.id, folder)
      : html`<ul class="files">${f.list.map((p) => html`<li><a href="/spaces/${v.card.id}/blob/main/${p}">${p}</a></li>`)}</ul>`
    : html`<p>No files yet.</p>${pushCommands(v)}`}
${v.canWrite ? renderFileEditor(v) : null}
${f.readme ? html`<article class="readme">${f.readme}</article>` : null}
${f.hasCommits === false
  ? null
  : html`<section aria-labelledby="history"><h2 id="history">History</h2><ol class="commits" data-commits-of="${v.card.id}"><li class="empty">Loading…</li></ol><p><a href="/spaces/${v.card.id}/commits/main">All commits</a></p></section>`}`;
}

function renderLogs(v: SpacePageView): SafeHtml {
  return html`<div class="logs" data-logs-of="${v.card.id}">
  <section><h2>Build</h2><p class="empty" data-log-empty>No build log yet.</p><pre class="log" data-log="build" aria-live="polite" tabindex="0" hidden></pre></section>
  <section><h2>Container</h2><p class="empty" data-log-empty>No container log yet.</p><pre class="log" data-log="run" aria-live="polite" tabindex="0" hidden></pre></section>
</div>`;
}

export function renderSpacePage(ctx: PageContext, v: SpacePageView): SafeHtml {
  const c = v.card;
  const tabs: [SpaceTab, string, string][] = [
    ['app', 'App', `/spaces/${c.id}`],
    ...(v.filesVisible === false ? [] : ([['files', 'Files', `/spaces/${c.id}/tree/main`]] as [SpaceTab, string, string][])),
    ...(v.canWrite
      ? ([
          ['logs', 'Logs', `/spaces/${c.id}/logs`],
          ['settings', 'Settings', `/spaces/${c.id}/settings`],
        ] as [SpaceTab, string, string][])
      : []),
  ];
  let body: SafeHtml;
  if (v.tab === 'app') body = renderApp(v);
  else if (v.filePage) body = v.filePage;
  else if (v.tab === 'files') body = renderFiles(v);
  else if (v.tab === 'logs') body = renderLogs(v);
  else if (v.tab === 'api') body = v.api ? renderSpaceApi(v.api) : html``;
  else body = v.settings ? renderSpaceSettings(v.card, v.settings) : html``;
  return renderLayout(ctx, {
    title: `${c.title} - a Space by ${c.owner}`,
    body: html`<div class="space-head from-${c.colorFrom} to-${c.colorTo}" data-space="${c.id}" data-head-stage="${c.stage}" data-live-stages>
  <h1><span class="emoji" aria-hidden="true" data-space-emoji>${c.emoji}</span> <a href="/${c.owner}">${c.owner}</a> / <span data-space-title>${c.title}</span></h1>
  <p class="meta">${renderStageBadge(c.id, c.stage)} <span class="badge idle">${c.sdk}</span> <span class="badge idle" title="${c.hardware}">${v.hardwareName ?? c.hardware}</span>${c.visibility === 'private' ? html` <span class="badge idle">Private</span>` : null}</p>
  ${renderSpaceActions(ctx, v)}
  <p class="desc" data-space-desc${c.shortDescription ? null : html` hidden`}>${c.shortDescription ?? ''}</p>
</div>
<nav class="tabs" aria-label="Space">${tabs.map(([id, label, href]) => html`<a href="${href}"${id === v.tab ? html` aria-current="page"` : null}>${label}</a>`)}</nav>
<div class="tab-body">${body}</div>`,
  });
}
