import { Router, type Request, type Response } from 'express';
import express from 'express';
import type { Readable } from 'node:stream';
import { SpaceportError, fail } from '../../core/index.js';
import { entryJson, type RepoFiles, type SpaceService } from '../spaces/index.js';
import { principalOf, spaceIdOf, urlsOf } from './context.js';

const TREE_PAGE = 1000;
const TREE_PAGE_EXPANDED = 50;
const COMMITS_PAGE = 50;

/** A path parameter of a `*name` route (decoded segments), joined; empty when absent. */
export function wildcardPath(req: Request, name = 'path'): string {
  const v = req.params[name] as unknown;
  return Array.isArray(v) ? v.join('/') : typeof v === 'string' ? v : '';
}

function intParam(v: unknown, name: string, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d{1,9}$/.test(v) || n > max) throw fail('queryIntInvalid', { name, max });
  return n;
}

function flag(v: unknown): boolean {
  return v === 'true' || v === 'True' || v === '1';
}

/** `Range: bytes=a-b` (one range) → inclusive bounds; undefined = the whole file; 416 when unsatisfiable. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // other units or several ranges: the whole file
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw new SpaceportError('RangeNotSatisfiable');
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) throw fail('rangeOutsideFile', { range: header, size });
  return { start, end };
}

/** `attachment; filename="…"; filename*=UTF-8''…` for a repo path (its last segment; quotes and non-ASCII replaced in the plain form). */
export function contentDisposition(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function sendBody(res: Response, body: Readable | Buffer): void {
  if (Buffer.isBuffer(body)) {
    res.end(body);
    return;
  }
  body.on('error', (err) => res.destroy(err));
  res.on('close', () => body.destroy());
  body.pipe(res);
}

/**
 * Browsing and downloading a Space's files as on the Hub: `resolve` (GET/HEAD, ranges, LFS files
 * from the store), `tree` (paginated), `paths-info`, `commits`, `refs`, `revision`.
 */
export function repoFilesRoutes(spaces: SpaceService, files: RepoFiles): Router {
  const r = Router();

  const resolve = async (req: Request, res: Response): Promise<void> => {
    const space = spaces.getForCode(principalOf(res), spaceIdOf(req));
    const commit = await files.resolve(space, String(req.params.rev));
    const file = await files.file(space, commit, wildcardPath(req));
    res.setHeader('X-Repo-Commit', commit);
    res.setHeader('ETag', `"${file.etag}"`);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // The web UI's Download link (`?download=true`, as on the Hub): saved under the file's own name.
    if (flag(req.query.download)) res.setHeader('Content-Disposition', contentDisposition(file.entry.path));
    res.setHeader('Access-Control-Expose-Headers', 'X-Repo-Commit, X-Linked-Etag, X-Linked-Size, ETag, Content-Range, Accept-Ranges, X-Error-Code, X-Error-Message');
    if (file.entry.lfs) {
      res.setHeader('X-Linked-Etag', `"${file.etag}"`);
      res.setHeader('X-Linked-Size', String(file.size));
    }
    let range: { start: number; end: number } | undefined;
    try {
      range = parseRange(req.headers.range, file.size);
    } catch (err) {
      res.setHeader('Content-Range', `bytes */${file.size}`);
      throw err;
    }
    if (range) {
      res.status(206).setHeader('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
      res.setHeader('Content-Length', String(range.end - range.start + 1));
    } else {
      res.setHeader('Content-Length', String(file.size));
    }
    if (req.method === 'HEAD' || file.size === 0) {
      res.end();
      return;
    }
    sendBody(res, await file.open(range));
  };
  r.get('/spaces/:owner/:name/resolve/:rev/*path', resolve);
  r.head('/spaces/:owner/:name/resolve/:rev/*path', resolve);

  const tree = async (req: Request, res: Response): Promise<void> => {
    const space = spaces.getForCode(principalOf(res), spaceIdOf(req));
    const commit = await files.resolve(space, String(req.params.rev));
    const entries = await files.tree(space, commit, { dir: wildcardPath(req), recursive: flag(req.query.recursive) });
    const expand = flag(req.query.expand);
    // Expanded pages are smaller, as on the Hub (each entry's last commit is looked up).
    const max = expand ? TREE_PAGE_EXPANDED : TREE_PAGE;
    const limit = Math.min(intParam(req.query.limit, 'limit', TREE_PAGE) ?? max, max);
    const cursor = typeof req.query.cursor === 'string' ? Number(Buffer.from(req.query.cursor, 'base64url').toString()) : 0;
    if (!Number.isSafeInteger(cursor) || cursor < 0) throw fail('treeCursorInvalid');
    const page = entries.slice(cursor, cursor + limit);
    if (cursor + limit < entries.length) {
      const next = new URL(`${urlsOf(spaces, req).publicUrl}${req.originalUrl}`);
      next.searchParams.set('cursor', Buffer.from(String(cursor + limit)).toString('base64url'));
      res.setHeader('Link', `<${next.toString()}>; rel="next"`);
    }
    res.json(expand ? await files.expanded(space, commit, page) : page.map((e) => entryJson(e)));
  };
  r.get('/api/spaces/:owner/:name/tree/:rev', tree);
  r.get('/api/spaces/:owner/:name/tree/:rev/*path', tree);

  // huggingface_hub posts a form (`paths` repeated, `expand`); JSON is accepted too.
  r.post('/api/spaces/:owner/:name/paths-info/:rev', express.urlencoded({ extended: false, limit: '1mb' }), express.json({ limit: '1mb' }), async (req, res) => {
    const space = spaces.getForCode(principalOf(res), spaceIdOf(req));
    const commit = await files.resolve(space, String(req.params.rev));
    const raw = (req.body as { paths?: unknown } | undefined)?.paths;
    const paths = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    if (paths.length > 1000 || !paths.every((p): p is string => typeof p === 'string')) {
      throw fail('pathsInfoListInvalid');
    }
    const found = await files.pathsInfo(space, commit, paths);
    const expand = (req.body as { expand?: unknown } | undefined)?.expand;
    res.json(expand === true || (typeof expand === 'string' && flag(expand)) ? await files.expanded(space, commit, found) : found.map((e) => entryJson(e)));
  });

  r.get('/api/spaces/:owner/:name/commits/:rev', async (req, res) => {
    const space = spaces.getForCode(principalOf(res), spaceIdOf(req));
    const commit = await files.resolve(space, String(req.params.rev));
    const p = intParam(req.query.p, 'p', 1_000_000) ?? 0;
    const limit = intParam(req.query.limit, 'limit', 1000) ?? COMMITS_PAGE;
    const { commits, total } = await files.commits(space, commit, { skip: p * limit, limit });
    if ((p + 1) * limit < total) {
      const next = new URL(`${urlsOf(spaces, req).publicUrl}${req.originalUrl}`);
      next.searchParams.set('p', String(p + 1));
      res.setHeader('Link', `<${next.toString()}>; rel="next"`);
    }
    res.setHeader('X-Total-Count', String(total));
    res.json(commits);
  });

  r.get('/api/spaces/:owner/:name/refs', async (req, res) => {
    const space = spaces.getForCode(principalOf(res), spaceIdOf(req));
    const refs = await files.refs(space);
    res.json({
      branches: refs.filter((x) => x.ref.startsWith('refs/heads/')),
      tags: refs.filter((x) => x.ref.startsWith('refs/tags/')),
      converts: [],
      ...(flag(req.query.include_prs) ? { pullRequests: [] } : {}),
    });
  });

  // Any revision (branch, tag or commit), not only `main`: snapshot_download lists files through it.
  r.get('/api/spaces/:owner/:name/revision/:rev', async (req, res) => {
    const space = spaces.get(principalOf(res), spaceIdOf(req));
    const commit = await files.resolve(space, String(req.params.rev));
    res.json(await spaces.info(space, urlsOf(spaces, req), { commit, viewer: principalOf(res) }));
  });

  return r;
}
