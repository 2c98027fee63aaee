import type { Request, Response } from 'express';
import { toSpaceId, type SpaceId } from '../../core/index.js';
import type { Principal } from '../auth/index.js';
import type { HubUrls, SpaceService } from '../spaces/index.js';

/** URLs for this request's answers (the endpoint the client used, unless one is configured). */
export function urlsOf(spaces: SpaceService, req: Request): HubUrls {
  return spaces.urlsFor({ protocol: req.protocol, host: req.headers.host });
}

/** The principal the auth middleware found for this request. */
export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/** `owner/name` from the route params, validated (InvalidName names the part). */
export function spaceIdOf(req: Request): SpaceId {
  return toSpaceId(String(req.params.owner), String(req.params.name));
}
