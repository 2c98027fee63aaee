import { Router } from 'express';
import { fail, toSpaceId, type Logger, type SpaceId } from '../../core/index.js';
import { assertCanWrite, canReadCode, canWrite as mayWrite, requireUser, type Principal } from '../auth/index.js';
import { filePathProblem, lastCommits, listTree, type GitRepos, type TreeEntry } from '../git/index.js';
import type { StageResult } from '../lifecycle/index.js';
import { spaceHost, type SpaceLogs, type SpaceRecord, type SpaceService } from '../spaces/index.js';
import type { AppApiInfo } from './app-api-info.js';
import { failingLines } from './failing-lines.js';
import { filePages, rawFile, wildcardPath, type FilePage } from './file-pages.js';
import type { SafeHtml } from './html.js';
import { renderNewSpace, renderTokens } from './render-account-pages.js';
import { galleryView } from './gallery-view.js';
import { renderGallery } from './render-gallery.js';
import { folderView } from './render-file-list.js';
import { renderMarkdown } from './render-markdown.js';
import { renderSpacePage, type SpacePageView, type SpaceTab } from './render-space-page.js';
import type { FlavorOption } from './render-space-settings.js';
import { spaceCard } from './space-card.js';
import { page, pageContext, principalOf, urlsOf } from './web-context.js';

export interface PageRoutesOptions {
  spaces: SpaceService;
  logs: SpaceLogs;
  repos: GitRepos;
  /** The stage as of the reconciler's last pass (no runtime call). */
  stageOf: (uid: string) => StageResult | undefined;
  /** `/api/spaces/hardware`'s list: the flavors this installation offers. */
  flavors: () => Record<string, unknown>[];
  /** The running app's own API description ("Use via API"; see app-api-info.ts). */
  appApiInfo: (space: SpaceRecord) => Promise<AppApiInfo>;
  assetVersion: string;
  logger: Logger;
  pageSize?: number;
}

const MAX_FILE_BYTES = 512 * 1024;
/** The Files tab looks up each file's last commit for trees up to this many files, within this long. */
const LAST_COMMIT_MAX_FILES = 2_000;
const LAST_COMMIT_TIMEOUT_MS = 10_000;

function flavorOptions(list: Record<string, unknown>[]): FlavorOption[] {
  return list.map((f) => {
    const acc = f.accelerator as { model?: string; quantity?: string; vram?: string } | null | undefined;
    return {
      name: String(f.name),
      prettyName: String(f.prettyName ?? f.name),
      cpu: String(f.cpu ?? ''),
      ram: String(f.ram ?? ''),
      accelerator: acc ? `${acc.quantity ?? 1}× ${acc.model ?? 'GPU'}${acc.vram ? ` ${acc.vram}` : ''}` : undefined,
    };
  });
}

