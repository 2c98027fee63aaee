import { describe, expect, it } from 'vitest';
import { nodeDistImage, nodeVersionRequest, parseNodeDistImage, pickNodeVersion, pickNpmVersion } from './node-version.js';

const pkg = (engines?: string) => JSON.stringify({ name: 'site', scripts: { build: 'vite build' }, ...(engines === undefined ? {} : { engines: { node: engines } }) });

describe('nodeVersionRequest', () => {
  it.each([
    { name: 'nothing declared: the current LTS', files: {}, range: '22.x', source: 'default' },
    { name: 'engines.node', files: { packageJson: pkg('>=20') }, range: '>=20', source: 'package.json engines.node' },
    { name: 'package.json without engines', files: { packageJson: pkg() }, range: '22.x', source: 'default' },
    { name: '.nvmrc with a major', files: { nvmrc: '20\n' }, range: '20', source: '.nvmrc' },
    { name: '.nvmrc with a v-prefixed version', files: { nvmrc: 'v18.19.1' }, range: '18.19.1', source: '.nvmrc' },
    { name: '.nvmrc with an LTS name', files: { nvmrc: 'lts/iron' }, range: '20.x', source: '.nvmrc' },
    { name: '.nvmrc lts/*', files: { nvmrc: 'lts/*' }, range: '22.x', source: '.nvmrc' },
    { name: '.nvmrc node (newest)', files: { nvmrc: 'node' }, range: '*', source: '.nvmrc' },
    { name: '.node-version', files: { nodeVersionFile: '# pinned\n20.11.1\n' }, range: '20.11.1', source: '.node-version' },
    { name: '.nvmrc that fits engines wins', files: { nvmrc: '20', packageJson: pkg('>=18') }, range: '20', source: '.nvmrc' },
    { name: '.nvmrc that does not fit engines loses', files: { nvmrc: '16', packageJson: pkg('>=20') }, range: '>=20', source: 'package.json engines.node' },
  ])('$name', ({ files, range, source }) => {
    expect(nodeVersionRequest(files)).toMatchObject({ kind: 'ok', range, source });
  });

  it('names a broken package.json, engines.node or .nvmrc and the fix', () => {
    expect(nodeVersionRequest({ packageJson: '{"engines": ' })).toMatchObject({ kind: 'error', message: expect.stringMatching(/^package\.json is not valid JSON/) });
    expect(nodeVersionRequest({ packageJson: pkg('twenty') })).toMatchObject({ kind: 'error', message: expect.stringContaining('"engines.node" is not a version range: "twenty"') });
    expect(nodeVersionRequest({ nvmrc: 'lts/unknown' })).toMatchObject({ kind: 'error', message: expect.stringContaining('.nvmrc says "lts/unknown"') });
  });
});

describe('pickNodeVersion', () => {
  const published = ['18.19.1', '18.20.8', '20.11.1', '20.19.5', '21.7.3', '22.12.0', '22.21.1', '23.11.1', '24.11.0', '25.2.0', '26.0.0-rc.1', 'v0.10.48'];
  it.each([
    ['>=20', '22.21.1'], // the default LTS line when the range allows it
    ['^20.19.0 || >=22.12.0', '22.21.1'],
    ['20', '20.19.5'],
    ['18.19.1', '18.19.1'],
    ['>=23', '24.11.0'], // an LTS (even) line before a newer odd one
    ['23', '23.11.1'],
    ['*', '22.21.1'],
    ['>=27', undefined],
  ])('%s → %s', (range, want) => {
    expect(pickNodeVersion(range, published)).toBe(want);
  });
});

describe('pickNpmVersion', () => {
  const npm = [
    { version: '9.9.4', engines: { node: '^14.17.0 || ^16.13.0 || >=18.0.0' } },
    { version: '10.9.2', engines: { node: '^18.17.0 || >=20.5.0' } },
    { version: '11.6.2', engines: { node: '^20.17.0 || >=22.9.0' } },
    { version: '12.0.0-pre.1', engines: { node: '>=22' } },
    { version: '1.0.0' },
  ];
  it.each([
    ['22.12.0', '11.6.2'],
    ['20.11.1', '10.9.2'],
    ['18.19.1', '10.9.2'],
    ['16.20.2', '9.9.4'],
    ['12.22.12', undefined],
  ])('Node %s → npm %s', (node, want) => {
    expect(pickNpmVersion(node, npm)).toBe(want);
  });
});

it('names the Node.js image by both versions, and reads it back', () => {
  expect(nodeDistImage('22.12.0', '10.9.2')).toBe('spaceport/node:22.12.0-npm10.9.2');
  expect(parseNodeDistImage('spaceport/node:22.12.0-npm10.9.2')).toEqual({ node: '22.12.0', npm: '10.9.2' });
  expect(parseNodeDistImage('spaceport/node:bookworm')).toBeUndefined();
  expect(parseNodeDistImage('evil/node:22.12.0-npm10.9.2')).toBeUndefined();
});
