import { describe, expect, it } from 'vitest';
import type { PageContext } from './layout.js';
import type { GalleryView } from './render-gallery.js';
import { renderOrgMembers, renderOrgPage, renderUserPage } from './render-profile-pages.js';

const EVIL = `"><script>alert(1)</script>`;
const ctx: PageContext = { viewer: { name: 'alice', admin: false, orgs: ['acme'] }, csrf: 't', assetVersion: 'v1' };
const spaces: GalleryView = { heading: 'acme', path: '/acme', cards: [], total: 0, page: 1, pageSize: 24, filters: {}, fixedOwner: true };

describe('profile pages', () => {
  it('escape an organization\'s full name and show members only when given (members see each other)', () => {
    const base = { name: 'acme', fullname: EVIL, numMembers: 2, canCreate: false, canAdmin: false, spaces };
    const hidden = renderOrgPage(ctx, base).value;
    expect(hidden).not.toContain('<script>alert');
    expect(hidden).not.toContain('data-members');
    expect(hidden).toContain('2 members');
    const shown = renderOrgPage(ctx, { ...base, members: [{ user: 'bob', role: 'read' }], canAdmin: true }).value;
    expect(shown).toContain('<a href="/bob">bob</a> <span class="hint">(read)</span>');
    expect(shown).toContain('href="/organizations/acme/settings/members"');
  });

  it("a user's page: the Spaces section is an h2 under the user's h1; organization roles only on one's own page", () => {
    const v = { name: 'bob', orgs: [{ name: 'acme', role: 'write' as const }], likes: ['acme/x'], spaces, own: false };
    const other = renderUserPage(ctx, v).value;
    expect(other.match(/<h1>/g)).toHaveLength(1);
    expect(other).toContain('<h2 id="spaces-heading">Spaces</h2>');
    expect(other).not.toContain('(write)');
    expect(renderUserPage(ctx, { ...v, own: true }).value).toContain('(write)');
  });

  it('the members page posts to the API: a URL template for the new member, one form per member', () => {
    const out = renderOrgMembers(ctx, { name: 'acme', members: [{ user: 'alice', role: 'admin' }] }).value;
    expect(out).toContain('data-api="PUT /api/organizations/acme/members/{_user}"');
    expect(out).toContain('data-api="DELETE /api/organizations/acme/members/alice" data-then="reload" data-ask="Remove alice from acme?"');
    expect(out).toMatch(/<select name="role" aria-label="Role of alice"><option value="read">read<\/option><option value="write">write<\/option><option value="admin" selected>/);
  });
});