/** The pages: gallery, a Space's tabs, /new-space, /settings/tokens (a user's and an organization's pages: profile-routes.ts). */
export function pageRoutes(o: PageRoutesOptions): Router {
  const r = Router();
  const deps = { spaces: o.spaces, assetVersion: o.assetVersion, logger: o.logger };
  const pageSize = o.pageSize ?? 24;

  const gallery = () =>
    page(deps, async (req, res) => renderGallery(pageContext(res, o.assetVersion), galleryView({ spaces: o.spaces, stageOf: o.stageOf, pageSize }, req, res)).value);

  r.get('/', gallery());
  r.get('/spaces', gallery());

  r.get(
    '/new-space',
    page(deps, async (req, res) => {
      const p = requireUser(principalOf(res));
      // The owner picker: the user, and the organizations where they may create (assertCanCreateIn's roles).
      const orgs = [...(p.orgs ?? [])].filter(([, role]) => role === 'admin' || role === 'write').map(([org]) => org).sort();
      const selected = typeof req.query.owner === 'string' ? req.query.owner : undefined;
      return renderNewSpace(pageContext(res, o.assetVersion), { owner: p.user.name, orgs, selected, flavors: flavorOptions(o.flavors()) }).value;
    }),
  );

  r.get(
    '/settings/tokens',
    page(deps, async (_req, res) => {
      requireUser(principalOf(res));
      return renderTokens(pageContext(res, o.assetVersion)).value;
    }),
  );

  // `content`: a page of the Files tab that reads history (file-pages.ts); its Space answers as a missing one to those who may not read the code.
  const spacePage = (tab: SpaceTab | 'file', content?: FilePage) =>
    page(deps, async (req, res) => {
      const p = principalOf(res);
      const id = toSpaceId(String(req.params.owner), String(req.params.name));
      const space = content ? o.spaces.getForCode(p, id) : o.spaces.get(p, id);
      if (tab === 'api' && space.sdk !== 'gradio') throw fail('pageApiNotGradio', { space: space.id });
      const canWrite = mayWrite(p, space);
      // Logs and settings are the owner's: others get the answer the API gives them.
      if ((tab === 'logs' || tab === 'settings') && !canWrite) assertCanWrite(p, space);
      // A protected Space's app is public, its files are for members (principal.ts decides).
      const filesVisible = canReadCode(p, space);
      if ((tab === 'files' || tab === 'file') && !filesVisible) throw fail('spaceFilesPrivate', { space: space.id });
      const runtime = await o.spaces.runtimeOf(space);
      const fresh = o.spaces.reload(space);
      const urls = urlsOf(o.spaces, req);
      const view: SpacePageView = {
        card: spaceCard(fresh, String(runtime.stage)),
        tab: tab === 'file' ? 'files' : tab,
        appUrl: fresh.visibility === 'private' ? `${urls.publicUrl.replace(/\/$/, '')}/spaces/${fresh.id}/app` : `${spaceHost(fresh, urls)}/`,
        hubUrl: urls.publicUrl,
        canWrite,
        ...(p.kind === 'user' ? { liked: o.spaces.likes.likedBy(p, fresh) } : {}),
        filesVisible,
        errorMessage: typeof runtime.errorMessage === 'string' ? runtime.errorMessage : undefined,
        nodeNote: (runtime.node as { message?: string } | undefined)?.message,
        hardwareName: flavorOptions(o.flavors()).find((f) => f.name === fresh.hardware)?.prettyName,
        ...(p.kind === 'user' ? { duplicateTo: { orgs: creatableOrgs(p), flavors: flavorOptions(o.flavors()) } } : {}),
      };
      if (tab === 'api') {
        view.api = { id: fresh.id, hubUrl: urls.publicUrl, appOrigin: spaceHost(fresh, urls), private: fresh.visibility === 'private', api: await o.appApiInfo(fresh) };
      }
      if (tab === 'app' && filesVisible) view.readme = await readmeOf(o, fresh);
      if (tab === 'app' && /ERROR$/.test(String(runtime.stage))) {
        // The error message is public (the runtime JSON); the build log is the owner's.
        const logTail = canWrite && runtime.stage === 'BUILD_ERROR' ? await o.logs.failedBuildTail(p, fresh, 60) : [];
        view.failingLines = failingLines([...(view.errorMessage ?? '').split('\n'), ...logTail]);
      }
      if (content) view.filePage = await content(req, fresh);
      else if (tab === 'file') view.files = await files(o, fresh, { file: wildcardPath((req.params as Record<string, unknown>).path) });
      else if (tab === 'files') {
        const raw = (req.params as Record<string, unknown>).path;
        const dir = raw === undefined ? '' : wildcardPath(raw).replace(/\/+$/, '');
        view.files = await files(o, fresh, dir === '' ? {} : { dir });
      }
      if (tab === 'settings') {
        view.settings = {
          flavors: flavorOptions(o.flavors()),
          sleepSeconds: o.spaces.sleepSecondsFor(fresh),
          variables: o.spaces.settings(fresh, 'variable').map((s) => ({ key: s.key, value: s.value, description: s.description })),
          secrets: o.spaces.settings(fresh, 'secret').map((s) => ({ key: s.key, updatedAt: s.updatedAt })),
        };
      }
      return renderSpacePage(pageContext(res, o.assetVersion), view).value;
    });

  r.get('/spaces/:owner/:name', spacePage('app'));
  r.get('/spaces/:owner/:name/tree/main', spacePage('files'));
  r.get('/spaces/:owner/:name/tree/main/*path', spacePage('files'));
  r.get('/spaces/:owner/:name/blob/main/*path', spacePage('file'));
  r.get('/spaces/:owner/:name/logs', spacePage('logs'));
  r.get('/spaces/:owner/:name/settings', spacePage('settings'));
  r.get('/spaces/:owner/:name/api', spacePage('api'));
  const history = filePages(o.repos);
  r.get('/spaces/:owner/:name/commits/main', spacePage('files', history.commits));
  r.get('/spaces/:owner/:name/commits/main/*path', spacePage('files', history.history));
  r.get('/spaces/:owner/:name/commit/:sha', spacePage('files', history.commit));
  const raw = rawFile(o.repos);
  r.get(
    '/spaces/:owner/:name/raw/main/*path',
    page(deps, async (req, res) => raw(req, res, o.spaces.getForCode(principalOf(res), toSpaceId(String(req.params.owner), String(req.params.name))))),
  );

  return r;
}

