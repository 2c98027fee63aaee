import type { ErrorCode } from '../../core/index.js';
import { REV_PARAM } from './commit-routes-openapi.js';
import type { JsonSchema, RouteDoc, RouterDocs } from './openapi.js';

const filePath: JsonSchema = { type: 'string', description: 'A path in the repository (its segments may hold `/`).', minLength: 1, maxLength: 500, examples: ['README.md', 'app.py'] };
const READ: ErrorCode[] = ['InvalidName', 'RepoNotFound', 'RevisionNotFound'];
const entry = { type: 'object', required: ['type', 'path'], properties: { type: { enum: ['file', 'directory'] }, oid: { type: 'string' }, size: { type: 'integer' }, path: { type: 'string' }, lfs: { type: 'object' } } };
const flag = { schema: { type: 'string', enum: ['true', 'false', 'True', 'False', '1', '0'] } };

const resolve = (method: 'GET' | 'HEAD'): RouteDoc => ({
  summary: method === 'GET' ? 'Download a file (`hf_hub_download`); one `Range` is honoured (206)' : 'A file\'s metadata (`get_hf_file_metadata`)',
  params: { rev: REV_PARAM, path: filePath },
  query: { download: { ...flag, description: 'Answer with `Content-Disposition: attachment` (the file\'s name), as the Hub\'s download links.' } },
  ok: {
    contentType: method === 'GET' ? 'application/octet-stream' : '',
    ...(method === 'GET' ? { schema: { type: 'string', format: 'binary' } } : {}),
    headers: { 'X-Repo-Commit': { type: 'string' }, ETag: { type: 'string' } },
  },
  errors: [...READ, 'EntryNotFound', 'RangeNotSatisfiable'],
});

const tree = (withPath: boolean): RouteDoc => ({
  summary: withPath ? 'A folder\'s entries (paginated by `Link`)' : 'The root\'s entries (`list_repo_tree`, paginated by `Link`)',
  params: { rev: REV_PARAM, ...(withPath ? { path: filePath } : {}) },
  query: {
    recursive: { ...flag, description: 'All entries below, not only the folder\'s own.' },
    expand: { ...flag, description: 'Each entry with its `lastCommit` ({id, title, date}); pages of at most 50.' },
    limit: { schema: { type: 'string', pattern: '^[0-9]{1,9}$' }, description: 'Page size, up to 1000 (50 when expanded).' },
    cursor: { schema: { type: 'string' }, description: 'From the `Link` header of the previous page.' },
  },
  ok: { schema: { type: 'array', items: entry } },
  errors: [...READ, 'EntryNotFound'],
});

/** `repo-files-routes.ts` (its `revision/{rev}`, which shadows the spaces router's, is described there). */
export const repoFilesRoutesDocs: RouterDocs = {
  tag: 'files',
  routes: {
    'GET /spaces/:owner/:name/resolve/:rev/*path': resolve('GET'),
    'HEAD /spaces/:owner/:name/resolve/:rev/*path': resolve('HEAD'),
    'GET /api/spaces/:owner/:name/tree/:rev': tree(false),
    'GET /api/spaces/:owner/:name/tree/:rev/*path': tree(true),
    'POST /api/spaces/:owner/:name/paths-info/:rev': {
      summary: 'Entries for the given paths (`get_paths_info`); a form with `paths` repeated, or JSON',
      params: { rev: REV_PARAM },
      body: {
        contentType: 'application/x-www-form-urlencoded',
        schema: { type: 'object', properties: { paths: { type: 'array', items: { type: 'string' }, maxItems: 1000 }, expand: { type: 'string' } } },
      },
      ok: { schema: { type: 'array', items: entry } },
      errors: READ,
    },
    'GET /api/spaces/:owner/:name/commits/:rev': {
      summary: 'History (`list_repo_commits`), newest first, paginated by `Link`',
      params: { rev: REV_PARAM },
      query: {
        p: { schema: { type: 'string', pattern: '^[0-9]{1,7}$' }, description: 'Page number from 0.' },
        limit: { schema: { type: 'string', pattern: '^[0-9]{1,4}$' }, description: 'Page size, up to 1000.' },
      },
      ok: { schema: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' }, message: { type: 'string' }, authors: { type: 'array' }, date: { type: 'string' } } } }, headers: { 'X-Total-Count': { type: 'string' } } },
      errors: READ,
    },
    'GET /api/spaces/:owner/:name/refs': {
      summary: 'Branches and tags (`list_repo_refs`)',
      query: { include_prs: { ...flag, description: 'Also list pull requests (always none).' } },
      ok: { schema: { type: 'object', required: ['branches', 'tags', 'converts'], properties: { branches: { type: 'array' }, tags: { type: 'array' }, converts: { type: 'array' }, pullRequests: { type: 'array' } } } },
      errors: ['InvalidName', 'RepoNotFound'],
    },
  },
};
