import type { ErrorCode } from '../../core/index.js';
import type { RouterDocs } from './openapi.js';
import { runtimeShape } from './openapi-shapes.js';
import { upstreamBody } from './upstream-routes.js';

const WRITE: ErrorCode[] = ['InvalidName', 'RepoNotFound', 'Forbidden', 'ReadOnlyToken'];

/** `upstream-routes.ts`. */
export const upstreamRoutesDocs: RouterDocs = {
  tag: 'upstream',
  description: 'Pull mode: a Space that follows an upstream git repository.',
  routes: {
    'PUT /api/spaces/:owner/:name/upstream': {
      summary: 'Follow an upstream repository (`null` stops following)',
      auth: 'required',
      body: upstreamBody,
      ok: {
        schema: {
          type: 'object',
          required: ['upstream'],
          properties: { upstream: { type: ['object', 'null'] }, webhookSecret: { type: 'string' }, webhookUrl: { type: 'string' } },
        },
      },
      errors: [...WRITE, 'InvalidUpstream'],
    },
    'POST /api/spaces/:owner/:name/upstream/sync': {
      summary: 'Fetch the upstream now (and build a new head)',
      auth: 'required',
      ok: { schema: runtimeShape },
      errors: [...WRITE, 'UpstreamFetchFailed'],
    },
    'POST /api/spaces/:owner/:name/webhook': {
      summary: 'The upstream\'s push webhook (GitHub, GitLab or Gitea signature)',
      auth: 'none',
      body: { contentType: 'application/json', schema: { type: 'object' }, required: false },
      ok: { status: 202, schema: { type: 'object', required: ['ok'], properties: { ok: { const: true }, fetched: { type: 'boolean' } } } },
      errors: ['InvalidName', 'RepoNotFound', 'BadSignature', 'UpstreamFetchFailed'],
    },
  },
};
