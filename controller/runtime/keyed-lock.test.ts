import { expect, it } from 'vitest';
import { KeyedLock } from './keyed-lock.js';

it('runs work for one key one at a time, in order, and survives failures', async () => {
  const lock = new KeyedLock();
  const order: string[] = [];
  const step = (name: string, ms: number, fail = false) => async () => {
    order.push(`start ${name}`);
    await new Promise((r) => setTimeout(r, ms));
    order.push(`end ${name}`);
    if (fail) throw new Error(name);
    return name;
  };
  const a = lock.run('k', step('a', 20, true));
  const b = lock.run('k', step('b', 1));
  const c = lock.run('other', step('c', 1));
  await expect(a).rejects.toThrow('a');
  expect(await b).toBe('b');
  expect(await c).toBe('c');
  expect(order.indexOf('end a')).toBeLessThan(order.indexOf('start b'));
  expect(order.indexOf('start c')).toBeLessThan(order.indexOf('end a'));
});
