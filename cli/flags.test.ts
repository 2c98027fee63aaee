import { expect, it } from 'vitest';
import { flagsToEnv } from './flags.js';

it('maps flags onto the settings env names', () => {
  expect(flagsToEnv(['--port', '9000', '--domain=spaces.test'])).toEqual({ ok: true, env: { SPACEPORT_PORT: '9000', SPACEPORT_DOMAIN: 'spaces.test' } });
});

it('names unknown flags and missing values', () => {
  expect(flagsToEnv(['--prot', '1'])).toMatchObject({ ok: false, problem: expect.stringContaining('Unknown option "--prot"') });
  expect(flagsToEnv(['--port'])).toMatchObject({ ok: false, problem: 'Option --port needs a value.' });
});
