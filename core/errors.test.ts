import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuildError, ERRORS, SpaceportError, fail, failBuild, isSpaceportError, renderMessage, toSpaceportError } from './errors.js';

describe('fail', () => {
  it('raises a catalog message with its code, the status of that code, options kept', () => {
    const cause = new Error('EAI_AGAIN');
    const err = fail('upstreamHostUnresolved', { host: 'example.com', errno: 'EAI_AGAIN' }, { cause, details: { host: 'example.com' } });
    expect(err).toBeInstanceOf(SpaceportError);
    expect(err.code).toBe('UpstreamFetchFailed');
    expect(err.status).toBe(ERRORS.UpstreamFetchFailed.status);
    expect(err.message).toBe('The upstream host "example.com" does not resolve (EAI_AGAIN).');
    expect(err.cause).toBe(cause);
    expect(err.details).toEqual({ host: 'example.com' });
    expect(isSpaceportError(err, 'UpstreamFetchFailed')).toBe(true);
    expect(toSpaceportError(err)).toBe(err);
  });

  it('renders params, optional ones included, and messages without params', () => {
    expect(fail('nodeRangeUnmatched', { range: '>=99', where: ' (engines.node)' }).message).toBe(
      'No Node.js release matches ">=99" (engines.node). Use a range that includes a released version, like ">=20" or "22".',
    );
    expect(fail('upstreamFetchFailed', { branch: 'main' }).message).toBe('Fetching branch "main" from the upstream failed.');
    expect(fail('upstreamFetchFailed', { branch: 'main', why: 'timed out' }).message).toBe('Fetching branch "main" from the upstream failed: timed out');
    expect(fail('gitNotAUrl')).toMatchObject({ code: 'NotFound', status: 404, message: 'Not a git URL.' });
    expect(fail('revisionInvalid', { rev: 'x'.repeat(300) }).message).toBe(`Invalid revision "${'x'.repeat(100)}".`);
  });

  it('renderMessage gives code, status and text for answers that are not thrown', () => {
    expect(renderMessage('proxySpaceNotFound')).toEqual({ code: 'RepoNotFound', status: 404, message: 'Space not found.' });
  });

  it('failBuild makes a BuildError with the log tail and step', () => {
    const err = failBuild('buildProducedNoImage', { image: 'spaceport/a:1' }, { logTail: 'tail', step: '[2/3] RUN x' });
    expect(err).toBeInstanceOf(BuildError);
    expect(err).toMatchObject({ code: 'BuildFailed', status: 500, logTail: 'tail', step: '[2/3] RUN x' });
    expect(err.message).toBe('The build ended without producing spaceport/a:1.');
  });

  it('keeps SpaceportError as it was: a code alone gives the default message', () => {
    const err = new SpaceportError('PayloadTooLarge');
    expect(err).toMatchObject({ code: 'PayloadTooLarge', status: 413, message: ERRORS.PayloadTooLarge.message });
  });
});

/** Type-check `body` (a module that imports core/errors.ts) with the project's tsc; its error lines. */
function typeErrors(body: string): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'fail-typecheck-'));
  try {
    const errors = path.resolve(import.meta.dirname, 'errors.js');
    writeFileSync(path.join(dir, 'check.ts'), `import { fail, failBuild } from ${JSON.stringify(errors)};\n${body}\n`);
    const options = { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023'], types: [], strict: true, noEmit: true, skipLibCheck: true };
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: ['check.ts'] }));
    const tsc = path.resolve(import.meta.dirname, '../node_modules/typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { encoding: 'utf8' });
    return r.stdout.split('\n').filter((l) => /^\S*check\.ts\(\d+,\d+\): error/.test(l));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('fail is type-safe', () => {
  it('accepts the right params, and rejects a wrong key, a missing, wrong or extra param', { timeout: 60_000 }, () => {
    expect(typeErrors(`fail('nodeRangeUnmatched', { range: '1', where: '' }); fail('gitNotAUrl'); fail('upstreamFetchFailed', { branch: 'b' });`)).toEqual([]);
    const cases = [
      `fail('noSuchMessage');`,
      `fail('nodeRangeUnmatched', { range: '1' });`,
      `fail('nodeRangeUnmatched', { range: 1, where: '' });`,
      `fail('nodeRangeUnmatched', { range: '1', where: '', extra: 1 });`,
      `fail('nodeRangeUnmatched');`,
      `fail('gitNotAUrl', { x: 1 });`,
      `failBuild('gitNotAUrl', undefined, { logTail: '' });`,
    ];
    const errors = typeErrors(cases.join('\n'));
    // one error on each line (line 1 is the import)
    expect(new Set(errors.map((e) => /\((\d+),/.exec(e)?.[1])), errors.join('\n')).toEqual(new Set(cases.map((_, i) => String(i + 2))));
  });
});
