import type { ErrorCode } from '../../core/index.js';
import { batchBody, LFS_JSON, verifyBody } from './lfs-routes.js';
import { NAME_PATTERN, type JsonSchema, type RouterDocs } from './openapi.js';

const gitName: JsonSchema = { type: 'string', description: 'The Space name, optionally with `.git`.', pattern: NAME_PATTERN, maxLength: 100, examples: ['demo', 'demo.git'] };
const oid: JsonSchema = { type: 'string', description: 'The object\'s sha256 (64 lowercase hex digits).', pattern: '^[0-9a-f]{64}$' };
const grant = {
  size: { schema: { type: 'string', pattern: '^[0-9]{1,15}$' }, description: 'The object\'s size (part of a signed transfer URL).' },
  expires: { schema: { type: 'string', pattern: '^[0-9]{1,12}$' }, description: 'When the URL expires (Unix seconds).' },
  sig: { schema: { type: 'string' }, description: 'The signature the batch API put in the URL; without it, the caller\'s own token decides.' },
};
const ACCESS: ErrorCode[] = ['InvalidName', 'Unauthorized', 'Forbidden', 'ReadOnlyToken', 'RepoNotFound'];
const lfsObject = { type: 'object', required: ['oid', 'size'], properties: { oid: { type: 'string' }, size: { type: 'integer' }, authenticated: { type: 'boolean' }, actions: { type: 'object' }, error: { type: 'object' } } };

/** `lfs-routes.ts`: the Git LFS batch API (basic transfer) on the Spaces git remote. */
export const lfsRoutesDocs: RouterDocs = {
  tag: 'lfs',
  description: 'Git LFS (`git lfs push`, huggingface_hub uploads over 10 MiB): the batch API and signed transfer URLs. Auth as git (a token as the Basic password) or Bearer.',
  routes: {
    'POST /spaces/:owner/:name/info/lfs/objects/batch': {
      summary: 'Batch: upload or download actions for up to 1000 objects',
      params: { name: gitName },
      body: { contentType: LFS_JSON, schema: batchBody },
      ok: { contentType: LFS_JSON, schema: { type: 'object', required: ['transfer', 'objects'], properties: { transfer: { const: 'basic' }, objects: { type: 'array', items: lfsObject }, hash_algo: { const: 'sha256' } } } },
      errors: ACCESS,
    },
    'PUT /spaces/:owner/:name/info/lfs/objects/:oid': {
      summary: 'Upload an object (the bytes; its sha256 and size are checked)',
      params: { name: gitName, oid },
      query: grant,
      body: { contentType: 'application/octet-stream', schema: { type: 'string', format: 'binary' } },
      ok: { contentType: '' },
      errors: [...ACCESS, 'BadSignature'],
    },
    'POST /spaces/:owner/:name/info/lfs/objects/:oid/verify': {
      summary: 'Verify an upload',
      params: { name: gitName, oid },
      query: grant,
      body: { contentType: LFS_JSON, schema: verifyBody },
      ok: { contentType: LFS_JSON, schema: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } } },
      errors: [...ACCESS, 'NotFound'],
    },
    'GET /spaces/:owner/:name/info/lfs/objects/:oid': {
      summary: 'Download an object',
      params: { name: gitName, oid },
      query: grant,
      ok: { contentType: 'application/octet-stream', schema: { type: 'string', format: 'binary' } },
      errors: [...ACCESS, 'NotFound'],
    },
  },
};
