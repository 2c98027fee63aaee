import { Router } from 'express';
import { fail, nameProblem, type Logger } from '../../core/index.js';
import { assertCanAdminOrg, assertCanCreateIn, requireUser, type Organizations, type Principal } from '../auth/index.js';
import type { StageResult } from '../lifecycle/index.js';
import type { SpaceService } from '../spaces/index.js';
import { galleryView } from './gallery-view.js';
import { renderGallery } from './render-gallery.js';
import { renderNewOrg, renderOrgMembers, renderOrgPage, renderUserPage } from './render-profile-pages.js';
import { page, pageContext, principalOf } from './web-context.js';

export interface ProfileRoutesOptions {
  spaces: SpaceService;
  orgs: Organizations;
  stageOf: (uid: string) => StageResult | undefined;
  assetVersion: string;
  logger: Logger;
  pageSize?: number;
}

/** Whether `check` lets `p` through (to offer a link; the API guards the action itself). */
function allows(p: Principal, check: (p: Principal) => void): boolean {
  try {
    check(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * People and organizations, at the Hub's paths: `/{user}` and `/{org}` (their Spaces, those the
 * viewer may read; a user's organizations and likes; an organization's members, for its members),
 * `/organizations/new`, and `/organizations/{org}/settings/members` for its admins. Every action is
 * the API's (`orgs-routes.ts`), posted by the page's script with the session's CSRF token.
 */
export function profileRoutes(o: ProfileRoutesOptions): Router {
  const r = Router();
  const deps = { spaces: o.spaces, assetVersion: o.assetVersion, logger: o.logger };
  const gallery = { spaces: o.spaces, stageOf: o.stageOf, pageSize: o.pageSize ?? 24 };

  r.get(
    '/organizations/new',
    page(deps, async (_req, res) => {
      requireUser(principalOf(res));
      return renderNewOrg(pageContext(res, o.assetVersion)).value;
    }),
  );

  r.get(
    '/organizations/:org/settings/members',
    page(deps, async (req, res) => {
      const p = principalOf(res);
      const org = o.orgs.get(String(req.params.org));
      assertCanAdminOrg(p, org.name);
      return renderOrgMembers(pageContext(res, o.assetVersion), { name: org.name, members: o.orgs.members(p, org) }).value;
    }),
  );

  // `/{owner}`: names that are not valid owners fall through (the 404 page, or the API's JSON 404).
  r.get('/:owner', (req, res, next) => {
    const name = String(req.params.owner);
    if (nameProblem(name) !== undefined) return next();
    return page(deps, async (req, res) => {
      const p = principalOf(res);
      const org = o.orgs.find(name);
      if (org) {
        return renderOrgPage(pageContext(res, o.assetVersion), {
          name: org.name,
          fullname: org.fullname,
          numMembers: o.orgs.countMembers(org),
          members: o.orgs.seesMembers(p, org) ? o.orgs.members(p, org) : undefined,
          canCreate: allows(p, (x) => assertCanCreateIn(x, org.name)),
          canAdmin: allows(p, (x) => assertCanAdminOrg(x, org.name)),
          spaces: galleryView(gallery, req, res, org.name),
        }).value;
      }
      const spaces = galleryView(gallery, req, res, name);
      if (!o.spaces.namespaceExists(name)) {
        // Spaces whose owner no user or organization holds (an admin's leftovers) still list.
        if (spaces.total === 0) throw fail('namespaceNotFound', { owner: name });
        return renderGallery(pageContext(res, o.assetVersion), spaces).value;
      }
      return renderUserPage(pageContext(res, o.assetVersion), {
        name,
        orgs: o.orgs.membershipsOf(p, name).map((m) => ({ name: m.org, role: m.role })),
        likes: o.spaces.likes.ofUser(p, name).map((l) => String((l.repo as { name: string }).name)),
        spaces,
        own: p.kind === 'user' && p.user.name === name,
      }).value;
    })(req, res);
  });

  return r;
}
