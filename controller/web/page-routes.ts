import { Router } from 'express';
import { fail, toSpaceId, type Logger, type SpaceId } from '../../core/index.js';
import { assertCanWrite, canReadCode, canWrite as mayWrite, requireUser, type Principal } from '../auth/index.js';
import type { GitRepos } from '../git/index.js';
import type { StageResult } from '../lifecycle/index.js';
import { spaceHost, type SpaceLogs, type SpaceRecord, type SpaceService } from '../spaces/index.js';
import type { AppApiInfo } from './app-api-info.js';
import { failingLines } from './failing-lines.js';
import type { SafeHtml } from './html.js';
import { renderNewSpace, renderTokens } from './render-account-pages.js';
import { galleryView } from './gallery-view.js';
import { renderGallery } from './render-gallery.js';
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

  const spacePage = (tab: SpaceTab | 'file') =>
    page(deps, async (req, res) => {
      const p = principalOf(res);
      const id = toSpaceId(String(req.params.owner), String(req.params.name));
      const space = o.spaces.get(p, id);
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
      if (tab === 'files' || tab === 'file') view.files = await files(o, fresh, tab === 'file' ? wildcardPath((req.params as Record<string, unknown>).path) : undefined);
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
  r.get('/spaces/:owner/:name/blob/main/*path', spacePage('file'));
  r.get('/spaces/:owner/:name/logs', spacePage('logs'));
  r.get('/spaces/:owner/:name/settings', spacePage('settings'));
  r.get('/spaces/:owner/:name/api', spacePage('api'));

  return r;
}

async function files(o: PageRoutesOptions, space: SpaceRecord, path?: string): Promise<NonNullable<SpacePageView['files']>> {
  if (!space.headSha) {
    if (path !== undefined) throw fail('pageFileNoCommit', { path, space: space.id });
    return { list: [], hasCommits: false };
  }
  const list = await o.repos.listFiles(space.id as SpaceId, space.headSha);
  if (path !== undefined) {
    const clean = path;
    if (!list.includes(clean)) throw fail('pageFileNotAtMain', { path: clean, space: space.id });
    const bytes = await o.repos.readFile(space.id as SpaceId, space.headSha, clean);
    const text = bytes && bytes.length <= MAX_FILE_BYTES && !bytes.subarray(0, 8000).includes(0) ? bytes.toString('utf8') : undefined;
    return { list, file: { path: clean, text } };
  }
  const readmeName = list.find((f) => f.toLowerCase() === 'readme.md');
  const readme = readmeName ? await o.repos.readFile(space.id as SpaceId, space.headSha, readmeName) : undefined;
  return { list, readme: readme ? renderMarkdown(readme.toString('utf8')) : undefined };
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

/** Express 5 gives a `*path` wildcard as its segments. */
function wildcardPath(v: unknown): string {
  return Array.isArray(v) ? v.map(String).join('/') : String(v ?? '');
}