/** The Files tab: one file (`file`), one folder (`dir`), or the root. */
async function files(o: PageRoutesOptions, space: SpaceRecord, at: { file?: string; dir?: string }): Promise<NonNullable<SpacePageView['files']>> {
  const path = at.file;
  if (!space.headSha) {
    if (path !== undefined || at.dir !== undefined) throw fail('pageFileNoCommit', { path: path ?? at.dir ?? '', space: space.id });
    return { list: [], hasCommits: false };
  }
  if (at.dir !== undefined) {
    const problem = filePathProblem(at.dir);
    if (problem) throw fail('filePathInvalid', { path: at.dir, problem });
  }
  const gitDir = o.repos.pathOf(space.id as SpaceId);
  const tree = (await listTree(gitDir, space.headSha, { recursive: true })).filter((e): e is Extract<TreeEntry, { type: 'file' }> => e.type === 'file');
  const list = tree.map((e) => e.path);
  if (path !== undefined) {
    const problem = filePathProblem(path);
    if (problem) throw fail('filePathInvalid', { path, problem });
    const entry = tree.find((e) => e.path === path);
    if (!entry) throw fail('pageFileNotAtMain', { path, space: space.id });
    // A Git LFS file is named with its object's size, never shown as its pointer.
    if (entry.lfs) return { list, file: { path, size: entry.lfs.size, lfs: true } };
    const bytes = await o.repos.readFile(space.id as SpaceId, space.headSha, path);
    const text = bytes && bytes.length <= MAX_FILE_BYTES && !bytes.subarray(0, 8000).includes(0) ? bytes.toString('utf8') : undefined;
    return { list, file: { path, text, size: entry.size } };
  }
  // The last commit of each file, as the Hub lists them (one history walk, within a deadline; skipped for huge trees).
  const last = tree.length <= LAST_COMMIT_MAX_FILES ? await lastCommits(gitDir, space.headSha, list, { timeoutMs: LAST_COMMIT_TIMEOUT_MS }).catch(() => undefined) : undefined;
  const entries = tree.map((e) => ({ path: e.path, size: e.lfs ? e.lfs.size : e.size, lfs: e.lfs !== undefined, lastCommit: last?.get(e.path) }));
  if (at.dir !== undefined) {
    // A folder is a prefix some file lies under; anything else is missing, as the Hub answers it.
    if (!folderView(entries, at.dir)) throw fail('pageFileNotAtMain', { path: at.dir, space: space.id });
    return { list, entries, dir: at.dir };
  }
  const readmeName = list.find((f) => f.toLowerCase() === 'readme.md');
  const readme = readmeName ? await o.repos.readFile(space.id as SpaceId, space.headSha, readmeName) : undefined;
  return { list, entries, readme: readme ? renderMarkdown(readme.toString('utf8')) : undefined };
}

/** The README at the head of `main`, rendered (its front matter is the Space's config, not shown). */
async function readmeOf(o: PageRoutesOptions, space: SpaceRecord): Promise<SafeHtml | undefined> {
  if (!space.headSha) return undefined;
  const bytes = await o.repos.readFile(space.id as SpaceId, space.headSha, 'README.md').catch(() => undefined);
  return bytes && bytes.length <= MAX_FILE_BYTES ? renderMarkdown(bytes.toString('utf8')) : undefined;
}

/** The organizations where `p` may create Spaces (write or admin role), for Duplicate's owner picker. */
function creatableOrgs(p: Principal): string[] {
  if (p.kind !== 'user') return [];
  return [...(p.orgs ?? new Map())].filter(([, role]) => role === 'write' || role === 'admin').map(([org]) => org).sort();
}
