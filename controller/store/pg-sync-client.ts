import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { fail } from '../../core/index.js';
import type { Row } from './rows.js';

export interface PgSyncClientOptions {
  /** postgres://user:password@host:port/database (a secret: never logged, never in an error). */
  url: string;
  /**
   * The most one call may block the calling thread (ms). Past it the call throws DatabaseUnavailable
   * (503), the connection is dropped (PostgreSQL rolls back what it had open) and the next call opens a
   * new one. The server is told a bit less (statement_timeout, 80%), so it usually cancels first and
   * the connection stays.
   */
  timeoutMs: number;
}

export interface PgResult {
  rows: Row[];
  rowCount: number;
}

interface Reply extends Partial<PgResult> {
  id: number;
  error?: { message: string; code?: string };
}

type Request = { op: 'connect' } | { op: 'close' } | { op: 'query'; sql: string; params?: unknown[] };

interface Connection {
  worker: Worker;
  port: MessagePort;
  signal: Int32Array;
}

const CONNECT_FLOOR_MS = 10_000;

/** SQLSTATE classes that mean the connection or the server, not the statement: 08 connection, 28 authorization, 3D no such database, 53 resources, 57 operator intervention. */
const UNAVAILABLE_SQLSTATE = /^(08|28|3D|53|57)/;

/**
 * PostgreSQL behind a synchronous call, for the synchronous `SpaceStore` interface: a worker thread
 * holds one node-postgres connection, and the calling thread blocks on `Atomics.wait` until the
 * reply or the deadline. Each call costs one round trip of blocked event loop (bench/store.ts).
 * Calls never overlap (the caller is blocked), so a transaction is simply BEGIN … COMMIT on the one
 * connection, with nothing else in between.
 */
export class PgSyncClient {
  readonly #opts: PgSyncClientOptions;
  #conn: Connection | undefined;
  #seq = 0;
  /** Bumped each time a connection is dropped: a transaction begun on an older one is already gone. */
  #generation = 0;
  #inTransaction = false;
  #transactionGeneration = 0;

  constructor(opts: PgSyncClientOptions) {
    this.#opts = opts;
    this.#connection();
  }

  /** One statement (with `$1`… params), or several separated by `;` (without params: migrations). */
  query(sql: string, params?: unknown[]): PgResult {
    // A transaction whose connection was dropped is over: never go on with its statements on a new one.
    if (this.#inTransaction && this.#transactionGeneration !== this.#generation) throw fail('databaseUnreachable', { problem: 'connection lost during a transaction' });
    const reply = this.#call(this.#connection(), params ? { op: 'query', sql, params } : { op: 'query', sql });
    return { rows: reply.rows ?? [], rowCount: reply.rowCount ?? 0 };
  }

  /** The first row, or undefined. */
  one(sql: string, params?: unknown[]): Row | undefined {
    return this.query(sql, params).rows[0];
  }

  /** `fn` in one transaction: committed when it returns, rolled back when it throws. Nested calls join the outer one. */
  transaction<T>(fn: () => T): T {
    if (this.#inTransaction) return fn();
    this.query('BEGIN');
    const generation = this.#generation;
    this.#transactionGeneration = generation;
    this.#inTransaction = true;
    try {
      const result = fn();
      this.query('COMMIT');
      return result;
    } catch (err) {
      if (generation === this.#generation) {
        try {
          this.query('ROLLBACK');
        } catch {
          // the connection is gone: the server rolled back with it
        }
      }
      throw err;
    } finally {
      this.#inTransaction = false;
    }
  }

  close(): void {
    const conn = this.#conn;
    if (!conn) return;
    try {
      this.#call(conn, { op: 'close' });
    } finally {
      this.#drop();
    }
  }

  #connection(): Connection {
    if (this.#conn) return this.#conn;
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(4);
    const worker = new Worker(new URL('./pg-sync-worker.mjs', import.meta.url), {
      workerData: { url: this.#opts.url, port: port2, signal: shared, timeoutMs: this.#opts.timeoutMs },
      transferList: [port2],
    });
    worker.unref();
    port1.unref();
    const conn = { worker, port: port1, signal: new Int32Array(shared) };
    this.#conn = conn;
    try {
      this.#call(conn, { op: 'connect' });
    } catch (err) {
      this.#drop();
      throw err;
    }
    return conn;
  }

  /** Drop the connection (its thread, and with it the socket): the next call opens a new one. */
  #drop(): void {
    const conn = this.#conn;
    this.#conn = undefined;
    this.#generation++;
    if (!conn) return;
    conn.port.close();
    void conn.worker.terminate();
  }

  #call(conn: Connection, request: Request): Reply {
    const id = ++this.#seq;
    conn.port.postMessage({ ...request, id });
    // Opening a connection also starts its thread: the worker's own connect timeout bounds the wait
    // for the server; this only bounds a thread that never starts.
    const limitMs = request.op === 'connect' ? Math.max(this.#opts.timeoutMs, CONNECT_FLOOR_MS) : this.#opts.timeoutMs;
    const deadline = Date.now() + limitMs;
    for (;;) {
      const received = receiveMessageOnPort(conn.port);
      if (received) {
        const reply = received.message as Reply;
        if (reply.id !== id) continue;
        if (reply.error) throw this.#failure(reply.error);
        return reply;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        this.#drop();
        throw fail('databaseTimedOut', { ms: limitMs });
      }
      const seen = Atomics.load(conn.signal, 0);
      if (seen !== id) Atomics.wait(conn.signal, 0, seen, left);
    }
  }

  /** A statement's own failure keeps the connection; a lost connection or server is dropped and reported as 503. */
  #failure(error: NonNullable<Reply['error']>): Error {
    const code = error.code ?? '';
    const cause = Object.assign(new Error(error.message), { code });
    // statement_timeout (set below the caller's deadline): the server cancelled it; the connection is fine.
    if (code === '57014') return fail('databaseTimedOut', { ms: this.#opts.timeoutMs }, { cause });
    if (/^[0-9A-Z]{5}$/.test(code) && !UNAVAILABLE_SQLSTATE.test(code)) return fail('databaseQueryFailed', { sqlState: code }, { cause });
    this.#drop();
    return fail('databaseUnreachable', { problem: code || 'connection lost' }, { cause });
  }
}
