import { z } from 'zod';
import type { ErrorCode } from '../../core/index.js';
import { activityBatchSchema, wakeBodySchema } from '../../proxy/index.js';
import { NAME_PATTERN, type RouterDocs } from './openapi.js';

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

/** Git smart HTTP on the hub host (`hub-server.ts` → `controller/git/git-http.ts`, stock `git http-backend`). */
export const gitRoutesDocs: RouterDocs = {
  tag: 'git',
  description: 'Clone, fetch and push (`git clone http://host/spaces/{owner}/{name}`); Basic auth with a token as the password.',
  routes: {
    'GET /spaces/:owner/:name/info/refs': {
      summary: 'Ref advertisement (smart HTTP)',
      auth: 'none',
      params: { name: gitName },
      query: { service: { schema: z.enum(['git-upload-pack', 'git-receive-pack']), required: true } },
      ok: { contentType: ['application/x-git-upload-pack-advertisement', 'application/x-git-receive-pack-advertisement'], schema: { type: 'string' } },
      errors: GIT_ERRORS,
    },
    'POST /spaces/:owner/:name/git-upload-pack': {
      summary: 'Fetch (upload-pack)',
      auth: 'none',
      params: { name: gitName },
      body: { contentType: 'application/x-git-upload-pack-request', schema: { type: 'string', format: 'binary' } },
      ok: { contentType: 'application/x-git-upload-pack-result', schema: { type: 'string' } },
      errors: GIT_ERRORS,
    },
    'POST /spaces/:owner/:name/git-receive-pack': {
      summary: 'Push (receive-pack); files over 10 MiB are refused',
      auth: 'none',
      params: { name: gitName },
      body: { contentType: 'application/x-git-receive-pack-request', schema: { type: 'string', format: 'binary' } },
      ok: { contentType: 'application/x-git-receive-pack-result', schema: { type: 'string' } },
      errors: GIT_ERRORS,
    },
    'GET /spaces/:owner/:name/HEAD': {
      summary: 'The default branch (dumb HTTP clients)',
      auth: 'none',
      params: { name: gitName },
      ok: { contentType: 'text/plain', schema: { type: 'string' } },
      errors: GIT_ERRORS,
    },
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
