/**
 * The cost of one store call, SQLite (in-process, on disk) against PostgreSQL through the synchronous
 * bridge (controller/store/pg-sync-client.ts: a worker thread, Atomics.wait), on a throwaway
 * cluster on a Unix socket (scripts/ensure-postgres.sh). Each PostgreSQL call blocks the event loop
 * for one round trip: this is that time, per call kind, in µs. `make bench-store`; writes
 * bench/results/store.json. N=… sets the calls per kind (default 2,000).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { toSpaceId } from '../core/index.js';
import { PostgresStore, SecretBox, SqliteStore, type SpaceStore } from '../controller/store/index.js';
import { createTestDatabase } from '../test/support/postgres.js';
import { median, percentile, printTable } from './stats.js';

const N = Number(process.env.N ?? 2000);

type Kind = { name: string; run: (store: SpaceStore, uid: string, i: number) => void };

const KINDS: Kind[] = [
  { name: 'getSpaceByUid (read by key)', run: (s, uid) => void s.getSpaceByUid(uid) },
  { name: 'findToken (every API request)', run: (s) => void s.findToken('sp_bench_token_0123456789') },
  { name: 'recordActivity (one UPDATE)', run: (s, uid, i) => s.recordActivity(uid, 1_000 + i) },
  {
    name: 'writeStatus (read + conditional UPDATE)',
    run: (s, uid, i) => {
      const space = s.getSpaceByUid(uid)!;
      s.updateStatus(uid, space.version, { asleepSince: i % 2 === 0 ? 5_000 : undefined });
    },
  },
  { name: 'setLike (transaction: lock, insert/delete, count)', run: (s, uid, i) => void s.setLike(uid, 'bob', i % 2 === 0) },
  { name: 'querySpaces (gallery page of 24 of 200)', run: (s) => void s.querySpaces({ scope: { privateOwners: [] }, limit: 24, offset: 0 }) },
];

function measure(store: SpaceStore): Record<string, { medianUs: number; p99Us: number }> {
  store.createUser('alice', 'user');
  store.createUser('bob', 'user');
  store.addToken('alice', { displayName: 'bench', role: 'write', plaintext: 'sp_bench_token_0123456789' });
  for (let i = 0; i < 200; i++) store.createSpace({ id: toSpaceId('alice', `app-${i}`), sdk: 'static', visibility: 'public', hardware: 'cpu-basic' });
  const uid = store.getSpace(toSpaceId('alice', 'app-7'))!.uid;
  const out: Record<string, { medianUs: number; p99Us: number }> = {};
  for (const kind of KINDS) {
    for (let i = 0; i < Math.min(200, N); i++) kind.run(store, uid, i); // warm-up
    const us: number[] = [];
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      kind.run(store, uid, i);
      us.push((performance.now() - t) * 1000);
    }
    out[kind.name] = { medianUs: Math.round(median(us)), p99Us: Math.round(percentile(us, 99)) };
  }
  return out;
}

function main(): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'spaceport-bench-store-'));
  const db = createTestDatabase('bench');
  try {
    const sqlite = new SqliteStore({ file: path.join(dir, 'spaceport.db'), secrets: SecretBox.ephemeral() });
    const sqliteUs = measure(sqlite);
    sqlite.close();
    const pg = new PostgresStore({ url: db.url, secrets: SecretBox.ephemeral(), timeoutMs: 10_000 });
    const pgUs = measure(pg);
    pg.close();
    printTable(
      ['call', 'SQLite median µs', 'SQLite p99 µs', 'PostgreSQL median µs', 'PostgreSQL p99 µs'],
      KINDS.map((k) => [k.name, ...[sqliteUs[k.name]!, pgUs[k.name]!].flatMap((r) => [String(r.medianUs), String(r.p99Us)])]),
    );
    const result = { calls: N, loadavg: loadavg().map((l) => Number(l.toFixed(2))), sqlite: sqliteUs, postgres: pgUs, at: new Date().toISOString() };
    mkdirSync(path.join(import.meta.dirname, 'results'), { recursive: true });
    writeFileSync(path.join(import.meta.dirname, 'results', 'store.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
