import { describe, expect, it } from 'vitest';
import { packageCutoff, pipTimestamp, resolvePackagesAtProblem, sdkDateCutoff } from './package-cutoff.js';

const now = new Date('2026-11-26T00:00:00Z');

describe('packageCutoff', () => {
  it('is the dependencies’ last change by default, in a form every pip and Python parses', () => {
    const c = packageCutoff(undefined, new Date('2023-08-15T10:11:12.999Z'), now);
    expect(c.cutoff).toBe('2023-08-15T10:11:12+00:00');
    expect(c.describe).toMatch(/^as of 2023-08-15T10:11:12\+00:00, the date of the last commit that changed README\.md, requirements\.txt/);
    expect(packageCutoff('commit', new Date('2023-08-15T10:11:12Z'), now).cutoff).toBe('2023-08-15T10:11:12+00:00');
  });

  it('takes a future date as now, and gives the newest packages with latest or without a date', () => {
    expect(packageCutoff(undefined, new Date('2030-01-01T00:00:00Z'), now).cutoff).toBe('2026-11-26T00:00:00+00:00');
    expect(packageCutoff('latest', new Date('2023-01-01T00:00:00Z'), now)).toEqual({ describe: 'the newest versions (resolve_packages_at: latest in README.md)' });
    expect(packageCutoff(undefined, undefined, now).cutoff).toBeUndefined();
  });

  it('takes a date from README.md (midnight UTC for a bare date, the zone when given)', () => {
    expect(packageCutoff('2024-06-01', undefined, now).cutoff).toBe('2024-06-01T00:00:00+00:00');
    expect(packageCutoff('2024-06-01T12:00:00+02:00', undefined, now).cutoff).toBe('2024-06-01T10:00:00+00:00');
    expect(packageCutoff('2024-06-01', undefined, now).describe).toBe('as of 2024-06-01T00:00:00+00:00 (resolve_packages_at in README.md)');
  });

  it('accepts only commit, latest and dates', () => {
    expect(resolvePackagesAtProblem('commit')).toBeUndefined();
    expect(resolvePackagesAtProblem('2024-02-29')).toBeUndefined();
    expect(resolvePackagesAtProblem('2024-02-30T00:00:00Z')).toBeDefined();
    expect(resolvePackagesAtProblem('soon')).toBeDefined();
    expect(pipTimestamp(new Date(0))).toBe('1970-01-01T00:00:00+00:00');
  });
});

describe('sdkDateCutoff', () => {
  const byCommit = packageCutoff(undefined, new Date('2026-11-20T08:00:00Z'), now);
  const gradio = { name: 'gradio', version: '4.44.1', uploadedAt: new Date('2024-09-30T20:12:13Z') };

  it('resolves a pin much older than the commit as of its release plus 30 days, and says so', () => {
    const c = sdkDateCutoff(undefined, byCommit, gradio);
    expect(c.cutoff).toBe('2024-10-30T20:12:13+00:00');
    expect(c.describe).toMatch(/^as of 2024-10-30T20:12:13\+00:00: gradio 4\.44\.1 \(sdk_version\) was released on 2024-09-30T20:12:13\+00:00, much earlier than the last commit .* \(2026-11-20T08:00:00\+00:00\)/);
  });

  it('keeps the commit date as the fallback of an SDK-date cutoff, and the log line says it is tried when the install fails (issue 19)', () => {
    const c = sdkDateCutoff(undefined, byCommit, gradio);
    expect(c.fallback).toBe('2026-11-20T08:00:00+00:00');
    expect(c.describe).toContain('if they cannot be installed as of then, as of 2026-11-20T08:00:00+00:00');
    // No fallback where the cutoff is the commit's already.
    expect(sdkDateCutoff(undefined, byCommit, { ...gradio, uploadedAt: new Date('2026-11-01T00:00:00Z') }).fallback).toBeUndefined();
    expect(sdkDateCutoff(undefined, byCommit, { name: 'gradio', version: '4.44.1', problem: 'index unreachable' }).fallback).toBeUndefined();
  });

  it('keeps the commit date for a recent pin, an explicit resolve_packages_at, or no cutoff', () => {
    expect(sdkDateCutoff(undefined, byCommit, { ...gradio, uploadedAt: new Date('2026-11-01T00:00:00Z') })).toEqual(byCommit);
    const explicit = packageCutoff('commit', new Date('2026-11-20T08:00:00Z'), now);
    expect(sdkDateCutoff('commit', explicit, gradio)).toEqual(explicit);
    expect(sdkDateCutoff(undefined, packageCutoff(undefined, undefined, now), gradio).cutoff).toBeUndefined();
  });

  it('falls back to the commit date when the release date could not be looked up, saying why', () => {
    const c = sdkDateCutoff(undefined, byCommit, { name: 'gradio', version: '4.44.1', problem: 'index unreachable' });
    expect(c.cutoff).toBe(byCommit.cutoff);
    expect(c.describe).toContain('the release date of gradio 4.44.1 could not be looked up (index unreachable), so not as of that date');
  });
});
