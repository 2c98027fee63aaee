import { SDKS } from '../../templates/index.js';
import { html, raw, type SafeHtml } from './html.js';
import { startersJson } from './starter-apps.js';
import { renderLayout, type PageContext } from './layout.js';
import type { FlavorOption } from './render-space-settings.js';

export interface SignInView {
  /** The CSRF token the form posts back (the pre-sign-in cookie's, or the session's). */
  formToken: string;
  error?: string;
  userName?: string;
  /** Where to go after signing in (a local path). */
  next: string;
  /** The OpenID Connect button's label, when it is configured. */
  oidcName?: string;
}

export function renderSignIn(ctx: PageContext, v: SignInView): SafeHtml {
  return renderLayout(ctx, {
    title: 'Sign in',
    main: 'narrow',
    body: html`<h1>Sign in</h1>
${v.error ? html`<p class="error" role="alert">${v.error}</p>` : null}
<form method="post" action="/login" class="stack">
  <input type="hidden" name="_csrf" value="${v.formToken}">
  <input type="hidden" name="next" value="${v.next}">
  <label>User name <input name="username" autocomplete="username" required value="${v.userName ?? ''}" autofocus></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>
${v.oidcName ? html`<p class="or">or</p><p><a class="button" href="/login/oidc?next=${encodeURIComponent(v.next)}">Sign in with ${v.oidcName}</a></p>` : null}
<p class="hint">Automation keeps using tokens (<code>Authorization: Bearer …</code>).</p>`,
  });
}

export interface NewSpaceView {
  owner: string;
  /** Organizations where the user may create Spaces (write or admin role). */
  orgs: string[];
  /** The owner chosen by the link that led here (`/new-space?owner=acme`, from an organization's page). */
  selected?: string;
  flavors: FlavorOption[];
}

export function renderNewSpace(ctx: PageContext, v: NewSpaceView): SafeHtml {
  return renderLayout(ctx, {
    title: 'Create a new Space',
    main: 'narrow',
    body: html`<h1>Create a new Space</h1>
<form data-api="POST /api/repos/create" data-then="new-space" class="stack" data-new-space>
  <input type="hidden" name="type" value="space">
  <div class="row">
    <label>Owner <select name="organization" data-optional><option value="">${v.owner}</option>${v.orgs.map((org) => html`<option value="${org}"${org === v.selected ? html` selected` : null}>${org}</option>`)}</select></label>
    <label>Space name <input name="name" required maxlength="96" pattern="[A-Za-z0-9][A-Za-z0-9._\\-]*" autocomplete="off"></label>
  </div>
  <fieldset><legend>SDK</legend>${SDKS.map((s, i) => html`<label class="choice"><input type="radio" name="sdk" value="${s}"${i === 0 ? html` checked` : null}> ${s}</label>`)}</fieldset>
  <fieldset><legend>Hardware</legend>${v.flavors.map(
    (f, i) => html`<label class="choice"><input type="radio" name="hardware" value="${f.name}"${i === 0 ? html` checked` : null}> <strong>${f.prettyName}</strong> <span>${f.cpu} · ${f.ram}${f.accelerator ? ` · ${f.accelerator}` : ''}</span></label>`,
  )}</fieldset>
  <fieldset><legend>Visibility</legend>
    <label class="choice"><input type="radio" name="visibility" value="public" checked> Public: anyone can see and use it</label>
    <label class="choice"><input type="radio" name="visibility" value="protected"> Protected: anyone can use the app, only you see the files</label>
    <label class="choice"><input type="radio" name="visibility" value="private"> Private: only you (and your organization)</label>
  </fieldset>
  <label class="choice"><input type="checkbox" name="_starter" checked> Start with a small example app (<code>app.py</code>, or a <code>Dockerfile</code> and <code>app.py</code>), so the Space runs at once</label>
  <button type="submit">Create Space</button>
</form>
<script type="application/json" data-starters>${raw(startersJson())}</script>`,
  });
}

export function renderTokens(ctx: PageContext): SafeHtml {
  return renderLayout(ctx, {
    title: 'Access tokens',
    main: 'narrow',
    body: html`<h1>Access tokens</h1>
<p>Tokens let git, <code>huggingface_hub</code> and scripts act as you. A new token is shown once: copy it then.</p>
<form data-api="POST /api/settings/tokens" data-then="show-token" class="row">
  <label>Name <input name="displayName" required maxlength="100"></label>
  <label>Role <select name="role"><option value="read">read</option><option value="write">write</option></select></label>
  <button type="submit">Create token</button>
</form>
<div class="new-token" data-new-token hidden><p><strong>Your new token</strong> (shown once):</p><input readonly data-new-token-value aria-label="New token"></div>
<h2 data-token-heading tabindex="-1">Your tokens</h2>
<div data-token-list><p class="empty">Loading…</p></div>
${ctx.viewer
  ? html`<h2>Password</h2>
<form data-api="PUT /api/users/${ctx.viewer.name}/password" data-then="say" class="stack" autocomplete="off">
  <label>Current password (if you have one) <input name="currentPassword" type="password" autocomplete="current-password" data-optional></label>
  <label>New password <input name="password" type="password" autocomplete="new-password" minlength="8" required></label>
  <button type="submit">Change password</button>
</form>`
  : null}`,
  });
}
