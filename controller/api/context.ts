import type { Request, Response } from 'express';
import { toSpaceId, type SpaceId } from '../../core/index.js';
import type { Principal } from '../auth/index.js';

/** The principal the auth middleware found for this request. */
export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/** `owner/name` from the route params, validated (InvalidName names the part). */
export function spaceIdOf(req: Request): SpaceId {
  return toSpaceId(String(req.params.owner), String(req.params.name));
}
