import { SDKS, sdkTraits, type Sdk } from '../../templates/index.js';
import { html, type SafeHtml } from './html.js';
import type { SpaceCard } from './space-card.js';

export interface FlavorOption {
  name: string;
  prettyName: string;
  cpu: string;
  ram: string;
  accelerator?: string;
}

export interface SettingsView {
  flavors: FlavorOption[];
  /** Seconds before sleep; -1: never. */
  sleepSeconds: number;
  variables: { key: string; value: string; description?: string }[];
  /** Secret names only: a secret's value is never shown again. */
  secrets: { key: string; updatedAt: string }[];
}

const SLEEP_CHOICES: [number, string][] = [
  [300, '5 minutes'],
  [900, '15 minutes'],
  [1800, '30 minutes'],
  [3600, '1 hour'],
  [36000, '10 hours'],
  [86400, '24 hours'],
  [172800, '48 hours'],
  [-1, 'Never'],
];

/**
 * The owner's settings. Every form is an API call made by the page's script (`data-api`), with
 * the session's CSRF token: the same endpoints a client uses.
 */
export function renderSpaceSettings(c: SpaceCard, s: SettingsView): SafeHtml {
  const api = `/api/spaces/${c.id}`;
  // A static Space has no process to pause (the API refuses it): no button for it.
  const pausable = (SDKS as readonly string[]).includes(c.sdk) && sdkTraits(c.sdk as Sdk).pausable;
  const sleepChoices = SLEEP_CHOICES.some(([v]) => v === s.sleepSeconds) ? SLEEP_CHOICES : [...SLEEP_CHOICES, [s.sleepSeconds, `${s.sleepSeconds} seconds`] as [number, string]];
  return html`<div class="settings">
<section aria-labelledby="s-hw"><h2 id="s-hw">Hardware</h2>
  <form data-api="POST ${api}/hardware" data-then="reload">
    <fieldset><legend>Flavor</legend>
    ${s.flavors.map(
      (f) => html`<label class="choice"><input type="radio" name="flavor" value="${f.name}"${f.name === c.hardware ? html` checked` : null}> <strong>${f.prettyName}</strong> <span>${f.cpu} · ${f.ram}${f.accelerator ? ` · ${f.accelerator}` : ''}</span></label>`,
    )}
    </fieldset>
    <button type="submit">Use this hardware</button>
  </form>
</section>
<section aria-labelledby="s-sleep"><h2 id="s-sleep">Sleep time</h2>
  <form data-api="POST ${api}/sleeptime" data-then="reload">
    <label>Sleep after <select name="seconds" data-type="int">${sleepChoices.map(([v, label]) => html`<option value="${v}"${v === s.sleepSeconds ? html` selected` : null}>${label}</option>`)}</select> without visits</label>
    <button type="submit">Save sleep time</button>
  </form>
</section>
<section aria-labelledby="s-life"><h2 id="s-life">${pausable ? 'Pause and restart' : 'Restart'}</h2>
  <div class="row">
    ${pausable ? html`<form data-api="POST ${api}/pause" data-then="reload"><button type="submit">Pause</button></form>` : null}
    <form data-api="POST ${api}/restart" data-then="reload"><button type="submit">Restart</button></form>
    <form data-api="POST ${api}/restart?factory=true" data-then="reload"><button type="submit">Factory rebuild</button></form>
  </div>
</section>
<section aria-labelledby="s-vars"><h2 id="s-vars">Variables</h2>
  <p>Public environment variables of the app (visible to people who can change this Space).</p>
  ${s.variables.length
    ? html`<table><thead><tr><th scope="col">Name</th><th scope="col">Value</th><th scope="col"><span class="sr">Actions</span></th></tr></thead><tbody>${s.variables.map(
        (v) => html`<tr><td><code>${v.key}</code></td><td><code>${v.value}</code></td><td><form data-api="DELETE ${api}/variables" data-then="reload"><input type="hidden" name="key" value="${v.key}"><button type="submit" aria-label="Delete variable ${v.key}">Delete</button></form></td></tr>`,
      )}</tbody></table>`
    : html`<p class="empty">No variables.</p>`}
  <form data-api="POST ${api}/variables" data-then="reload" class="row">
    <label>Name <input name="key" required pattern="[A-Za-z_][A-Za-z0-9_]*" maxlength="256"></label>
    <label>Value <input name="value" maxlength="65536"></label>
    <button type="submit">Add variable</button>
  </form>
</section>
<section aria-labelledby="s-secrets"><h2 id="s-secrets">Secrets</h2>
  <p>Private environment variables. A secret's value is never shown again once saved.</p>
  ${s.secrets.length
    ? html`<ul class="plain">${s.secrets.map(
        (v) => html`<li><code>${v.key}</code> <form class="inline" data-api="DELETE ${api}/secrets" data-then="reload"><input type="hidden" name="key" value="${v.key}"><button type="submit" aria-label="Delete secret ${v.key}">Delete</button></form></li>`,
      )}</ul>`
    : html`<p class="empty">No secrets.</p>`}
  <form data-api="POST ${api}/secrets" data-then="reload" class="row" autocomplete="off">
    <label>Name <input name="key" required pattern="[A-Za-z_][A-Za-z0-9_]*" maxlength="256"></label>
    <label>Value <input name="value" type="password" autocomplete="new-password" maxlength="65536"></label>
    <button type="submit">Add secret</button>
  </form>
</section>
<section aria-labelledby="s-vis"><h2 id="s-vis">Visibility</h2>
  <form data-api="PUT ${api}/settings" data-then="reload">
    <label>This Space is <select name="visibility">${(['public', 'protected', 'private'] as const).map((v) => html`<option value="${v}"${v === c.visibility ? html` selected` : null}>${v === 'protected' ? 'protected (app public, files private)' : v}</option>`)}</select></label>
    <button type="submit">Save visibility</button>
  </form>
</section>
<section aria-labelledby="s-rename"><h2 id="s-rename">Rename or transfer</h2>
  <form data-api="POST /api/repos/move" data-then="goto-response-url">
    <input type="hidden" name="fromRepo" value="${c.id}"><input type="hidden" name="type" value="space">
    <label>New id <input name="toRepo" value="${c.id}" required pattern="[^\\/]+\\/[^\\/]+"></label>
    <button type="submit">Rename</button>
  </form>
</section>
<section aria-labelledby="s-dup"><h2 id="s-dup">Duplicate</h2>
  <form data-api="POST ${api}/duplicate" data-then="goto-response-url">
    <label>New id <input name="repository" value="${c.id}-copy" required pattern="[^\\/]+\\/[^\\/]+"></label>
    <label>Visibility <select name="visibility"><option value="private" selected>private</option><option value="public">public</option></select></label>
    <button type="submit">Duplicate this Space</button>
  </form>
</section>
<section aria-labelledby="s-del" class="danger"><h2 id="s-del">Delete this Space</h2>
  <form data-api="DELETE /api/repos/delete" data-then="goto:/spaces" data-confirm="${c.id}">
    <input type="hidden" name="name" value="${c.name}"><input type="hidden" name="organization" value="${c.owner}"><input type="hidden" name="type" value="space">
    <label>Type <code>${c.id}</code> to confirm <input name="_confirm" required autocomplete="off"></label>
    <button type="submit" class="danger">Delete</button>
  </form>
</section>
</div>`;
}
