import { describe, expect, it } from 'vitest';
import { isExpectedUpstreamError, upstreamErrorLog } from './upstream-errors.js';

describe('upstream errors', () => {
  it('expected failures are logged by code and message, without the error object', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(isExpectedUpstreamError(refused)).toBe(true);
    expect(upstreamErrorLog(refused)).toEqual({ code: 'ECONNREFUSED', reason: 'connect ECONNREFUSED 127.0.0.1:1' });
  });

  it('anything else keeps the whole error (with its stack)', () => {
    const bug = new TypeError('boom');
    expect(isExpectedUpstreamError(bug)).toBe(false);
    expect(upstreamErrorLog(bug)).toEqual({ err: bug });
  });
});
