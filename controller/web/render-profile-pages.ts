import { html, type SafeHtml } from './html.js';
import { renderLayout, type PageContext } from './layout.js';
import { renderGalleryBody, type GalleryView } from './render-gallery.js';

export type OrgRole = 'admin' | 'write' | 'read';
const ROLES: readonly OrgRole[] = ['read', 'write', 'admin'];
const ROLE_HINTS: Record<OrgRole, string> = {
  read: 'read: sees the organization\'s private Spaces and their files',
  write: 'write: also creates Spaces and pushes to them',
  admin: 'admin: also manages members',
};

export interface UserPageView {
  name: string;
  /** The user's organizations the viewer may see (members see each other). */
  orgs: { name: string; role: OrgRole }[];
  /** The Spaces the user likes that the viewer may read (ids, newest first). */
  likes: string[];
  spaces: GalleryView;
  /** The viewer's own page: offers "New organization" and "New Space". */
  own: boolean;
}

export interface OrgPageView {
  name: string;
  fullname: string;
  numMembers: number;
  /** Present when the viewer sees the members (a member, any role, or a site admin). */
  members?: { user: string; role: OrgRole }[];
  /** The viewer may create Spaces here (write or admin). */
  canCreate: boolean;
  /** The viewer administers it (settings → members). */
  canAdmin: boolean;
  spaces: GalleryView;
}

/** The Spaces section of a profile: the gallery's filters and cards, under a second-level heading. */
function spacesSection(v: GalleryView): SafeHtml {
  return html`<section aria-labelledby="spaces-heading" class="profile-spaces">${renderGalleryBody({ ...v, heading: 'Spaces' }, 'h2')}</section>`;
}

export function renderUserPage(ctx: PageContext, v: UserPageView): SafeHtml {
  return renderLayout(ctx, {
    title: v.name,
    body: html`<div class="profile-head"><h1>${v.name}</h1>
${v.own ? html`<p class="actions"><a class="button" href="/new-space">New Space</a> <a class="button" href="/organizations/new">New organization</a></p>` : null}</div>
<section aria-labelledby="orgs-heading" id="orgs"><h2 id="orgs-heading">Organizations</h2>
${v.orgs.length
  ? html`<ul class="plain chips">${v.orgs.map((o) => html`<li><a href="/${o.name}">${o.name}</a>${v.own ? html` <span class="hint">(${o.role})</span>` : null}</li>`)}</ul>`
  : html`<p class="empty">${v.own ? 'You belong to no organization yet.' : 'No organization to show.'}</p>`}
</section>
<section aria-labelledby="likes-heading"><h2 id="likes-heading">Likes <span class="hint">(${v.likes.length})</span></h2>
${v.likes.length
  ? html`<ul class="plain chips">${v.likes.slice(0, 50).map((id) => html`<li><a href="/spaces/${id}">${id}</a></li>`)}</ul>`
  : html`<p class="empty">No liked Space to show.</p>`}
</section>
${spacesSection(v.spaces)}`,
  });
}

export function renderOrgPage(ctx: PageContext, v: OrgPageView): SafeHtml {
  return renderLayout(ctx, {
    title: v.fullname,
    body: html`<div class="profile-head"><h1>${v.fullname}${v.fullname !== v.name ? html` <span class="hint">${v.name}</span>` : null}</h1>
<p class="hint">Organization · ${v.numMembers} ${v.numMembers === 1 ? 'member' : 'members'}</p>
${v.canCreate || v.canAdmin
  ? html`<p class="actions">${v.canCreate ? html`<a class="button" href="/new-space?owner=${encodeURIComponent(v.name)}">New Space</a>` : null}
${v.canAdmin ? html` <a class="button" href="/organizations/${v.name}/settings/members">Manage members</a>` : null}</p>`
  : null}</div>
<section aria-labelledby="members-heading"><h2 id="members-heading">Members</h2>
${v.members
  ? html`<ul class="plain chips" data-members>${v.members.map((m) => html`<li><a href="/${m.user}">${m.user}</a> <span class="hint">(${m.role})</span></li>`)}</ul>`
  : html`<p class="hint">Only members of ${v.name} see who its members are.</p>`}
</section>
${spacesSection(v.spaces)}`,
  });
}

export function renderNewOrg(ctx: PageContext): SafeHtml {
  return renderLayout(ctx, {
    title: 'Create a new organization',
    main: 'narrow',
    body: html`<h1>Create a new organization</h1>
<p>You become its admin. Its members share its Spaces, private ones included.</p>
<form data-api="POST /api/organizations/new" data-then="goto-name:/" class="stack">
  <label>Organization name <input name="name" required maxlength="96" autocomplete="off" aria-describedby="org-name-hint"></label>
  <p class="hint" id="org-name-hint">Letters, digits, "-", "_" and "."; it is the namespace of its Spaces (<code>name/space</code>).</p>
  <label>Full name (optional) <input name="fullname" maxlength="200" autocomplete="off" data-optional></label>
  <button type="submit">Create organization</button>
</form>`,
  });
}

function roleSelect(current: OrgRole | undefined, label: string): SafeHtml {
  return html`<select name="role" aria-label="${label}">${ROLES.map((r) => html`<option value="${r}"${r === current ? html` selected` : null}>${r}</option>`)}</select>`;
}

/** `/organizations/{org}/settings/members`: its admins add members, change roles and remove members. */
export function renderOrgMembers(ctx: PageContext, v: { name: string; members: { user: string; role: OrgRole }[] }): SafeHtml {
  const base = `/api/organizations/${v.name}/members`;
  return renderLayout(ctx, {
    title: `${v.name}: members`,
    main: 'narrow',
    body: html`<h1><a href="/${v.name}">${v.name}</a>: members</h1>
<h2>Add a member</h2>
<form data-api="PUT ${base}/{_user}" data-then="reload" class="row">
  <label>User name <input name="_user" required maxlength="96" autocomplete="off"></label>
  <label>Role ${roleSelect('read', 'Role of the new member')}</label>
  <button type="submit">Add member</button>
</form>
<ul class="hint">${ROLES.map((r) => html`<li>${ROLE_HINTS[r]}</li>`)}</ul>
<h2>Members</h2>
<table class="members">
<thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col"><span class="sr">Remove</span></th></tr></thead>
<tbody>${v.members.map(
      (m) => html`<tr data-member="${m.user}"><td><a href="/${m.user}">${m.user}</a></td>
<td><form data-api="PUT ${base}/${m.user}" data-then="reload" class="row">${roleSelect(m.role, `Role of ${m.user}`)}<button type="submit" aria-label="Change the role of ${m.user}">Change</button></form></td>
<td><form data-api="DELETE ${base}/${m.user}" data-then="reload" data-ask="Remove ${m.user} from ${v.name}?"><button type="submit" class="danger" aria-label="Remove ${m.user}">Remove</button></form></td></tr>`,
    )}</tbody>
</table>
<p class="hint">An organization keeps at least one admin: make another member admin before the last one leaves.</p>`,
  });
}
