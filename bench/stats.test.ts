import { expect, it } from 'vitest';
import { median, percentile } from './stats.js';

it('interpolates percentiles', () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([1, 2, 3, 4])).toBe(2.5);
  expect(percentile([0, 10], 90)).toBe(9);
  expect(median([])).toBeNaN();
});
