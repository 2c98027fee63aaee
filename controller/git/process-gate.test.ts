import { expect, it } from 'vitest';
import { SpaceportError } from '../../core/index.js';
import { ProcessGate } from './process-gate.js';

it('caps per client and in all; a waiter blocked by its own cap does not hold up other clients', async () => {
  const gate = new ProcessGate({ max: 3, perClient: 2, queueMs: 60_000 });
  const a1 = await gate.acquire('a');
  const a2 = await gate.acquire('a');
  let a3Granted = false;
  const a3 = gate.acquire('a').then((r) => ((a3Granted = true), r));
  const b1 = await gate.acquire('b'); // a's waiter is at its own cap: b goes past it
  expect(gate.running).toBe(3);
  expect(gate.waiting).toBe(1);
  a1();
  const release = await a3;
  expect(a3Granted).toBe(true);
  for (const r of [a2, b1, release, release]) r(); // freeing twice counts once
  expect(gate.running).toBe(0);
});

it('refuses with ServerBusy and a Retry-After after the wait, and leaves the line on abort', async () => {
  const gate = new ProcessGate({ max: 1, perClient: 1, queueMs: 10 });
  const held = await gate.acquire('a');
  const err = await gate.acquire('b').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SpaceportError);
  expect((err as SpaceportError).code).toBe('ServerBusy');
  expect((err as SpaceportError).status).toBe(503);
  expect((err as SpaceportError).details).toEqual({ retryAfter: 1 });
  const ac = new AbortController();
  const gone = gate.acquire('c', ac.signal).catch((e: unknown) => e);
  ac.abort(new Error('client left'));
  expect(String(await gone)).toMatch(/client left/);
  expect(gate.waiting).toBe(0);
  held();
});
