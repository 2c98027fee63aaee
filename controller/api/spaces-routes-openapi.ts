import { z } from 'zod';
import type { ErrorCode } from '../../core/index.js';
import type { RouterDocs } from './openapi.js';
import { hardwareShape, runtimeShape, spaceInfoShape } from './openapi-shapes.js';
import { hardwareBody, listSort, searchQuery, sleepBody, storageBody } from './spaces-routes.js';

const READ: ErrorCode[] = ['InvalidName', 'RepoNotFound'];
const WRITE: ErrorCode[] = [...READ, 'Forbidden', 'ReadOnlyToken'];
/** `expand=…` (huggingface_hub's `expand=[…]`, e.g. `trendingScore`): every key it may ask for is always in the answer. */
const EXPAND = { schema: z.string(), description: 'Repeatable; accepted: the answer always carries every key `expand` may ask for (`trendingScore`, `likes`, `runtime`, …), a superset of the Hub\'s.' };
const runtime = { schema: runtimeShape, description: 'The Space runtime (stage, hardware, storage, sleep time).' };

/** `spaces-routes.ts`. */
export const spacesRoutesDocs: RouterDocs = {
  tag: 'spaces',
  description: 'Space info, runtime and lifecycle, in the Hub\'s shapes.',
  routes: {
    'GET /api/spaces': {
      summary: 'List the Spaces the caller can read',
      query: {
        author: { schema: z.string(), description: 'Only Spaces of this owner.' },
        search: { schema: z.string(), description: 'Only Spaces whose id contains this text (case-insensitive).' },
        limit: { schema: z.string(), description: 'At most this many (a positive whole number; others are ignored).' },
        sort: { schema: listSort, description: 'Most first: `trendingScore` (each Space\'s `trendingScore`: likes in the last 7 days; ties: visited in the last 7 days, then likes), `likes`, `createdAt`, `lastModified`; `id` in order (up to `limit`, 1,000 by default). Without it: id order.' },
        direction: { schema: z.string(), description: 'Accepted and ignored (most first, as the Hub with `-1`).' },
        expand: EXPAND,
      },
      ok: { schema: { type: 'array', items: spaceInfoShape } },
    },
    'GET /api/spaces/hardware': { summary: 'The hardware flavors offered here', ok: { schema: hardwareShape } },
    'GET /api/spaces/semantic-search': {
      summary: 'Search Spaces (`hf spaces search`): each word against id, title and short description, ranked by the share of words matched',
      query: {
        q: { schema: searchQuery.shape.q, description: 'The query.' },
        sdk: { schema: z.string(), description: 'Only Spaces of this SDK (repeatable).' },
        filter: { schema: z.string(), description: 'Accepted and ignored (no categories here).' },
        includeNonRunning: { schema: z.string(), description: '`true`: also Spaces that are not running.' },
      },
      ok: { schema: { type: 'array', items: { type: 'object', required: ['id', 'author', 'title', 'sdk', 'runtime', 'semanticRelevancyScore'] } } },
      errors: ['BadRequest'],
    },
    'GET /api/settings/repositories': {
      summary: 'The caller\'s Spaces with the storage they use (`hf repos ls`)',
      auth: 'required',
      ok: { schema: { type: 'array', items: { type: 'object', required: ['id', 'type', 'updatedAt', 'visibility', 'storage'] } } },
      errors: ['Unauthorized'],
    },
    'GET /api/organizations/:org/settings/repositories': {
      summary: 'An organization\'s Spaces the caller can read, with the storage they use (`hf repos ls --namespace`)',
      auth: 'required',
      params: { org: z.string().max(96) },
      ok: { schema: { type: 'array', items: { type: 'object', required: ['id', 'type', 'updatedAt', 'visibility', 'storage'] } } },
      errors: ['Unauthorized'],
    },
    'GET /api/spaces/by-subdomain/:subdomain': {
      summary: 'The Space served at a subdomain',
      params: { subdomain: z.string().max(253) },
      ok: { schema: spaceInfoShape },
      errors: ['RepoNotFound'],
    },
    'GET /api/spaces/:owner/:name': { summary: 'Space info (`space_info`)', query: { expand: EXPAND }, ok: { schema: spaceInfoShape }, errors: READ },
    'GET /api/spaces/:owner/:name/revision/:rev': {
      summary: 'Space info at a revision: a branch, tag or commit (`space_info(revision=…)`, `snapshot_download`)',
      params: { rev: z.string() },
      query: { expand: EXPAND },
      ok: { schema: spaceInfoShape },
      errors: [...READ, 'RevisionNotFound'],
    },
    'GET /api/spaces/:owner/:name/runtime': { summary: 'The Space runtime (`get_space_runtime`)', ok: runtime, errors: READ },
    'GET /api/spaces/:owner/:name/host': {
      summary: 'The host the Space is served at',
      ok: { schema: { type: 'object', required: ['host', 'subdomain'], properties: { host: { type: 'string' }, subdomain: { type: 'string' } } } },
      errors: READ,
    },
    'POST /api/spaces/:owner/:name/like': {
      summary: 'Like the Space as the caller',
      auth: 'required',
      ok: { schema: { type: 'object', required: ['likes', 'liked'], properties: { likes: { type: 'integer' }, liked: { type: 'boolean' } } } },
      errors: [...READ, 'Unauthorized', 'ReadOnlyToken'],
    },
    'DELETE /api/spaces/:owner/:name/like': {
      summary: 'Unlike the Space (`unlike`)',
      auth: 'required',
      ok: { schema: { type: 'object', required: ['likes', 'liked'], properties: { likes: { type: 'integer' }, liked: { type: 'boolean' } } } },
      errors: [...READ, 'Unauthorized', 'ReadOnlyToken'],
    },
    'GET /api/spaces/:owner/:name/likers': {
      summary: 'The users who like the Space (`list_repo_likers`)',
      ok: { schema: { type: 'array', items: { type: 'object', required: ['user', 'fullname', 'avatarUrl'] } } },
      errors: READ,
    },
    'GET /api/users/:user/likes': {
      summary: 'The Spaces a user likes that the caller can read (`list_liked_repos`)',
      params: { user: z.string().max(96) },
      ok: { schema: { type: 'array', items: { type: 'object', required: ['createdAt', 'repo'] } } },
      errors: ['NotFound'],
    },
    'POST /api/spaces/:owner/:name/pause': { summary: 'Pause (stops it; visitors do not wake it)', auth: 'required', ok: runtime, errors: [...WRITE, 'NotSupportedForStatic'] },
    'POST /api/spaces/:owner/:name/restart': {
      summary: 'Restart (or resume a paused Space)',
      auth: 'required',
      query: { factory: { schema: z.enum(['true', 'false', '1', '0']), description: 'Rebuild from scratch.' } },
      ok: runtime,
      errors: WRITE,
    },
    'POST /api/spaces/:owner/:name/sleeptime': { summary: 'Set the idle time before sleep', auth: 'required', body: sleepBody, ok: runtime, errors: WRITE },
    'POST /api/spaces/:owner/:name/hardware': { summary: 'Request another hardware flavor (a new release)', auth: 'required', body: hardwareBody, ok: runtime, errors: WRITE },
    'POST /api/spaces/:owner/:name/storage': {
      summary: 'Request persistent storage',
      auth: 'required',
      body: storageBody,
      ok: runtime,
      errors: [...WRITE, 'NotSupportedForStatic', 'StorageDowngrade'],
    },
    'DELETE /api/spaces/:owner/:name/storage': { summary: 'Delete persistent storage', auth: 'required', ok: runtime, errors: [...WRITE, 'NoStorage'] },
  },
};
