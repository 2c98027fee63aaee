import { z } from 'zod';
import type { ErrorCode } from '../../core/index.js';
import { activityBatchSchema, wakeBodySchema } from '../../proxy/index.js';
import { NAME_PATTERN, type RouteDoc, type RouterDocs } from './openapi.js';

/** Routes of `create-api.ts` itself. */
export const hubRoutesDocs: RouterDocs = {
  tag: 'hub',
  routes: {
    'GET /healthz': { summary: 'Liveness', ok: { schema: { type: 'object', required: ['ok'], properties: { ok: { const: true } } } } },
    'GET /openapi.json': { summary: 'This description (OpenAPI 3.1)', ok: { schema: { type: 'object', required: ['openapi', 'paths'] } } },
  },
};

const GIT_ERRORS: ErrorCode[] = ['InvalidName', 'Unauthorized', 'Forbidden', 'ReadOnlyToken', 'RepoNotFound', 'NotFound'];
const gitName = { type: 'string', description: 'The Space name, optionally with `.git`.', pattern: NAME_PATTERN, maxLength: 100, examples: ['demo', 'demo.git'] };

/** A smart-HTTP route: its answer's content type and, for a POST, the binary body git sends. */
function gitRoute(summary: string, okType: string | string[], bodyType?: string): RouteDoc {
  return {
    summary,
    auth: 'none',
    params: { name: gitName },
    ...(bodyType ? { body: { contentType: bodyType, schema: { type: 'string', format: 'binary' } } } : {}),
    ok: { contentType: okType, schema: { type: 'string' } },
    errors: GIT_ERRORS,
  };
}

/** Git smart HTTP on the hub host (`hub-server.ts` → `controller/git/git-http.ts`, stock `git http-backend`). */
export const gitRoutesDocs: RouterDocs = {
  tag: 'git',
  description: 'Clone, fetch and push (`git clone http://host/spaces/{owner}/{name}`); Basic auth with a token as the password.',
  routes: {
    'GET /spaces/:owner/:name/info/refs': {
      ...gitRoute('Ref advertisement (smart HTTP)', ['application/x-git-upload-pack-advertisement', 'application/x-git-receive-pack-advertisement']),
      query: { service: { schema: z.enum(['git-upload-pack', 'git-receive-pack']), required: true } },
    },
    'POST /spaces/:owner/:name/git-upload-pack': gitRoute('Fetch (upload-pack)', 'application/x-git-upload-pack-result', 'application/x-git-upload-pack-request'),
    'POST /spaces/:owner/:name/git-receive-pack': gitRoute('Push (receive-pack); files over 10 MiB are refused', 'application/x-git-receive-pack-result', 'application/x-git-receive-pack-request'),
    'GET /spaces/:owner/:name/HEAD': gitRoute('The default branch (dumb HTTP clients)', 'text/plain'),
  },
};

/** `/internal/` for proxy replicas (`controller/internal-api/`): 404 unless SPACEPORT_INTERNAL_TOKEN is set. */
export const internalRoutesDocs: RouterDocs = {
  tag: 'internal',
  description: 'For proxy replicas only, with `Authorization: Bearer <SPACEPORT_INTERNAL_TOKEN>`; `/internal/routes` is a websocket.',
  routes: {
    'POST /internal/activity': {
      summary: 'A batch of Space activity',
      auth: 'none',
      body: activityBatchSchema,
      ok: { status: 204, description: 'Recorded', contentType: '' },
      errors: ['Unauthorized', 'NotFound'],
    },
    'POST /internal/wake': {
      summary: 'Wake a sleeping Space',
      auth: 'none',
      body: wakeBodySchema,
      ok: { status: 204, description: 'Woken', contentType: '' },
      errors: ['Unauthorized', 'NotFound'],
    },
  },
};
