import { Router } from 'express';
import { z } from 'zod';
import { SDKS } from '../../templates/index.js';
import { SpaceportError } from '../../core/index.js';
import { spaceHost, type SpaceService, type SpaceSort } from '../spaces/index.js';
import { principalOf, spaceIdOf, urlsOf } from './context.js';
import { storageTierSchema } from './storage-tier-schema.js';

export const sleepBody = z.object({ seconds: z.number().int() });
export const hardwareBody = z.object({ flavor: z.string().min(1), sleepTimeSeconds: z.number().int().optional() });
const sdkName = z.enum(SDKS, { error: `must be one of ${SDKS.join(', ')}` });
export const searchQuery = z.object({
  q: z.string().max(500),
  sdk: z.union([sdkName, z.array(sdkName).max(8)]).optional(),
  filter: z.union([z.string(), z.array(z.string())]).optional(),
  includeNonRunning: z.string().optional(),
});
export const storageBody = z.object({ tier: storageTierSchema });
/** `list_spaces(sort=…)`: the Hub's sort names (and ours) to the gallery's orders. */
const LIST_SORTS: Record<string, SpaceSort> = { trendingScore: 'trending', trending_score: 'trending', likes: 'likes', createdAt: 'created', created_at: 'created', lastModified: 'updated', last_modified: 'updated', id: 'name' };
export const listSort = z.enum(Object.keys(LIST_SORTS) as [string, ...string[]], { error: `must be one of ${Object.keys(LIST_SORTS).join(', ')}` });

/** `/api/spaces/*`: info, runtime, lifecycle. */
export function spacesRoutes(spaces: SpaceService, flavors: () => Record<string, unknown>[]): Router {
  const r = Router();

  r.get('/api/spaces', async (req, res) => {
    const limit = req.query.limit ? Number(req.query.limit) : undefined;
    const filter = {
      author: typeof req.query.author === 'string' ? req.query.author : undefined,
      search: typeof req.query.search === 'string' ? req.query.search : undefined,
      limit: Number.isFinite(limit) && limit! > 0 ? limit : undefined,
    };
    // A sort (`list_spaces(sort="likes")`) reads the gallery's query, most first, up to the limit (1,000 by default).
    const sort = req.query.sort === undefined ? undefined : LIST_SORTS[listSort.parse(req.query.sort)];
    const list = sort
      ? spaces.gallery(principalOf(res), { sort, owner: filter.author, search: filter.search, limit: Math.min(filter.limit ?? 1000, 10_000), offset: 0 }).spaces
      : spaces.list(principalOf(res), filter);
    res.json(await Promise.all(list.map((s) => spaces.info(s, urlsOf(spaces, req), { brief: true, viewer: principalOf(res) }))));
  });

  // `hf spaces search` (HfApi.search_spaces): the gallery's search per word, in the Hub's result shape.
  r.get('/api/spaces/semantic-search', async (req, res) => {
    const q = searchQuery.parse(req.query);
    const sdks = q.sdk === undefined ? undefined : Array.isArray(q.sdk) ? q.sdk : [q.sdk];
    res.json(await spaces.search(principalOf(res), { q: q.q, ...(sdks ? { sdks } : {}), includeNonRunning: q.includeNonRunning === 'true' || q.includeNonRunning === 'True' }));
  });

  // `hf repos ls` (HfApi.list_user_repos): the caller's (or an organization's) Spaces with their storage.
  r.get('/api/settings/repositories', async (_req, res) => {
    res.json(await spaces.repositories(principalOf(res)));
  });
  r.get('/api/organizations/:org/settings/repositories', async (req, res) => {
    res.json(await spaces.repositories(principalOf(res), String(req.params.org)));
  });

  r.get('/api/spaces/hardware', (_req, res) => {
    res.json(flavors());
  });

  r.get('/api/spaces/by-subdomain/:subdomain', async (req, res) => {
    const space = spaces.getBySubdomain(principalOf(res), String(req.params.subdomain).toLowerCase());
    res.json(await spaces.info(space, urlsOf(spaces, req), { viewer: principalOf(res) }));
  });

  r.get('/api/spaces/:owner/:name', async (req, res) => {
    res.json(await spaces.info(spaces.get(principalOf(res), spaceIdOf(req)), urlsOf(spaces, req), { viewer: principalOf(res) }));
  });

  r.get('/api/spaces/:owner/:name/revision/:rev', async (req, res) => {
    const space = spaces.get(principalOf(res), spaceIdOf(req));
    if (req.params.rev !== 'main' && req.params.rev !== space.headSha) throw new SpaceportError('RevisionNotFound');
    res.json(await spaces.info(space, urlsOf(spaces, req), { viewer: principalOf(res) }));
  });

  // Likes: the Space is resolved first (private is missing); liking needs a signed-in writer (space-likes.ts).
  r.post('/api/spaces/:owner/:name/like', (req, res) => {
    res.json(spaces.likes.set(principalOf(res), spaces.get(principalOf(res), spaceIdOf(req)), true));
  });
  r.delete('/api/spaces/:owner/:name/like', (req, res) => {
    res.json(spaces.likes.set(principalOf(res), spaces.get(principalOf(res), spaceIdOf(req)), false));
  });
  r.get('/api/spaces/:owner/:name/likers', (req, res) => {
    res.json(spaces.likes.likers(spaces.get(principalOf(res), spaceIdOf(req))));
  });
  r.get('/api/users/:user/likes', (req, res) => {
    res.json(spaces.likes.ofUser(principalOf(res), String(req.params.user)));
  });

  r.get('/api/spaces/:owner/:name/runtime', async (req, res) => {
    res.json(await spaces.runtimeOf(spaces.get(principalOf(res), spaceIdOf(req))));
  });

  r.get('/api/spaces/:owner/:name/host', (req, res) => {
    const space = spaces.get(principalOf(res), spaceIdOf(req));
    res.json({ host: spaceHost(space, urlsOf(spaces, req)), subdomain: space.subdomain });
  });

  r.post('/api/spaces/:owner/:name/pause', async (req, res) => {
    const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
    await spaces.pause(space);
    res.json(await spaces.runtimeOf(space));
  });

  r.post('/api/spaces/:owner/:name/restart', async (req, res) => {
    const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
    await spaces.restart(space, { factory: req.query.factory === 'true' || req.query.factory === '1' });
    res.json(await spaces.runtimeOf(space));
  });

  r.post('/api/spaces/:owner/:name/sleeptime', async (req, res) => {
    const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
    await spaces.setSleepTime(space, sleepBody.parse(req.body ?? {}).seconds);
    res.json(await spaces.runtimeOf(space));
  });

  r.post('/api/spaces/:owner/:name/hardware', async (req, res) => {
    const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
    const body = hardwareBody.parse(req.body ?? {});
    await spaces.setHardware(space, body.flavor, body.sleepTimeSeconds);
    res.json(await spaces.runtimeOf(space));
  });

  r.post('/api/spaces/:owner/:name/storage', async (req, res) => {
    const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
    await spaces.setStorage(space, storageBody.parse(req.body ?? {}).tier);
    res.json(await spaces.runtimeOf(space));
  });

  r.delete('/api/spaces/:owner/:name/storage', async (req, res) => {
    const space = spaces.getForWrite(principalOf(res), spaceIdOf(req));
    await spaces.deleteStorage(space);
    res.json(await spaces.runtimeOf(space));
  });

  return r;
}
