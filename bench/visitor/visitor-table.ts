/**
 * The visitor bench's figures (pure): samples per measure and path, summed up as median and p90, and
 * the one table it prints (rows = measures, columns = direct / Node path / native, native ÷ Node).
 */
import { median, percentile } from '../stats.js';

export const PATHS = ['direct', 'node', 'native'] as const;
export type VisitorPath = (typeof PATHS)[number];

export const PATH_LABELS: Record<VisitorPath, string> = {
  direct: 'direct (app port)',
  node: 'Node path',
  native: 'native (HAProxy)',
};

/** What is measured, in the table's order, with its row label. */
export const MEASURES = [
  ['getFreshFirstByte', 'GET / fresh connection → first byte'],
  ['getFreshWhole', 'GET / fresh connection → whole page'],
  ['getKeptFirstByte', 'GET / kept-alive connection → first byte'],
  ['getKeptWhole', 'GET / kept-alive connection → whole page'],
  ['browserFirstByte', 'Chromium, cold context: navigation → first byte'],
  ['browserLoad', 'Chromium, cold context: navigation → load event'],
  ['browserRendered', 'Chromium, cold context: navigation → Gradio app rendered'],
  ['wakeFirstByte', 'sleeping → GET / first byte (wake)'],
  ['wakeWhole', 'sleeping → GET / whole page (wake)'],
  ['wakeRouteRunning', 'sleeping → route running in Spaceport\'s table (wake)'],
  ['wakeMapped', 'sleeping → Space in HAProxy\'s map (wake)'],
] as const;
export type Measure = (typeof MEASURES)[number][0];

export type Samples = Record<Measure, Partial<Record<VisitorPath, number[]>>>;

export function emptySamples(): Samples {
  return Object.fromEntries(MEASURES.map(([m]) => [m, {}])) as Samples;
}

export function addSample(samples: Samples, measure: Measure, path: VisitorPath, ms: number): void {
  (samples[measure][path] ??= []).push(ms);
}

export interface Summary {
  n: number;
  median: number;
  p90: number;
  min: number;
  max: number;
}

export function summarize(xs: readonly number[]): Summary | undefined {
  if (xs.length === 0) return undefined;
  return { n: xs.length, median: median(xs), p90: percentile(xs, 90), min: Math.min(...xs), max: Math.max(...xs) };
}

/** Milliseconds with the precision their size deserves: 0.84, 12.3, 1520. */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (Math.abs(x) < 10) return x.toFixed(2);
  if (Math.abs(x) < 100) return x.toFixed(1);
  return x.toFixed(0);
}

function cell(s: Summary | undefined): string {
  return s ? `${ms(s.median)} (${ms(s.p90)})` : '–';
}

/** Native ÷ Node path, of the medians; '–' when either is missing. */
export function ratio(native: Summary | undefined, node: Summary | undefined): string {
  if (!native || !node || node.median === 0) return '–';
  return `${(native.median / node.median).toFixed(2)}×`;
}

export function summaries(samples: Samples): Record<Measure, Partial<Record<VisitorPath, Summary>>> {
  return Object.fromEntries(
    MEASURES.map(([m]) => [m, Object.fromEntries(PATHS.flatMap((p) => {
      const s = summarize(samples[m][p] ?? []);
      return s ? [[p, s]] : [];
    }))]),
  ) as Record<Measure, Partial<Record<VisitorPath, Summary>>>;
}

/** The table: a header and one row per measure that has a sample; cells are `median (p90)` in ms. */
export function visitorTable(samples: Samples): { header: string[]; rows: string[][] } {
  const sum = summaries(samples);
  const header = ['ms, median (p90)', ...PATHS.map((p) => PATH_LABELS[p]), 'native ÷ Node'];
  const rows = MEASURES.filter(([m]) => PATHS.some((p) => sum[m][p])).map(([m, label]) => [
    label,
    ...PATHS.map((p) => cell(sum[m][p])),
    ratio(sum[m].native, sum[m].node),
  ]);
  return { header, rows };
}
