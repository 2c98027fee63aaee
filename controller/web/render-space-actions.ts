import { html, type SafeHtml } from './html.js';
import type { PageContext } from './layout.js';
import type { SpacePageView } from './render-space-page.js';

/**
 * The Space header's actions, for everyone who sees the Space: Embed (iframe, and Gradio's web
 * component), Clone (the git command) and, for signed-in people who may read its files, Duplicate
 * (to their own namespace or an organization where they may create Spaces, through
 * `POST /api/spaces/{id}/duplicate`), and for Gradio Spaces "Use via API" (a page: the running app's
 * own API description, see render-space-api.ts). Plain `<details>` disclosures: they open and
 * close without script; only the copy buttons use it.
 */
export function renderSpaceActions(ctx: PageContext, v: SpacePageView): SafeHtml {
  const c = v.card;
  const origin = new URL(v.hubUrl);
  const iframe = `<iframe src="${v.appUrl}" frameborder="0" width="850" height="450"></iframe>`;
  const component = `<script type="module" src="https://gradio.s3-us-west-2.amazonaws.com/4.44.1/gradio.js"></script>\n<gradio-app src="${v.appUrl}"></gradio-app>`;
  const clone = `git clone ${origin.protocol}//${origin.host}/spaces/${c.id}`;
  const canDuplicate = ctx.viewer !== undefined && v.filesVisible !== false;
  const namespaces = [ctx.viewer?.name ?? '', ...(v.duplicateTo?.orgs ?? [])];
  const copyName = ctx.viewer?.name === c.owner ? `${c.name}-copy` : c.name;
  const likes = `${c.likes} ${c.likes === 1 ? 'like' : 'likes'}`;
  return html`<div class="actions">
  ${v.liked === undefined
    ? html`<a class="like" href="/login?next=${encodeURIComponent(`/spaces/${c.id}`)}" aria-label="${likes}: sign in to like this Space">♡ ${c.likes}</a>`
    : html`<form class="like" data-api="${v.liked ? 'DELETE' : 'POST'} /api/spaces/${c.id}/like" data-then="reload"><button type="submit" aria-pressed="${v.liked ? 'true' : 'false'}" aria-label="${v.liked ? 'Liked' : 'Like'} (${likes})">${v.liked ? '♥' : '♡'} ${v.liked ? 'Liked' : 'Like'} (${c.likes})</button></form>`}
  <details class="embed"><summary>Embed</summary><div class="pop">
    <p>Direct URL: <a href="${v.appUrl}">${v.appUrl}</a></p>
    <label>iframe snippet <textarea readonly rows="2" id="snippet-iframe">${iframe}</textarea></label>
    <button type="button" data-copy="snippet-iframe">Copy iframe</button>
    ${c.sdk === 'gradio'
      ? html`<label>Web component <textarea readonly rows="3" id="snippet-component">${component}</textarea></label>
    <button type="button" data-copy="snippet-component">Copy web component</button>`
      : null}
  </div></details>
  ${c.sdk === 'gradio' ? html`<a class="action" href="/spaces/${c.id}/api"${v.tab === 'api' ? html` aria-current="page"` : null}>Use via API</a>` : null}
  <details class="clone"><summary>Clone</summary><div class="pop">
    <label>git <input readonly id="snippet-clone" value="${clone}"></label>
    <button type="button" data-copy="snippet-clone">Copy command</button>
  </div></details>
  ${canDuplicate
    ? html`<details class="duplicate"><summary>Duplicate</summary><div class="pop">
    <form data-api="POST /api/spaces/${c.id}/duplicate" data-then="goto-response-url" data-join="repository:owner,name" class="stack">
      <label>Owner <select name="owner">${namespaces.map((n) => html`<option value="${n}">${n}</option>`)}</select></label>
      <label>Space name <input name="name" value="${copyName}" required maxlength="96"></label>
      <label>Visibility <select name="visibility"><option value="private" selected>private</option><option value="protected">protected</option><option value="public">public</option></select></label>
      ${v.duplicateTo?.flavors.length
        ? html`<label>Hardware <select name="hardware">${v.duplicateTo.flavors.map((f) => html`<option value="${f.name}"${f.name === c.hardware ? html` selected` : null}>${f.prettyName}</option>`)}</select></label>`
        : null}
      <button type="submit">Duplicate Space</button>
    </form>
  </div></details>`
    : null}
</div>`;
}
