import { createConnection, createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { PostgresLeaderLock, type Kick, type LeaderLock } from '../../controller/leadership/index.js';
import { nextEvent, runLeaderLockContract } from '../../controller/leadership/testing/leader-lock-contract.js';
import { PostgresStore, SecretBox } from '../../controller/store/index.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

// The leader lock on a real PostgreSQL (scripts/ensure-postgres.sh): the contract, then what only two
// replicas show. A short lease keeps the file fast; production's default is 10 s (SPACEPORT_LEADER_LEASE_MS).
const LEASE_MS = 2_000;
const RETRY_MS = 200;

let db: TestDatabase;
beforeAll(() => {
  db = createTestDatabase('leader');
  // The store's migrations make leader_term and pending_kicks (migrations/postgres/003-leadership.sql).
  new PostgresStore({ url: db.url, secrets: SecretBox.ephemeral(), timeoutMs: 10_000 }).close();
});
afterAll(() => db?.drop());

async function sql(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    return await c.query(text, values);
  } finally {
    await c.end();
  }
}

function makeLock(holder: string, url = db.url): PostgresLeaderLock {
  return new PostgresLeaderLock({ url, leaseMs: LEASE_MS, retryMs: RETRY_MS, logger: silentLogger(), holder });
}

runLeaderLockContract('postgres', async () => {
  await sql('DELETE FROM pending_kicks');
  return makeLock('contract');
}, { gainWithinMs: 5_000 });

/** Resolves once one of `locks` leads; returns it. */
async function leaderOf(locks: LeaderLock[], ms = 5_000): Promise<LeaderLock> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const leaders = locks.filter((l) => l.state.kind === 'leader');
    if (leaders.length === 1) return leaders[0]!;
    expect(leaders.length).toBeLessThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no leader');
}

describe('two replicas on one PostgreSQL', () => {
  const open: LeaderLock[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((l) => l.close()));
    for (const s of servers.splice(0)) s.close();
    await sql('DELETE FROM pending_kicks');
  });
  const two = (): [PostgresLeaderLock, PostgresLeaderLock] => {
    const a = makeLock('a');
    const b = makeLock('b');
    open.push(a, b);
    a.start();
    b.start();
    return [a, b];
  };

  it('only one leads; when its connection is killed it loses at once and the other gains within the lease, in a higher term', async () => {
    const [a, b] = two();
    const first = await leaderOf([a, b]);
    const other = first === a ? b : a;
    // Stays so: the other keeps trying and never gains while the first holds the lock.
    await new Promise((r) => setTimeout(r, RETRY_MS * 4));
    expect(other.state).toEqual({ kind: 'follower' });
    const firstTerm = first.state.kind === 'leader' ? first.state.term : -1;
    expect((await sql('SELECT term, holder FROM leader_term')).rows).toEqual([{ term: String(firstTerm), holder: first === a ? 'a' : 'b' }]);

    const lost = nextEvent<string>((fn) => first.onLose(fn), LEASE_MS);
    const gained = nextEvent<number>((fn) => other.onGain(fn), LEASE_MS);
    const killedAt = Date.now();
    const killed = await sql(`SELECT pg_terminate_backend(pid) AS ok FROM pg_locks WHERE locktype = 'advisory' AND objid = 7263002 AND granted`);
    expect(killed.rows).toEqual([{ ok: true }]);
    await lost;
    const term = await gained;
    expect(Date.now() - killedAt).toBeLessThan(LEASE_MS);
    expect(term).toBe(firstTerm + 1);
    // The killed one reconnects and follows.
    await new Promise((r) => setTimeout(r, RETRY_MS * 4));
    expect(first.state).toEqual({ kind: 'follower' });
  });

  it("a follower's kicks reach the leader (NOTIFY), and kicks sent while nobody leads wait for the next leader", async () => {
    const [a, b] = two();
    const leader = await leaderOf([a, b]);
    const follower = leader === a ? b : a;
    const seen: Kick[] = [];
    a.onKick((k) => seen.push(k));
    b.onKick((k) => seen.push(k));
    await new Promise((r) => setTimeout(r, RETRY_MS * 2)); // the follower's connection is open
    await follower.sendKick({ kind: 'build', space: 'u1', noCache: true, force: true });
    await follower.sendKick({ kind: 'pass', space: 'u2' });
    await expect.poll(() => seen, { timeout: LEASE_MS }).toEqual([{ kind: 'build', space: 'u1', noCache: true, force: true }, { kind: 'pass', space: 'u2' }]);
    expect((await sql('SELECT count(*)::int AS n FROM pending_kicks')).rows[0].n).toBe(0);

    // The leader leaves; a kick sent before anyone takes over is kept, and read at the takeover.
    await leader.close();
    seen.length = 0;
    await sql(`INSERT INTO pending_kicks (space_uid, kind, at) VALUES ('u3', 'pass', 0)`);
    await leaderOf([follower]);
    await expect.poll(() => seen, { timeout: LEASE_MS }).toEqual([{ kind: 'pass', space: 'u3' }]);
  });

  it('a leader whose PostgreSQL stops answering gives up within half the lease, before the server could hand the lock on', async () => {
    // A TCP relay to the Unix socket that can be frozen: bytes stop, no socket closes (a network partition).
    const socketPath = decodeURIComponent(new URL(db.url).hostname) + '/.s.PGSQL.5432';
    let frozen = false;
    const pairs: [Socket, Socket][] = [];
    const relay = createServer((client) => {
      const server = createConnection(socketPath);
      pairs.push([client, server]);
      client.on('data', (d) => void (frozen || server.write(d)));
      server.on('data', (d) => void (frozen || client.write(d)));
      client.on('error', () => undefined);
      server.on('error', () => undefined);
      client.on('close', () => void (frozen || server.destroy()));
      server.on('close', () => void (frozen || client.destroy()));
    });
    servers.push(relay);
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const port = (relay.address() as { port: number }).port;
    const u = new URL(db.url);
    const viaRelay = `postgres://spaceport@127.0.0.1:${port}${u.pathname}`;

    const a = makeLock('a', viaRelay);
    const b = makeLock('b');
    open.push(a, b);
    a.start();
    await leaderOf([a]);
    b.start();
    const lost = nextEvent<string>((fn) => a.onLose(fn), LEASE_MS);
    const frozenAt = Date.now();
    frozen = true;
    await lost;
    expect(Date.now() - frozenAt).toBeLessThanOrEqual(LEASE_MS * 0.75);
    // The server still holds the lock for the frozen session (on a real network its keepalive and
    // tcp_user_timeout end it within the lease); once it goes, b gains.
    expect(b.state).toEqual({ kind: 'follower' });
    const gained = nextEvent<number>((fn) => b.onGain(fn), LEASE_MS);
    for (const [, server] of pairs) server.destroy();
    await gained;
  });
});
