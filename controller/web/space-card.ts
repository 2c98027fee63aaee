import type { SpaceRecord } from '../spaces/index.js';

const COLORS = new Set(['red', 'yellow', 'green', 'blue', 'indigo', 'purple', 'pink', 'gray']);

/** What a card and a Space page header show, from the record's README front matter. */
export interface SpaceCard {
  id: string;
  owner: string;
  name: string;
  title: string;
  emoji: string;
  colorFrom: string;
  colorTo: string;
  shortDescription?: string;
  sdk: string;
  hardware: string;
  visibility: string;
  stage: string;
  updatedAt: string;
  likes: number;
  /** README metadata shown with its card: tags, license, models and datasets it uses. */
  meta: { tags: string[]; license?: string; models: string[]; datasets: string[] };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
/** A front matter list of short strings (a single string counts as one), at most 20. */
const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v : typeof v === 'string' ? [v] : [])
    .filter((x): x is string => typeof x === 'string' && x.length > 0 && x.length <= 96)
    .slice(0, 20);
const color = (v: unknown, fallback: string): string => (typeof v === 'string' && COLORS.has(v) ? v : fallback);

export function spaceCard(space: SpaceRecord, stage: string | undefined): SpaceCard {
  const card = space.cardData ?? {};
  return {
    id: space.id,
    owner: space.owner,
    name: space.name,
    title: text(card.title) ?? space.name,
    emoji: text(card.emoji)?.slice(0, 32) ?? '🚀',
    colorFrom: color(card.colorFrom, 'blue'),
    colorTo: color(card.colorTo, 'purple'),
    shortDescription: text(card.short_description)?.slice(0, 200),
    sdk: space.sdk,
    hardware: space.hardware,
    visibility: space.visibility,
    stage: stage ?? (space.headSha ? 'BUILDING' : 'NO_APP_FILE'),
    updatedAt: space.updatedAt,
    likes: space.likes ?? 0,
    meta: { tags: list(card.tags), license: text(card.license)?.slice(0, 64), models: list(card.models), datasets: list(card.datasets) },
  };
}

/** The badge a stage shows: a word people know, and a class for its colour. */
export function stageBadge(stage: string): { label: string; tone: 'ok' | 'busy' | 'idle' | 'bad' } {
  switch (stage) {
    case 'RUNNING':
    case 'RUNNING_BUILDING':
    case 'RUNNING_APP_STARTING':
      return { label: 'Running', tone: 'ok' };
    case 'BUILDING':
      return { label: 'Building', tone: 'busy' };
    case 'APP_STARTING':
      return { label: 'Starting', tone: 'busy' };
    case 'SLEEPING':
      return { label: 'Sleeping', tone: 'idle' };
    case 'PAUSED':
      return { label: 'Paused', tone: 'idle' };
    case 'NO_APP_FILE':
      return { label: 'No app file', tone: 'idle' };
    case 'BUILD_ERROR':
      return { label: 'Build error', tone: 'bad' };
    case 'CONFIG_ERROR':
      return { label: 'Config error', tone: 'bad' };
    case 'RUNTIME_ERROR':
      return { label: 'Runtime error', tone: 'bad' };
    default:
      return { label: stage.toLowerCase().replace(/_/g, ' '), tone: 'idle' };
  }
}
