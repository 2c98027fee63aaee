import { expect, it } from 'vitest';
import { serverKeepalive } from './postgres-leader-lock.js';

// The server must drop a silent leader's connection (and so its lock) after the leader has given up on
// its own (half the lease: its heartbeat deadline) and within the lease (SPACEPORT_LEADER_LEASE_MS).
it.each([5_000, 10_000, 30_000, 120_000])('a lease of %i ms: the server drops a silent leader after half of it and within it', (lease) => {
  const k = serverKeepalive(lease);
  const dropMs = (k.idleS + k.count * k.intervalS) * 1000;
  expect(dropMs).toBeGreaterThan(lease / 2);
  expect(dropMs).toBeLessThanOrEqual(lease);
  expect(k.userTimeoutMs).toBeGreaterThan(lease / 2);
  expect(k.userTimeoutMs).toBeLessThanOrEqual(lease);
});
