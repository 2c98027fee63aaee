import { SDKS } from '../../templates/index.js';
import { html, type SafeHtml } from './html.js';
import { renderLayout, signInHref, type PageContext } from './layout.js';
import { stageBadge, type SpaceCard } from './space-card.js';
import type { SpaceSort } from '../spaces/index.js';

const SORT_LABELS: Record<SpaceSort, string> = { updated: 'recently updated', trending: 'trending', likes: 'most likes', created: 'recently created', name: 'name' };


export interface GalleryView {
  /** `Spaces`, or the owner's name on `/{owner}`. */
  heading: string;
  /** The path the filters submit to (`/spaces` or `/{owner}`). */
  path: string;
  cards: SpaceCard[];
  total: number;
  page: number;
  pageSize: number;
  filters: { q?: string; sdk?: string; owner?: string; sort?: SpaceSort };
  /** On `/{owner}`: the owner filter is the page itself. */
  fixedOwner?: boolean;
}

function relative(iso: string): string {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (!Number.isFinite(s)) return '';
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** A stage badge; `data-stage-of` lets the page's script update it from the stage stream. */
export function renderStageBadge(id: string, stage: string): SafeHtml {
  const b = stageBadge(stage);
  return html`<span class="badge ${b.tone}" data-stage-of="${id}" data-stage="${stage}">${b.label}</span>`;
}

export function renderCard(c: SpaceCard): SafeHtml {
  return html`<li class="card from-${c.colorFrom} to-${c.colorTo}">
  <a href="/spaces/${c.id}" class="card-link">
    <span class="card-top">${renderStageBadge(c.id, c.stage)}${c.visibility === 'private' ? html`<span class="badge idle">Private</span>` : null}</span>
    <span class="emoji" aria-hidden="true">${c.emoji}</span>
    <span class="card-title">${c.title}</span>
    ${c.shortDescription ? html`<span class="card-desc">${c.shortDescription}</span>` : null}
    <span class="card-meta">${c.owner} · ${c.sdk} · <time datetime="${c.updatedAt}">${relative(c.updatedAt)}</time> · <span aria-label="${c.likes} ${c.likes === 1 ? 'like' : 'likes'}">♥ ${c.likes}</span></span>
  </a>
</li>`;
}

function pageLink(view: GalleryView, page: number): string {
  const p = new URLSearchParams();
  if (view.filters.q) p.set('q', view.filters.q);
  if (view.filters.sdk) p.set('sdk', view.filters.sdk);
  if (view.filters.owner && !view.fixedOwner) p.set('owner', view.filters.owner);
  if (view.filters.sort) p.set('sort', view.filters.sort);
  if (page > 1) p.set('p', String(page));
  const qs = p.toString();
  return `${view.path}${qs ? `?${qs}` : ''}`;
}

/** `level`: `h2` when the gallery is a section of a page (a user's or organization's profile). */
export function renderGalleryBody(view: GalleryView, level: 'h1' | 'h2' = 'h1'): SafeHtml {
  const pages = Math.max(1, Math.ceil(view.total / view.pageSize));
  const f = view.filters;
  return html`${level === 'h1' ? html`<h1>${view.heading}</h1>` : html`<h2 id="spaces-heading">${view.heading}</h2>`}
<form class="filters" method="get" action="${view.path}" role="search">
  <label>Search <input type="search" name="q" value="${f.q ?? ''}" placeholder="Search Spaces" maxlength="100"></label>
  <label>SDK <select name="sdk"><option value="">Any</option>${SDKS.map((s) => html`<option value="${s}"${s === f.sdk ? html` selected` : null}>${s}</option>`)}</select></label>
  ${view.fixedOwner ? null : html`<label>Owner <input type="text" name="owner" value="${f.owner ?? ''}" maxlength="96"></label>`}
  <label>Sort <select name="sort">${(Object.keys(SORT_LABELS) as SpaceSort[]).map((s) => html`<option value="${s}"${s === (f.sort ?? 'updated') ? html` selected` : null}>${SORT_LABELS[s]}</option>`)}</select></label>
  <button type="submit">Filter</button>
</form>
<p class="count" aria-live="polite">${view.total} ${view.total === 1 ? 'Space' : 'Spaces'} · sorted by ${SORT_LABELS[f.sort ?? 'updated']}</p>
${view.cards.length ? html`<ul class="grid" data-live-stages>${view.cards.map(renderCard)}</ul>` : html`<p class="empty">No Spaces match.</p>`}
${pages > 1
  ? html`<nav class="pager" aria-label="Pages">
  ${view.page > 1 ? html`<a rel="prev" href="${pageLink(view, view.page - 1)}">← Previous</a>` : null}
  <span>Page ${view.page} of ${pages}</span>
  ${view.page < pages ? html`<a rel="next" href="${pageLink(view, view.page + 1)}">Next →</a>` : null}
</nav>`
  : null}`;
}

/** The gallery with nothing in it at all (not a search that found nothing): what Spaceport is, and the first step. */
function renderIntro(ctx: PageContext): SafeHtml {
  return html`<section class="intro" aria-labelledby="intro-heading">
  <h2 id="intro-heading">No Spaces here yet</h2>
  <p>Spaceport runs Hugging Face Spaces on your own machines: Gradio, Streamlit, Docker and static apps, built from a <code>git push</code> or made right here in the browser.</p>
  <p>${ctx.viewer ? html`<a class="button" href="/new-space">Create a Space</a>` : html`<a class="button" href="${signInHref('/new-space')}">Sign in</a> to create a Space.`}</p>
</section>`;
}

export function renderGallery(ctx: PageContext, view: GalleryView): SafeHtml {
  const f = view.filters;
  const empty = !view.fixedOwner && view.total === 0 && view.page === 1 && !f.q && !f.sdk && !f.owner;
  return renderLayout(ctx, { title: view.heading, body: empty ? html`<h1>${view.heading}</h1>${renderIntro(ctx)}` : renderGalleryBody(view) });
}
