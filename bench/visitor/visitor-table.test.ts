import { expect, it } from 'vitest';
import { addSample, emptySamples, ms, ratio, summarize, visitorTable } from './visitor-table.js';

it('sums up samples as median, p90, min and max', () => {
  expect(summarize([])).toBeUndefined();
  expect(summarize([4, 1, 3, 2, 10])).toEqual({ n: 5, median: 3, p90: expect.closeTo(7.6, 9), min: 1, max: 10 });
});

it('writes milliseconds with the precision their size deserves', () => {
  expect(ms(0.8412)).toBe('0.84');
  expect(ms(12.34)).toBe('12.3');
  expect(ms(1520.4)).toBe('1520');
  expect(ms(Number.NaN)).toBe('–');
});

it('divides the native median by the Node path median', () => {
  expect(ratio(summarize([1, 2, 3]), summarize([4]))).toBe('0.50×');
  expect(ratio(undefined, summarize([4]))).toBe('–');
});

it('prints a row per measured measure, a dash where a path has no sample', () => {
  const s = emptySamples();
  for (const x of [1, 2, 3]) addSample(s, 'getFreshFirstByte', 'direct', x);
  for (const x of [2, 4, 6]) addSample(s, 'getFreshFirstByte', 'node', x);
  for (const x of [1, 2, 3]) addSample(s, 'getFreshFirstByte', 'native', x);
  addSample(s, 'wakeMapped', 'native', 2500);
  const t = visitorTable(s);
  expect(t.header).toEqual(['ms, median (p90)', 'direct (app port)', 'Node path', 'native (HAProxy)', 'native ÷ Node']);
  expect(t.rows).toEqual([
    ['GET / fresh connection → first byte', '2.00 (2.80)', '4.00 (5.60)', '2.00 (2.80)', '0.50×'],
    ["sleeping → Space in HAProxy's map (wake)", '–', '–', '2500 (2500)', '–'],
  ]);
});
