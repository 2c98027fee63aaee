import type { Principal } from '../auth/index.js';
import type { Sdk, SpaceRecord } from '../store/records.js';
import type { SpacePage, SpaceQuery } from '../store/web-store.js';

export interface SpaceSearchInput {
  q: string;
  sdks?: Sdk[];
  /** Also Spaces that are not running (the Hub's `includeNonRunning`); default: running ones only. */
  includeNonRunning?: boolean;
  limit?: number;
}

interface SearchDeps {
  gallery(p: Principal, q: Omit<SpaceQuery, 'scope'>): SpacePage;
  runtimeOf(space: SpaceRecord): Promise<Record<string, unknown>>;
  trendingScoreOf(space: SpaceRecord): number;
}

const MAX_WORDS = 8;
const PER_WORD = 200;

/**
 * `GET /api/spaces/semantic-search` without embeddings: each word of the query is looked up with the
 * gallery's search (id, title, short description; the caller's read scope), and a Space scores the
 * share of the words it matched (`semanticRelevancyScore`, 0–1), best first, in the Hub's result shape.
 */
export async function searchSpaces(deps: SearchDeps, p: Principal, input: SpaceSearchInput): Promise<Record<string, unknown>[]> {
  const words = [...new Set(input.q.toLowerCase().split(/\s+/).filter((w) => w.length >= 2))].slice(0, MAX_WORDS);
  if (words.length === 0) return [];
  const hits = new Map<string, { space: SpaceRecord; n: number }>();
  for (const word of words) {
    for (const sdk of input.sdks?.length ? input.sdks : [undefined]) {
      for (const space of deps.gallery(p, { search: word, ...(sdk ? { sdk } : {}), limit: PER_WORD, offset: 0 }).spaces) {
        const hit = hits.get(space.id) ?? { space, n: 0 };
        hit.n++;
        hits.set(space.id, hit);
      }
    }
  }
  const ranked = [...hits.values()].sort((a, b) => b.n - a.n || a.space.id.localeCompare(b.space.id));
  const out: Record<string, unknown>[] = [];
  for (const { space, n } of ranked) {
    if (out.length >= (input.limit ?? 100)) break;
    const runtime = await deps.runtimeOf(space);
    if (!input.includeNonRunning && !String(runtime.stage).startsWith('RUNNING')) continue;
    const card = space.cardData ?? {};
    out.push({
      id: space.id,
      author: space.id.split('/')[0],
      title: typeof card.title === 'string' ? card.title : space.id.split('/')[1],
      emoji: typeof card.emoji === 'string' ? card.emoji : null,
      sdk: space.sdk,
      likes: space.likes ?? 0,
      private: space.visibility === 'private',
      tags: Array.isArray(card.tags) ? card.tags : [],
      runtime,
      ai_short_description: typeof card.short_description === 'string' ? card.short_description : null,
      ai_category: null,
      semanticRelevancyScore: Math.round((n / words.length) * 100) / 100,
      trendingScore: deps.trendingScoreOf(space),
    });
  }
  return out;
}
