import { Router } from 'express';
import { z } from 'zod';
import { SpaceportError, isSpaceportError } from '../../core/index.js';
import { safeAppPath } from '../../proxy/index.js';
import { spaceHost, type SpaceService } from '../spaces/index.js';
import { principalOf, spaceIdOf, urlsOf } from './context.js';

export const grantBody = z.object({ path: z.string().max(2048).optional() });

/**
 * Opening a private Space's app in a browser: the hub host signs a short-lived grant for the Space's
 * host, which turns it into its own cookie (proxy/app-grant.ts).
 *
 * - `POST /api/spaces/{id}/app-grant` `{"path"?}` → `{"url", "expiresAt"}`: open `url` within a minute.
 * - `GET /spaces/{id}/app[?path=/x]` in a browser: 302 to that URL (a public Space: straight to its
 *   host). Without credentials it asks for them (HTTP Basic: any user name, a token as the password).
 */
export function appGrantRoutes(spaces: SpaceService): Router {
  const r = Router();

  r.post('/api/spaces/:owner/:name/app-grant', (req, res) => {
    const p = principalOf(res);
    if (p.kind === 'anonymous') throw new SpaceportError('Unauthorized');
    const body = grantBody.parse(req.body ?? {});
    res.json(spaces.appGrant(p, spaceIdOf(req), { path: body.path, urls: urlsOf(spaces, req) }));
  });

  r.get('/spaces/:owner/:name/app', (req, res) => {
    const p = principalOf(res);
    const id = spaceIdOf(req);
    const path = typeof req.query.path === 'string' ? req.query.path : undefined;
    const urls = urlsOf(spaces, req);
    let space;
    try {
      space = spaces.get(p, id);
    } catch (err) {
      // Anonymous: ask for a token whether or not the Space exists (the answer reveals nothing).
      if (p.kind === 'anonymous' && isSpaceportError(err, 'RepoNotFound')) {
        res.set('WWW-Authenticate', 'Basic realm="Spaceport (user name: anything, password: a Spaceport token)"');
        throw new SpaceportError('Unauthorized');
      }
      throw err;
    }
    if (space.visibility !== 'private') {
      res.redirect(302, `${spaceHost(space, urls)}${safeAppPath(path)}`);
      return;
    }
    res.set('Cache-Control', 'no-store').redirect(302, spaces.appGrant(p, id, { path, urls }).url);
  });

  return r;
}
