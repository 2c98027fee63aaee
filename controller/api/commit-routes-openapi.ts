import type { ErrorCode } from '../../core/index.js';
import { branchBody, preuploadBody, tagBody, validateYamlBody } from './commit-routes.js';
import type { JsonSchema, RouterDocs } from './openapi.js';

export const REV_PARAM: JsonSchema = { type: 'string', description: 'A branch, tag or commit (URL-encoded).', minLength: 1, maxLength: 255, examples: ['main'] };
const WRITE: ErrorCode[] = ['InvalidName', 'RepoNotFound', 'Forbidden', 'ReadOnlyToken'];
const NAME_PARAM: JsonSchema = { type: 'string', description: 'A branch or tag name (URL-encoded).', minLength: 1, maxLength: 255, examples: ['dev'] };
const EMPTY: JsonSchema = { type: 'object' };

/** `commit-routes.ts`. */
export const commitRoutesDocs: RouterDocs = {
  tag: 'files',
  description: 'Files without git: `preupload`, `commit` (`upload_file`, `upload_folder`, `create_commit`), downloads, listings and history.',
  routes: {
    'POST /api/validate-yaml': {
      summary: 'Check a README.md\'s front matter (huggingface_hub calls it before committing one)',
      body: validateYamlBody,
      ok: { schema: { type: 'object', required: ['errors', 'warnings'], properties: { errors: { type: 'array' }, warnings: { type: 'array' } } } },
    },
    'GET /api/spaces/:owner/:name/xet-write-token/:rev': {
      summary: 'Xet storage is not offered: a 400 telling the client to use Git LFS',
      params: { rev: REV_PARAM },
      ok: { schema: { type: 'object' } },
      errors: ['InvalidName', 'RepoNotFound'],
    },
    'GET /api/spaces/:owner/:name/xet-read-token/:rev': {
      summary: 'Xet storage is not offered: a 400 telling the client to use Git LFS',
      params: { rev: REV_PARAM },
      ok: { schema: { type: 'object' } },
      errors: ['InvalidName', 'RepoNotFound'],
    },
    'POST /api/spaces/:owner/:name/preupload/:rev': {
      summary: 'Which files go inline and which to Git LFS, and which are ignored',
      auth: 'required',
      params: { rev: REV_PARAM },
      body: preuploadBody,
      ok: { schema: { type: 'object', required: ['files'], properties: { files: { type: 'array', items: { type: 'object', required: ['path', 'uploadMode'], properties: { path: { type: 'string' }, uploadMode: { enum: ['regular', 'lfs'] }, shouldIgnore: { type: 'boolean' }, oid: { type: ['string', 'null'] } } } }, commitOid: {} } } },
      errors: [...WRITE, 'RevisionNotFound'],
    },
    'POST /api/spaces/:owner/:name/commit/:rev': {
      summary: 'Commit (the Hub\'s ndjson: a `header` line, then `file`, `lfsFile`, `deletedFile`, `deletedFolder`, `copyFile` lines)',
      description: 'The body is `application/x-ndjson`: one JSON object per line, `{"key": "header", "value": {"summary", "description", "parentCommit"?}}` first; regular files are base64 inside their line, LFS files name an object uploaded through the batch API. `create_pr` is refused.',
      auth: 'required',
      params: { rev: REV_PARAM },
      query: {
        create_pr: { schema: { type: 'string' }, description: 'Pull requests are not supported: `1`/`true` is refused.' },
      },
      body: { contentType: 'application/x-ndjson', schema: { type: 'string', description: 'JSON lines.' } },
      ok: { schema: { type: 'object', required: ['success', 'commitOid', 'commitUrl'], properties: { success: { const: true }, commitOid: { type: 'string' }, commitUrl: { type: 'string' }, hookOutput: { type: 'string' }, pullRequestUrl: { type: 'null' } } } },
      errors: [...WRITE, 'RevisionNotFound', 'EntryNotFound', 'PreconditionFailed', 'InvalidConfig', 'NotSupportedForStatic'],
    },
    'POST /api/spaces/:owner/:name/branch/:branch': {
      summary: 'Create a branch (`create_branch`) at `startingPoint` (default: main\'s head); only main builds',
      auth: 'required',
      params: { branch: NAME_PARAM },
      body: branchBody,
      ok: { schema: EMPTY },
      errors: [...WRITE, 'BadRequest', 'RevisionNotFound', 'RefExists'],
    },
    'DELETE /api/spaces/:owner/:name/branch/:branch': {
      summary: 'Delete a branch (`delete_branch`); main cannot be deleted',
      auth: 'required',
      params: { branch: NAME_PARAM },
      ok: { schema: EMPTY },
      errors: [...WRITE, 'BadRequest', 'RevisionNotFound'],
    },
    'POST /api/spaces/:owner/:name/tag/:rev': {
      summary: 'Tag the commit `rev` names (`create_tag`): annotated with `message`, lightweight without',
      auth: 'required',
      params: { rev: REV_PARAM },
      body: tagBody,
      ok: { schema: EMPTY },
      errors: [...WRITE, 'BadRequest', 'RevisionNotFound', 'RefExists'],
    },
    'DELETE /api/spaces/:owner/:name/tag/:tag': {
      summary: 'Delete a tag (`delete_tag`)',
      auth: 'required',
      params: { tag: NAME_PARAM },
      ok: { schema: EMPTY },
      errors: [...WRITE, 'BadRequest', 'RevisionNotFound'],
    },
  },
};
