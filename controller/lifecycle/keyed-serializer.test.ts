import { expect, it } from 'vitest';
import { KeyedSerializer } from './keyed-serializer.js';

it('runs one key at a time and coalesces a burst into one more run', async () => {
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  const s = new KeyedSerializer(async () => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    runs++;
    await new Promise((r) => setTimeout(r, 10));
    running--;
  }, () => {});
  await Promise.all(Array.from({ length: 50 }, () => s.run('a')));
  await s.idle();
  expect(maxRunning).toBe(1);
  expect(runs).toBe(2);
});

it('reports errors and keeps going', async () => {
  const errors: unknown[] = [];
  let n = 0;
  const s = new KeyedSerializer(async () => {
    n++;
    if (n === 1) throw new Error('boom');
  }, (_k, e) => errors.push(e));
  await s.run('a');
  await s.run('a');
  expect(errors).toHaveLength(1);
  expect(n).toBe(2);
});
