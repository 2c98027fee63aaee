import type { Request, Response } from 'express';
import { fail, type SpaceId } from '../../core/index.js';
import { COMMIT_ID_RE, diffPatch, diffStats, filePathProblem, listCommits, listTree, parseDiff, readCommit, type GitRepos } from '../git/index.js';
import type { SpaceRecord } from '../spaces/index.js';
import type { SafeHtml } from './html.js';
import { renderCommitList, renderCommitPage } from './render-commit-pages.js';

/** Commits per page of a list (the API's page size). */
export const COMMITS_PER_PAGE = 50;
/** Git's patch output read for one commit page, at most (then cut, with a note). */
export const DIFF_MAX_BYTES = 1024 * 1024;

/** Content of a Space page below its header (the Files tab's sub-pages), for a Space whose code `req`'s caller may read. */
export type FilePage = (req: Request, space: SpaceRecord) => Promise<SafeHtml>;

/** Express 5 gives a `*path` wildcard as its segments. */
export function wildcardPath(v: unknown): string {
  return Array.isArray(v) ? v.map(String).join('/') : String(v ?? '');
}

/** A repo path from the URL: refused (400) when empty, absolute, with `..` or control characters. */
function checkedPath(req: Request): string {
  const path = wildcardPath((req.params as Record<string, unknown>).path);
  const problem = filePathProblem(path);
  if (problem) throw fail('filePathInvalid', { path, problem });
  return path;
}

function pageNumber(req: Request): number {
  const v = req.query.p;
  if (v === undefined) return 0;
  if (typeof v !== 'string' || !/^\d{1,6}$/.test(v)) throw fail('queryIntInvalid', { name: 'p', max: 999_999 });
  return Number(v);
}

/** The Files tab's pages that read git history: commits, a path's history, a commit with its diff. */
export function filePages(repos: GitRepos): { commits: FilePage; history: FilePage; commit: FilePage } {
  const gitDir = (space: SpaceRecord) => repos.pathOf(space.id as SpaceId);

  const list = async (req: Request, space: SpaceRecord, path?: string): Promise<SafeHtml> => {
    const page = pageNumber(req);
    const head = space.headSha;
    if (!head) {
      if (path !== undefined) throw fail('pageFileNoCommit', { path, space: space.id });
      return renderCommitList({ space: space.id, commits: [], total: 0, page, pageSize: COMMITS_PER_PAGE });
    }
    if (path !== undefined) {
      // A file or a folder of main (the Hub shows both); absent ones are a 404, not an empty list.
      const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
      const siblings = await listTree(gitDir(space), head, { dir: parent });
      if (!siblings.some((e) => e.path === path)) throw fail('pageFileNotAtMain', { path, space: space.id });
    }
    const { commits, total } = await listCommits(gitDir(space), head, { skip: page * COMMITS_PER_PAGE, limit: COMMITS_PER_PAGE, ...(path !== undefined ? { path } : {}) });
    return renderCommitList({ space: space.id, ...(path !== undefined ? { path } : {}), commits, total, page, pageSize: COMMITS_PER_PAGE });
  };

  return {
    commits: (req, space) => list(req, space),
    history: (req, space) => list(req, space, checkedPath(req)),
    commit: async (req, space) => {
      const id = String(req.params.sha);
      if (!COMMIT_ID_RE.test(id)) throw fail('pageCommitIdInvalid', { commit: id });
      const commit = space.headSha ? await readCommit(gitDir(space), id, space.headSha) : undefined;
      if (!commit) throw fail('commitNotFound', { commit: id, space: space.id });
      const [stats, { patch, truncated }] = await Promise.all([diffStats(gitDir(space), commit), diffPatch(gitDir(space), commit, DIFF_MAX_BYTES)]);
      return renderCommitPage({ space: space.id, commit, files: parseDiff(patch, stats, truncated) });
    },
  };
}

/** Types a browser may show inline from the hub's origin: images (never SVG), audio, video. */
const INLINE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  mp4: 'video/mp4',
  webm: 'video/webm',
};

/** Text: no NUL in its first 8,000 bytes (git's own test) and valid UTF-8. */
export function isText(bytes: Buffer): boolean {
  if (bytes.subarray(0, 8000).includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * How `/raw/main/{path}` answers a file: text as `text/plain` (HTML and SVG included: the Space's
 * files never render as pages on the hub's origin), known media types as themselves, anything else
 * as a download. Pure.
 */
export function rawHeaders(path: string, bytes: Buffer): Record<string, string> {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
  const common = {
    'X-Content-Type-Options': 'nosniff',
    // Opened directly, nothing in it runs: no script, no plugin, a unique origin.
    'Content-Security-Policy': "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'",
    'Cache-Control': 'no-cache',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
  if (isText(bytes)) return { ...common, 'Content-Type': 'text/plain; charset=utf-8' };
  const inline = INLINE_TYPES[ext];
  if (inline) return { ...common, 'Content-Type': inline };
  return { ...common, 'Content-Type': 'application/octet-stream', 'Content-Disposition': attachment(name) };
}

/** `attachment; filename="…"; filename*=UTF-8''…` (the ASCII name with quotes and controls replaced). */
export function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** `/spaces/{id}/raw/main/{path}`: the file as stored in git at main (an LFS file's pointer, as the Hub's raw). */
export function rawFile(repos: GitRepos): (req: Request, res: Response, space: SpaceRecord) => Promise<void> {
  return async (req, res, space) => {
    const path = checkedPath(req);
    if (!space.headSha) throw fail('pageFileNoCommit', { path, space: space.id });
    const bytes = await repos.readFile(space.id as SpaceId, space.headSha, path);
    if (!bytes) throw fail('pageFileNotAtMain', { path, space: space.id });
    res.status(200).set(rawHeaders(path, bytes)).set('Content-Length', String(bytes.length));
    res.end(req.method === 'HEAD' ? undefined : bytes);
  };
}
