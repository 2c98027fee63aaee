import { expect, it } from 'vitest';
import { SecretMask } from './secret-mask.js';

it('masks values and each line of multi-line values, longest first, not tiny ones', () => {
  const mask = new SecretMask(['hunter22', '-----BEGIN KEY-----\nAAAABBBB\n-----END KEY-----', 'ab']);
  expect(mask.apply('token=hunter22 ok')).toBe('token=*** ok');
  expect(mask.apply('line: AAAABBBB')).toBe('line: ***');
  expect(mask.apply('ab cab')).toBe('ab cab');
  expect(new SecretMask(['hunter2', 'hunter22']).apply('hunter22')).toBe('***');
});
