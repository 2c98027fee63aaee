import type { Request, Response } from 'express';
import type { StageResult } from '../lifecycle/index.js';
import { SPACE_SORTS, type SpaceService, type SpaceSort } from '../spaces/index.js';
import { SDKS, type Sdk } from '../../templates/index.js';
import type { GalleryView } from './render-gallery.js';
import { spaceCard } from './space-card.js';
import { principalOf } from './web-context.js';

export interface GalleryDeps {
  spaces: SpaceService;
  stageOf: (uid: string) => StageResult | undefined;
  pageSize: number;
}

function queryText(v: unknown, max: number): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : undefined;
}

/**
 * The gallery's query from a request's filters (search, SDK, owner, sort, page), with the viewer's
 * read scope: `/spaces`, and the Spaces section of a user's or organization's page (`owner` fixed).
 */
export function galleryView(o: GalleryDeps, req: Request, res: Response, owner?: string): GalleryView {
  const q = queryText(req.query.q, 100);
  const sdkText = queryText(req.query.sdk, 20);
  const sdk = (SDKS as readonly string[]).includes(sdkText ?? '') ? (sdkText as Sdk) : undefined;
  const ownerFilter = owner ?? queryText(req.query.owner, 96);
  const pageNo = Math.max(1, Math.min(10_000, Number.parseInt(String(req.query.p ?? '1'), 10) || 1));
  const sortText = queryText(req.query.sort, 20);
  const sort = (SPACE_SORTS as readonly string[]).includes(sortText ?? '') ? (sortText as SpaceSort) : undefined;
  const result = o.spaces.gallery(principalOf(res), {
    sort,
    search: q,
    sdk,
    owner: ownerFilter,
    limit: o.pageSize,
    offset: (pageNo - 1) * o.pageSize,
  });
  return {
    heading: owner ?? 'Spaces',
    path: owner ? `/${owner}` : '/spaces',
    cards: result.spaces.map((s) => spaceCard(s, o.stageOf(s.uid)?.stage)),
    total: result.total,
    page: pageNo,
    pageSize: o.pageSize,
    filters: { q, sdk, owner: ownerFilter, sort },
    fixedOwner: owner !== undefined,
  };
}
