import { describe, expect, it } from 'vitest';
import { failingLines } from './failing-lines.js';

describe('failingLines', () => {
  it('picks the lines that say why, once each, in order', () => {
    const log = ['#4 DONE 0.0s', '#5 RUN pip install nope', 'ERROR: No matching distribution found for nope', '#5 ERROR: executor failed running: exit code: 1', 'ERROR: No matching distribution found for nope', 'done'];
    expect(failingLines(log)).toEqual(['ERROR: No matching distribution found for nope', '#5 ERROR: executor failed running: exit code: 1']);
  });

  it('falls back to the last lines when none looks like an error', () => {
    expect(failingLines(['a', 'b', '', 'c'])).toEqual(['a', 'b', 'c']);
    expect(failingLines([])).toEqual([]);
  });
});
