// The thread behind PgSyncClient (pg-sync-client.ts): one node-postgres connection, one statement at
// a time. Each request arrives on `port` with an id; its reply goes back on `port`, then the id is
// stored in the shared `signal` word and the blocked caller is woken (Atomics.notify).
// Plain JavaScript: a worker thread runs without the TypeScript loader the main thread may have.
import { workerData } from 'node:worker_threads';
import pg from 'pg';

const { url, port, signal, timeoutMs } = workerData;
const flag = new Int32Array(signal);
// The server gives up first (SQLSTATE 57014, the connection stays usable and the transaction is rolled
// back); the caller's own deadline (timeoutMs) is for a server or network that does not answer at all.
const serverTimeoutMs = Math.max(50, Math.floor(timeoutMs * 0.8));

// Milliseconds since the epoch and COUNT(*) are int8: numbers here, as SQLite gives them.
pg.types.setTypeParser(20, (text) => Number(text));

/** @type {pg.Client | undefined} */
let client;
/** Set once the connection broke: every later request fails at once and the caller starts a new thread. */
let broken;

function errorOf(err) {
  return { message: String(err?.message ?? err), code: typeof err?.code === 'string' ? err.code : undefined };
}

async function handle(msg) {
  if (broken) throw broken;
  switch (msg.op) {
    case 'connect':
      client = new pg.Client({
        connectionString: url,
        connectionTimeoutMillis: serverTimeoutMs,
        statement_timeout: serverTimeoutMs,
        application_name: 'spaceport',
      });
      client.on('error', (err) => {
        broken = err;
      });
      await client.connect();
      return { rows: [], rowCount: 0 };
    case 'query': {
      const r = msg.params ? await client.query({ text: msg.sql, values: msg.params }) : await client.query(msg.sql);
      const last = Array.isArray(r) ? r[r.length - 1] : r;
      return { rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0 };
    }
    case 'close':
      await client?.end();
      client = undefined;
      return { rows: [], rowCount: 0 };
    default:
      throw new Error(`unknown op ${msg.op}`);
  }
}

port.on('message', async (msg) => {
  let reply;
  try {
    reply = { id: msg.id, ...(await handle(msg)) };
  } catch (err) {
    reply = { id: msg.id, error: errorOf(err) };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, msg.id);
  Atomics.notify(flag, 0);
});
